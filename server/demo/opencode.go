package demo

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ocWorld keeps simulated OpenCode sessions in OpenCode's legacy JSON
// storage (storage/session, message, part: the layout OpenCode wrote up
// to 1.1, which Helm still reads), so the demo list mixes both sources.
// The JSON tree needs no SQLite writer in helmd, and each file is written
// whole and renamed into place, as OpenCode's storage does.
type ocWorld struct {
	storage  string // <data>/storage
	sessions []*ocSession
	seq      int64 // makes ids unique within one millisecond
}

// ocSession is one simulated OpenCode conversation: prompt (working) →
// answer streaming (working) → answer complete (waiting) → a pause →
// the next prompt.
type ocSession struct {
	id, projectID, cwd string
	topic              ocTopic
	model              string
	created            int64
	titled             bool
	phase              int // 0 prompt next, 1 answer next, 2 answer completes next
	turns              int
	resumeAt           int
	answer             string // the assistant message being written
	answerAt           int64
	msgs               int
}

// ocPrompts are the OpenCode sessions' topics, apart from the Claude Code
// ones: one title in two rows of the demo's list looked like a duplicate.
var ocPrompts = []ocTopic{
	{"Add a dark mode to the settings screen", "Dark mode for settings", "src/settings/theme.ts"},
	{"The search endpoint is slow, speed it up", "Speed up search", "go test -bench Search"},
	{"Write the changelog for release 2.4", "Changelog for 2.4", "CHANGELOG.md"},
}

// ocTopic is an OpenCode session's first prompt, its title, and what its
// answers say they worked on (it makes no tool calls).
type ocTopic struct{ prompt, title, work string }

// ocModels are models OpenCode users pick, each session keeping one.
var ocModels = []string{"gpt-5", "claude-opus-4-1", "gemini-2.5-pro"}

func newOCWorld(dataDir string) *ocWorld {
	return &ocWorld{storage: filepath.Join(dataDir, "storage")}
}

// id is an OpenCode-shaped id: prefix, 12 hex digits of time and counter,
// 14 random base62 characters.
func (w *ocWorld) id(prefix string, at time.Time) string {
	w.seq++
	const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var r [14]byte
	_, _ = rand.Read(r[:])
	for i := range r {
		r[i] = base62[int(r[i])%len(base62)]
	}
	return fmt.Sprintf("%s_%012x%s", prefix, (at.UnixMilli()*4096+w.seq)&0xffffffffffff, r[:])
}

func (w *ocWorld) start(i int, at time.Time) (*ocSession, error) {
	p := projects[(i+1)%len(projects)]
	sum := sha1.Sum([]byte(p.cwd))
	s := &ocSession{id: w.id("ses", at), projectID: hex.EncodeToString(sum[:]), cwd: p.cwd,
		topic: ocPrompts[i%len(ocPrompts)], model: ocModels[i%len(ocModels)], created: at.UnixMilli()}
	w.sessions = append(w.sessions, s)
	return s, w.writeSession(s, at)
}

// writeSession writes the session's own file; OpenCode rewrites it on
// every change, with time.updated moved on.
func (w *ocWorld) writeSession(s *ocSession, at time.Time) error {
	title := "New session - " + time.UnixMilli(s.created).UTC().Format("2006-01-02T15:04:05.000Z")
	if s.titled {
		title = s.topic.title
	}
	return w.write(filepath.Join("session", s.projectID, s.id+".json"), map[string]any{
		"id": s.id, "version": "1.1.20", "projectID": s.projectID, "directory": s.cwd, "title": title,
		"time": map[string]any{"created": s.created, "updated": at.UnixMilli()},
	})
}

func (w *ocWorld) writeMessage(s *ocSession, msg map[string]any) error {
	msg["sessionID"] = s.id
	return w.write(filepath.Join("message", s.id, msg["id"].(string)+".json"), msg)
}

func (w *ocWorld) writeText(s *ocSession, messageID, text string, at time.Time) error {
	id := w.id("prt", at)
	return w.write(filepath.Join("part", messageID, id+".json"), map[string]any{
		"id": id, "sessionID": s.id, "messageID": messageID, "type": "text", "text": text,
	})
}

