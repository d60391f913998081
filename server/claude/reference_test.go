package claude

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/corpus"
	"vibecraft.sh/helm/shared"
)

// refLine is a transcript line as encoding/json reads it.
type refLine struct {
	Type      string `json:"type"`
	Cwd       string `json:"cwd"`
	SessionID string `json:"sessionId"`
	RequestID string `json:"requestId"`
	IsMeta    bool   `json:"isMeta"`
	Message   *struct {
		ID      string          `json:"id"`
		Model   string          `json:"model"`
		Usage   *map[string]any `json:"usage"`
		Content json.RawMessage `json:"content"`
	} `json:"message"`
}

// reference computes tokens, message counts and models with
// encoding/json, the slow obvious way, for every session under root.
func reference(t *testing.T, root string) map[string]shared.Session {
	t.Helper()
	out := map[string]shared.Session{}
	type usage struct {
		sid string
		t   shared.Tokens
	}
	responses := map[string]usage{}
	err := filepath.WalkDir(filepath.Join(root, "projects"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".jsonl") {
			return err
		}
		main := !strings.HasPrefix(d.Name(), "agent-")
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		sid := strings.TrimSuffix(d.Name(), ".jsonl")
		seen := map[string]bool{}
		for sc.Scan() {
			var l refLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if !main {
				sid = l.SessionID
			}
			s := out[sid]
			s.ID = sid
			if main && s.ProjectPath == "" {
				s.ProjectPath = l.Cwd
			}
			if l.Message != nil && l.Type == "assistant" {
				if main && l.Message.Model != "" {
					s.Model = l.Message.Model
				}
				if main && !seen[l.Message.ID] {
					seen[l.Message.ID] = true
					s.MessageCount++
				}
				if u := l.Message.Usage; u != nil {
					responses[path+l.Message.ID+"/"+l.RequestID] = usage{sid, shared.Tokens{
						Input: num((*u)["input_tokens"]), Output: num((*u)["output_tokens"]),
						CacheRead: num((*u)["cache_read_input_tokens"]), CacheWrite: num((*u)["cache_creation_input_tokens"])}}
				}
			}
			if l.Message != nil && l.Type == "user" && main && !l.IsMeta {
				var text string
				var blocks []struct{ Type, Text string }
				if json.Unmarshal(l.Message.Content, &text) != nil {
					json.Unmarshal(l.Message.Content, &blocks)
				}
				for _, b := range blocks {
					if b.Type == "text" && strings.TrimSpace(b.Text) != "" {
						text = b.Text
					}
				}
				if strings.TrimSpace(text) != "" {
					s.MessageCount++
				}
			}
			out[sid] = s
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range responses {
		s := out[u.sid]
		s.Tokens = s.Tokens.Add(u.t)
		out[u.sid] = s
	}
	return out
}

// TestAgainstReference scans a generated corpus (split responses, tool
// results up to megabytes, both subagent layouts) and compares what the
// streaming extractor finds with a plain encoding/json reading.
func TestAgainstReference(t *testing.T) {
	for _, tc := range []struct {
		name string
		gen  func(out string, size int64, sessions, projects int, seed int64) (corpus.Stats, error)
	}{
		{"mixed", corpus.Generate},
		// Responses split over several lines, thinking blocks, tool calls:
		// the shape the cold scan of many small records is tuned for.
		{"small records", corpus.GenerateSmallRecords},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			st, err := tc.gen(root, 3<<20, 24, 3, 7)
			if err != nil {
				t.Fatal(err)
			}
			quiet := touchHalf(t, root)
			src := New(Options{Roots: []string{root}})
			out, err := src.Scan(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			compacted := 0
			for _, f := range src.reg.files {
				if f.agg.lazy != nil {
					compacted++
				}
			}
			// A quiet file that holds a response another file bills keeps
			// its maps (aggregate.compact): at most quiet are compacted.
			if compacted == 0 || compacted > quiet {
				t.Fatalf("%d of %d files compacted, %d quiet: both paths must be compared", compacted, len(src.reg.files), quiet)
			}
			want := reference(t, root)
			if len(out) != st.Sessions || len(want) != st.Sessions {
				t.Fatalf("%d sessions, reference %d, generated %d", len(out), len(want), st.Sessions)
			}
			for _, got := range out {
				w := want[got.ID]
				if got.Tokens != w.Tokens || got.MessageCount != w.MessageCount || got.Model != w.Model || got.ProjectPath != w.ProjectPath {
					t.Errorf("session %s:\n got tokens %+v count %d model %s path %s\nwant tokens %+v count %d model %s path %s",
						got.ID, got.Tokens, got.MessageCount, got.Model, got.ProjectPath, w.Tokens, w.MessageCount, w.Model, w.ProjectPath)
				}
			}
			if s := src.Stats(); s.LinesSkipped != 0 || s.BytesRead != st.Bytes || s.Lines != int64(st.Lines) {
				t.Errorf("stats %+v; generated %d bytes, %d lines", s, st.Bytes, st.Lines)
			}
		})
	}
}

// touchHalf sets every other transcript's modification time to now. The
// corpus dates every file in the past, past the active window, so the
// scan compacts each as it reads it (compactRead); touched, half keep
// their maps as a file being written does, and both paths are compared
// with the reference. It returns how many it left quiet.
func touchHalf(t *testing.T, root string) (quiet int) {
	t.Helper()
	now := time.Now()
	i := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".jsonl") {
			return err
		}
		if i++; i%2 == 0 {
			quiet++
			return nil
		}
		return os.Chtimes(path, now, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	return quiet
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}
