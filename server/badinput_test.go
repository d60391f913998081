package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

const (
	goodSID = "600d600d-0000-4000-8000-000000000001"
	badSID  = "bad0bad0-0000-4000-8000-000000000002"
	goodCwd = "/home/dev/good"
	badCwd  = "/home/dev/bad"
)

func claudeStats(t *testing.T, url string) claude.Stats {
	t.Helper()
	var doc struct{ Claude struct{ Stats claude.Stats } }
	resp, err := http.Get(url + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc.Claude.Stats
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBadInputIsSkippedAndCounted puts one kind of bad input beside a good
// session, before or after start, and checks that helmd keeps serving, the
// good session stays exactly right, and the status page counts what was
// skipped. (An unreadable folder needs a non-root process: see the e2e
// test TestUnreadableProjectFolder.)
func TestBadInputIsSkippedAndCounted(t *testing.T) {
	t.Parallel() // it mostly waits (debounces, quiet periods): beside the others that do
	now := time.Now()
	badPath := func(root string) string { return fixture.Path(root, badCwd, badSID) }
	tests := []struct {
		name   string
		before func(t *testing.T, root string) // bad input present at start
		after  func(t *testing.T, root string) // bad input arriving while serving
		check  func(t *testing.T, st claude.Stats, sessions []shared.Session)
		gone   string // when set, the bad session must leave the list: the failure message
	}{
		{name: "non-UTF-8 bytes", before: func(t *testing.T, root string) {
			line := strings.Replace(fixture.User(badSID, badCwd, "caf\u00e9 PLACEHOLDER", now), "PLACEHOLDER", "\xff\xfe", 1)
			writeFile(t, badPath(root), []byte(line+"\xff\xfe\xfd garbage\n"))
		}, check: func(t *testing.T, st claude.Stats, ss []shared.Session) {
			if st.LinesSkipped < 1 {
				t.Errorf("linesSkipped = %d, want the garbage line counted", st.LinesSkipped)
			}
			if bad, ok := find(ss, badSID); !ok || !utf8.ValidString(bad.Title) || !strings.HasPrefix(bad.Title, "café") {
				t.Errorf("the readable line should still make a session with a valid UTF-8 title: %+v", bad)
			}
		}},
		{name: "NUL and control characters", before: func(t *testing.T, root string) {
			writeFile(t, badPath(root), []byte("{\"type\":\"user\",\"x\":\"a\x00b\"}\n{\"type\":\"user\x01\"}\n\x00\x00\x00\n"+
				fixture.User(badSID, badCwd, "after the noise", now)))
		}, check: func(t *testing.T, st claude.Stats, ss []shared.Session) {
			// The NUL-only line is malformed; the record type with a control
			// character is unknown; a NUL inside an unneeded value is skipped over.
			if st.LinesSkipped < 1 || st.UnknownTypes < 1 {
				t.Errorf("linesSkipped = %d, unknownTypes = %d: want both counted", st.LinesSkipped, st.UnknownTypes)
			}
			if bad, ok := find(ss, badSID); !ok || bad.MessageCount != 1 || bad.Title != "after the noise" {
				t.Errorf("lines after the noise should count: %+v", bad)
			}
		}},
		{name: "a 50 MB single line", before: func(t *testing.T, root string) {
			big := `{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"` + badCwd + `","sessionId":"` + badSID +
				`","version":"2.1.90","type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"` +
				strings.Repeat(`line of output \"quoted\" \\ `, 50<<20/30) + `"}]},"uuid":"u-big","timestamp":"` + now.UTC().Format(time.RFC3339) + "\"}\n"
			writeFile(t, badPath(root), []byte(fixture.User(badSID, badCwd, "run the build", now)+big+fixture.Assistant(badSID, badCwd, "msg_1", "end_turn", now)))
		}, check: func(t *testing.T, st claude.Stats, ss []shared.Session) {
			if bad, ok := find(ss, badSID); !ok || bad.MessageCount != 2 || bad.Tokens.Output != 20 {
				t.Errorf("a huge tool_result line must be read, not skipped: %+v", bad)
			}
			if st.BytesRead < 50e6 {
				t.Errorf("bytesRead = %d, want the whole 50 MB line read", st.BytesRead)
			}
		}},
		{name: "deeply nested JSON", before: func(t *testing.T, root string) {
			deep := `{"type":"user","x":` + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + "}\n"
			writeFile(t, badPath(root), []byte(deep+fixture.User(badSID, badCwd, "still here", now)))
		}, check: func(t *testing.T, st claude.Stats, ss []shared.Session) {
			if st.LinesSkipped < 1 {
				t.Errorf("linesSkipped = %d, want the 200,000-deep line counted", st.LinesSkipped)
			}
			if bad, ok := find(ss, badSID); !ok || bad.Title != "still here" {
				t.Errorf("the line after the deep one should count: %+v", bad)
			}
		}},
		{name: "an empty file", before: func(t *testing.T, root string) {
			writeFile(t, badPath(root), nil)
		}, check: func(t *testing.T, st claude.Stats, ss []shared.Session) {
			if bad, ok := find(ss, badSID); ok {
				t.Errorf("an empty transcript is not a session yet: %+v", bad)
			}
			if st.Files < 2 {
				t.Errorf("files = %d: the empty transcript should still be followed", st.Files)
			}
		}},
		{name: "a file that is a directory", before: func(t *testing.T, root string) {
			if err := os.MkdirAll(badPath(root), 0o755); err != nil {
				t.Fatal(err)
			}
		}, check: func(t *testing.T, st claude.Stats, ss []shared.Session) {
			if _, ok := find(ss, badSID); ok {
				t.Error("a folder named like a transcript is not a session")
			}
			if st.SkippedPaths < 1 || !strings.Contains(st.LastError, "is a folder") {
				t.Errorf("skippedPaths = %d, lastError %q: want it counted and named", st.SkippedPaths, st.LastError)
			}
		}},
		{name: "a symlink loop under the root", before: func(t *testing.T, root string) {
			projects := filepath.Join(root, "projects")
			os.MkdirAll(projects, 0o755)
			must(t, os.Symlink(projects, filepath.Join(projects, "loop")))
			dir := filepath.Dir(badPath(root))
			os.MkdirAll(dir, 0o755)
			must(t, os.Symlink(badPath(root), badPath(root)))                            // a transcript linking to itself
			must(t, os.Symlink(dir, filepath.Join(dir, "0000aaaa-0000-4000-8000-0000"))) // a session folder linking up
		}, check: func(t *testing.T, st claude.Stats, ss []shared.Session) {
			if _, ok := find(ss, badSID); ok {
				t.Error("a self-linked transcript is not a session")
			}
		}},
		{name: "a file deleted between the event and the read", after: func(t *testing.T, root string) {
			for i := range 50 {
				p := badPath(root)
				fixture.Append(t, p, fixture.User(badSID, badCwd, "flash", now.Add(time.Duration(i)*time.Millisecond)))
				must(t, os.Remove(p))
			}
		}, gone: "a deleted transcript must not stay listed"},
		{name: "a project folder replaced by a file", after: func(t *testing.T, root string) {
			fixture.Append(t, badPath(root), fixture.User(badSID, badCwd, "soon gone", now))
			dir := filepath.Dir(badPath(root))
			must(t, os.RemoveAll(dir))
			writeFile(t, dir, []byte("not a folder"))
		}, gone: "sessions of a project folder replaced by a file must go"},
		{name: "sessions-index.json that is invalid JSON", before: func(t *testing.T, root string) {
			writeFile(t, filepath.Join(filepath.Dir(fixture.Path(root, goodCwd, goodSID)), "sessions-index.json"), []byte(`{"version":1,"entries":[{"sessionId":`))
		}},
		{name: "sessions-index.json that is huge", before: func(t *testing.T, root string) {
			entry := `{"sessionId":"` + goodSID + `","projectPath":"/elsewhere","firstPrompt":"` + strings.Repeat("z", 1000) + `"},`
			writeFile(t, filepath.Join(filepath.Dir(fixture.Path(root, goodCwd, goodSID)), "sessions-index.json"),
				[]byte(`{"version":1,"entries":[`+strings.Repeat(entry, 40000)+`{}]}`))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			fixture.Append(t, fixture.Path(root, goodCwd, goodSID), fixture.User(goodSID, goodCwd, "the good one", now)+
				fixture.Assistant(goodSID, goodCwd, "msg_good", "end_turn", now))
			if tc.before != nil {
				tc.before(t, root)
			}
			srv := startHelmd(t, root, "--debounce", "10ms")
			if tc.after != nil {
				tc.after(t, root)
				// A later, ordinary change marks the point where the bad input has been handled.
				const marker = "3a3a3a3a-0000-4000-8000-00000000beef"
				fixture.Append(t, fixture.Path(root, "/home/dev/marker", marker), fixture.User(marker, "/home/dev/marker", "marker", now))
				waitFor(t, "the marker session", func() bool { _, ok := find(srv.sessions(t), marker); return ok })
			}
			if tc.gone != "" {
				// A removal is not ordered with the marker (another
				// folder's events), so wait for it, with waitFor's deadline.
				waitFor(t, tc.gone, func() bool { _, ok := find(srv.sessions(t), badSID); return !ok })
			}
			resp, err := http.Get(srv.URL + "/healthz")
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("helmd stopped serving: %v", err)
			}
			resp.Body.Close()
			sessions := srv.sessions(t)
			good, ok := find(sessions, goodSID)
			if !ok || good.Title != "the good one" || good.MessageCount != 2 || good.ProjectPath != goodCwd || good.Tokens.Output != 20 {
				t.Fatalf("the good session changed: %+v (listed %v)", good, ok)
			}
			if tc.check != nil {
				tc.check(t, claudeStats(t, srv.URL), sessions)
			}
		})
	}
}

func find(ss []shared.Session, id string) (shared.Session, bool) {
	for _, s := range ss {
		if s.ID == id {
			return s, true
		}
	}
	return shared.Session{}, false
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
