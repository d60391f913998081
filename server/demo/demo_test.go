package demo

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/internal/claudepath"
	"vibecraft.sh/helm/server/opencode"
)

func transcripts(t *testing.T, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "projects", "*", "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// worldWithHistory starts five sessions under root, each with turns
// finished turns that ended an hour ago.
func worldWithHistory(t *testing.T, root string, turns int) *world {
	t.Helper()
	w := &world{root: root}
	for i := range 5 {
		s, err := w.start(i)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.historic(turns, time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func TestWorldLivesAndDies(t *testing.T) {
	root := t.TempDir()
	w := worldWithHistory(t, root, 2)
	first := w.sessions[0].path
	// Each past turn took its three steps of a minute, as Claude Code
	// records it.
	if b, err := os.ReadFile(first); err != nil || strings.Count(string(b), `"durationMs":180000,`) != 2 {
		t.Errorf("the first session's two past turns are not timed at 3 min each (%v):\n%s", err, b)
	}
	for n := range 200 {
		if err := w.step(n); err != nil {
			t.Fatal(err)
		}
	}
	files := transcripts(t, root)
	if len(files) < 6 {
		t.Fatalf("want several sessions, got %d", len(files))
	}
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Fatalf("the oldest session should have been deleted: %v", err)
	}
	kinds := map[string]int{}
	cwds := map[string]bool{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var rec struct {
				Type       string `json:"type"`
				Subtype    string `json:"subtype"`
				DurationMs int64  `json:"durationMs"`
				Cwd        string `json:"cwd"`
				Message    struct {
					StopReason string `json:"stop_reason"`
				} `json:"message"`
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("%s: bad line %q: %v", f, sc.Text(), err)
			}
			kinds[rec.Type+"/"+rec.Message.StopReason+rec.Subtype]++
			// A past turn takes its three steps of a minute (historic);
			// a live one, the steps' time here, a moment: never more.
			if rec.Subtype == "turn_duration" {
				if rec.DurationMs < 0 || rec.DurationMs > 3*60_000 {
					t.Errorf("%s: a turn of %d ms", f, rec.DurationMs)
				}
			}
			if rec.Cwd != "" {
				cwds[rec.Cwd] = true
				if !strings.HasSuffix(filepath.Dir(f), claudepath.Slug(rec.Cwd)) {
					t.Fatalf("%s is not in the folder Claude Code would use for %s", f, rec.Cwd)
				}
			}
		}
		fh.Close()
	}
	for _, k := range []string{"user/", "assistant/tool_use", "assistant/end_turn", "ai-title/", "system/turn_duration"} {
		if kinds[k] == 0 {
			t.Errorf("no %s records written: %v", k, kinds)
		}
	}
	if len(cwds) < 3 {
		t.Errorf("want several projects, got %v", cwds)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, root, Options{Step: time.Millisecond}) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(transcripts(t, root)) < 6 {
		if time.Now().After(deadline) {
			t.Fatal("no new session started")
		}
		time.Sleep(5 * time.Millisecond) // polling the file system, not synchronising goroutines
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// TestTitlesStayDistinct: as the demo runs (new sessions, old ones
// deleted), Helm's own sources never list two of its sessions under one
// title, in either tool, and the list keeps a steady size rather than
// growing for as long as the demo runs.
func TestTitlesStayDistinct(t *testing.T) {
	claudeRoot, openCodeDir, err := Layout(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sim, err := Start(claudeRoot, Options{OpenCodeDir: openCodeDir})
	if err != nil {
		t.Fatal(err)
	}
	oc := opencode.New(opencode.Options{DataDir: openCodeDir})
	defer oc.Close()
	for n := range 1000 {
		if err := sim.w.step(n); err != nil {
			t.Fatal(err)
		}
		if n%50 != 49 {
			continue
		}
		cc, err := claude.New(claude.Options{Roots: []string{claudeRoot}}).Scan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		ocList, err := oc.Scan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(cc) > 8 {
			t.Fatalf("after %d writes the demo lists %d Claude Code sessions: it should hold about seven", n+1, len(cc))
		}
		seen := map[string]string{}
		for _, s := range append(cc, ocList...) {
			if strings.HasPrefix(s.Title, "New session") || s.Title == "" {
				continue // not yet titled
			}
			if other, dup := seen[s.Title]; dup {
				t.Fatalf("after %d writes, %s and %s are both titled %q", n+1, other, s.ID, s.Title)
			}
			seen[s.Title] = s.ID
		}
	}
}

// TestSessionsAskForPermission: now and then a session stops on a tool
// call that Claude Code asks about (a command, an edit, a new file): its
// registry entry, under a live PID, says it waits on a permission prompt
// while the call is the transcript's last record, and goes when the user
// "allows" it, before the call's result is written. One session asks at
// a time.
func TestSessionsAskForPermission(t *testing.T) {
	root := t.TempDir()
	w := worldWithHistory(t, root, 1)
	entry := filepath.Join(root, "sessions", fmt.Sprintf("%d.json", os.Getpid()))
	asked, allowed := 0, 0
	var asking string // the session id in the entry, "" when none
	for n := range 300 {
		if err := w.step(n); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(entry)
		if errors.Is(err, fs.ErrNotExist) {
			if asking != "" {
				allowed++
			}
			asking = ""
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			PID                           int
			SessionID, Status, WaitingFor string
			UpdatedAt, StatusUpdatedAt    int64
		}
		if err := json.Unmarshal(b, &e); err != nil || e.PID != os.Getpid() || e.Status != "waiting" ||
			e.WaitingFor != "permission prompt" || e.StatusUpdatedAt == 0 {
			t.Fatalf("step %d: the registry entry %s (%v), want helmd's PID waiting on a permission prompt", n, b, err)
		}
		if e.SessionID != asking {
			asked++
			asking = e.SessionID
		}
		var s *session
		for _, c := range w.sessions {
			if c.id == e.SessionID {
				s = c
			}
		}
		if s == nil {
			t.Fatalf("step %d: the entry names %s, no session of the demo", n, e.SessionID)
		}
		last := lastRecord(t, s.path)
		if last.Type != "assistant" || last.Message.StopReason != "tool_use" || !asksPermission[s.topic.tool] {
			t.Fatalf("step %d: %s asks for a permission, its last record is %+v (tool %s)", n, s.id, last, s.topic.tool)
		}
	}
	if asked < 2 || allowed < 1 {
		t.Errorf("in 300 steps %d permissions were asked and %d allowed; want a few of each", asked, allowed)
	}
}

// lastRecord is the type and stop reason of a transcript's last line.
func lastRecord(t *testing.T, path string) (r struct {
	Type    string `json:"type"`
	Message struct {
		StopReason string `json:"stop_reason"`
	} `json:"message"`
}) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		t.Fatal(err)
	}
	return r
}