// advance writes what OpenCode would write next.
func (w *ocWorld) advance(s *ocSession, at time.Time) error {
	ms := at.UnixMilli()
	switch s.phase {
	case 0:
		s.phase = 1
		text := s.topic.prompt
		if s.turns > 0 {
			text = fmt.Sprintf("Good. Now step %d, please", s.turns+1)
		}
		id := w.id("msg", at)
		err := w.writeMessage(s, map[string]any{"id": id, "role": "user", "time": map[string]any{"created": ms},
			"agent": "build", "model": map[string]any{"providerID": "opencode", "modelID": s.model}})
		if err == nil {
			err = w.writeText(s, id, text, at)
		}
		if err == nil {
			err = w.writeSession(s, at)
		}
		return err
	case 1:
		s.phase = 2
		s.answer, s.answerAt = w.id("msg", at), ms
		return w.writeMessage(s, w.assistant(s, nil, 0))
	default:
		s.phase, s.turns, s.msgs = 0, s.turns+1, s.msgs+1
		err := w.writeText(s, s.answer, "Done: "+s.topic.work+" is through. What next?", at)
		if err == nil {
			err = w.writeMessage(s, w.assistant(s, map[string]any{"created": s.answerAt, "completed": ms}, s.msgs))
		}
		s.titled = true
		if err == nil {
			err = w.writeSession(s, at)
		}
		return err
	}
}

// assistant is the assistant message being answered: unfinished (no
// completed time, no spend yet) or finished with its tokens and cost.
func (w *ocWorld) assistant(s *ocSession, tm map[string]any, n int) map[string]any {
	m := map[string]any{"id": s.answer, "role": "assistant", "parentID": "msg_parent", "modelID": s.model,
		"providerID": "opencode", "mode": "build", "agent": "build", "path": map[string]any{"cwd": s.cwd, "root": s.cwd},
		"time": map[string]any{"created": s.answerAt}, "cost": 0,
		"tokens": map[string]any{"input": 0, "output": 0, "reasoning": 0, "cache": map[string]any{"read": 0, "write": 0}}}
	if tm != nil {
		m["time"], m["finish"] = tm, "stop"
		m["cost"] = 0.004 + 0.0015*float64(n)
		m["tokens"] = map[string]any{"input": 900 + 40*n, "output": 260, "reasoning": 64,
			"cache": map[string]any{"read": 15000 + 700*n, "write": 1200}}
	}
	return m
}

// historic writes finished turns ending at end.
func (w *ocWorld) historic(s *ocSession, turns int, end time.Time) error {
	at := end.Add(-time.Duration(turns*3) * time.Minute)
	for range turns * 3 {
		if err := w.advance(s, at); err != nil {
			return err
		}
		at = at.Add(time.Minute)
	}
	return nil
}

// seed starts n sessions with a past, hours old, so the list shows
// OpenCode sessions from the first scan.
func (w *ocWorld) seed(n int) error {
	for i := range n {
		end := time.Now().Add(-time.Duration(3*i+2) * time.Hour)
		s, err := w.start(i, end.Add(-time.Hour))
		if err != nil {
			return err
		}
		if err := w.historic(s, 1+i%2, end); err != nil {
			return err
		}
	}
	return nil
}

// step moves the OpenCode session whose turn it is.
func (w *ocWorld) step(n int) error {
	if len(w.sessions) == 0 {
		return nil
	}
	s := w.sessions[n%len(w.sessions)]
	if s.phase == 0 && n < s.resumeAt {
		return nil
	}
	if s.phase == 2 {
		s.resumeAt = n + 3 + n%4 // its user reads the answer for a while
	}
	return w.advance(s, time.Now())
}

// write puts v at rel under the storage folder: a temp file first, then
// a rename (named as OpenCode names its temp files, which Helm ignores),
// so a reader never sees half a file.
func (w *ocWorld) write(rel string, v any) error {
	path := filepath.Join(w.storage, rel)
	return writeWhole(path, filepath.Join(filepath.Dir(path), ".oc-"+filepath.Base(path)+".tmp"), v)
}

// writeWhole writes v as JSON to path through tmp, a name its reader
// ignores, renamed into place: a reader never sees half a file.
func writeWhole(path, tmp string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}
