package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

func TestMain(m *testing.M) {
	// The test binary as helmd itself, main and all, for a test that
	// needs the process (asHelmd).
	if args, ok := os.LookupEnv(asHelmdEnv); ok {
		os.Args = append([]string{"helmd"}, strings.Split(args, "\n")...)
		main()
		os.Exit(0)
	}
	// helmd ls fits its table to COLUMNS when that is set: the tests that
	// read the table must not depend on the shell they were started from.
	os.Unsetenv("COLUMNS")
	goleak.VerifyTestMain(m,
		// The Go HTTP client keeps idle connections' goroutines around briefly.
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
	)
}

// TestFileChangesReachTheStream walks a session's whole life on disk,
// starting before ~/.claude/projects even exists, and checks each step
// reaches a stream client as the right event with the right Session.
func TestFileChangesReachTheStream(t *testing.T) {
	root := t.TempDir()
	srv := startHelmd(t, root, "--debounce", "50ms")
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	if ev := c.Next(t, 5*time.Second); ev.Type != "init" {
		t.Fatalf("first event %q, want init", ev.Type)
	}

	const sid = "3f2c1a9e-7b4d-4c1e-9a55-0d6e2f8b1c77"
	cwd := "/home/dev/my app_v2.0/données"
	path := filepath.Join(root, "projects", "-home-dev-my-app-v2-0-donn-es", sid+".jsonl")
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "Fix the flaky login test", now))

	ev := c.Wait(t, 5*time.Second, "session-created", ssetest.Of("session-created", sid, nil))
	s, _ := ev.Has(sid)
	if s.ProjectPath != cwd || s.ProjectName != "données" || s.Title != "Fix the flaky login test" || s.MessageCount != 1 || s.Source != shared.SourceClaude {
		t.Fatalf("created session = %+v", s)
	}
	if !strings.Contains(ev.ID, "-") {
		t.Fatalf("event id %q is not <epoch>-<seq>", ev.ID)
	}

	// An assistant line written in two pieces: only the completed line counts.
	line := fixture.Assistant(sid, cwd, "msg_1", "end_turn", now.Add(time.Second))
	fixture.Append(t, path, line[:40])
	fixture.Append(t, path, line[40:])
	ev = c.Wait(t, 5*time.Second, "update to 2 messages", ssetest.Of("session-updated", sid, func(s shared.Session) bool { return s.MessageCount == 2 }))
	if s, _ := ev.Has(sid); s.Tokens.Output != 20 || s.Status != shared.StatusWaiting {
		t.Fatalf("after the reply: %+v", s)
	}

	// Truncated and rewritten: read again from the start.
	if err := os.WriteFile(path, []byte(fixture.User(sid, cwd, "Start over", now.Add(2*time.Second))), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Wait(t, 5*time.Second, "update after truncation", ssetest.Of("session-updated", sid, func(s shared.Session) bool { return s.MessageCount == 1 && s.Tokens.Output == 0 }))

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	c.Wait(t, 5*time.Second, "session-deleted", ssetest.Of("session-deleted", sid, nil))

	// A whole project folder removed takes its sessions with it.
	const sid2 = "9b7a3c1d-0000-4000-8000-00000000abcd"
	dir2 := filepath.Join(root, "projects", "-srv-api")
	fixture.Append(t, filepath.Join(dir2, sid2+".jsonl"), fixture.User(sid2, "/srv/api", "Add an endpoint", now))
	c.Wait(t, 5*time.Second, "second session created", ssetest.Of("session-created", sid2, nil))
	if err := os.RemoveAll(dir2); err != nil {
		t.Fatal(err)
	}
	c.Wait(t, 5*time.Second, "project folder deletion", ssetest.Of("session-deleted", sid2, nil))
	if got := srv.sessions(t); len(got) != 0 {
		t.Fatalf("REST still lists %d sessions", len(got))
	}

	var st struct {
		Watcher struct {
			Roots []struct{ Path, Mode string }
		}
		Stream struct{ Clients int }
	}
	resp, err := http.Get(srv.URL + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if len(st.Watcher.Roots) == 0 || st.Watcher.Roots[0].Mode != "fsnotify" {
		t.Fatalf("status watcher = %+v", st.Watcher)
	}
}

// TestRefreshSendsEverySession: POST refresh answers 202 and every client
// then gets a refresh event with the whole list.
func TestRefreshSendsEverySession(t *testing.T) {
	root := t.TempDir()
	const sid = "5e1d2c3b-aaaa-4bbb-8ccc-000000000001"
	fixture.Append(t, filepath.Join(root, "projects", "-w", sid+".jsonl"), fixture.User(sid, "/w", "hello", time.Now()))
	srv := startHelmd(t, root)
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	resp, err := http.Post(srv.URL+"/api/sessions/refresh", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("refresh: %d", resp.StatusCode)
	}
	c.Wait(t, 5*time.Second, "refresh with the session", func(ev ssetest.Event) bool {
		_, ok := ev.Has(sid)
		return ev.Type == "refresh" && ok && len(ev.Data.Sessions) == 1
	})
}

// TestLinkedProjectFolderIsFollowed: a project folder that is a link to
// a folder elsewhere (dotfiles, another disk), made while helmd runs, is
// listed at once and followed live like any other.
func TestLinkedProjectFolderIsFollowed(t *testing.T) {
	const sid, cwd = "1111ced0-0000-4000-8000-000000000001", "/home/dev/linked"
	root, elsewhere := t.TempDir(), t.TempDir()
	target := filepath.Join(elsewhere, "project")
	path := filepath.Join(target, sid+".jsonl")
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "linked prompt", now))
	if err := os.MkdirAll(filepath.Join(root, "projects"), 0o755); err != nil {
		t.Fatal(err)
	}
	srv := startHelmd(t, root)
	if err := os.Symlink(target, filepath.Dir(fixture.Path(root, cwd, sid))); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		for _, s := range srv.sessions(t) {
			if s.ID == sid {
				return s.MessageCount
			}
		}
		return 0
	}
	waitFor(t, "the linked project's session", func() bool { return count() == 1 })
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_1", "end_turn", now.Add(time.Second)))
	waitFor(t, "the answer written in the linked folder", func() bool { return count() == 2 })
}

// TestLinkedTranscriptFileIsFollowed: a transcript that is a link to a
// file elsewhere is read at the scan, and followed live as the file it
// names: what is written to the target reaches the list at once, not at
// the next refresh. So is one linked in while helmd runs.
func TestLinkedTranscriptFileIsFollowed(t *testing.T) {
	const cwd = "/home/dev/linkedfile"
	const early, late = "2222ced0-0000-4000-8000-000000000001", "2222ced0-0000-4000-8000-000000000002"
	root, elsewhere := t.TempDir(), t.TempDir()
	now := time.Now()
	for _, sid := range []string{early, late} {
		fixture.Append(t, filepath.Join(elsewhere, sid+".jsonl"), fixture.User(sid, cwd, "linked prompt", now))
	}
	if err := os.MkdirAll(filepath.Dir(fixture.Path(root, cwd, early)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(elsewhere, early+".jsonl"), fixture.Path(root, cwd, early)); err != nil {
		t.Fatal(err)
	}
	srv := startHelmd(t, root)
	count := func(sid string) func() int {
		return func() int {
			for _, s := range srv.sessions(t) {
				if s.ID == sid {
					return s.MessageCount
				}
			}
			return 0
		}
	}
	waitFor(t, "the linked session", func() bool { return count(early)() == 1 })
	fixture.Append(t, filepath.Join(elsewhere, early+".jsonl"), fixture.Assistant(early, cwd, "msg_1", "end_turn", now.Add(time.Second)))
	waitFor(t, "the answer written to the link's target", func() bool { return count(early)() == 2 })

	if err := os.Symlink(filepath.Join(elsewhere, late+".jsonl"), fixture.Path(root, cwd, late)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the session linked in later", func() bool { return count(late)() == 1 })
	fixture.Append(t, filepath.Join(elsewhere, late+".jsonl"), fixture.Assistant(late, cwd, "msg_2", "end_turn", now.Add(time.Second)))
	waitFor(t, "the answer written to the later link's target", func() bool { return count(late)() == 2 })

	// The target moved away and back: the link is let go when it
	// dangles, and nothing in the tree tells of the return. A refresh
	// reads the session again and follows the link from then on.
	target, away := filepath.Join(elsewhere, early+".jsonl"), filepath.Join(elsewhere, "away")
	if err := os.Rename(target, away); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the session of the dangling link gone", func() bool { return count(early)() == 0 })
	if err := os.Rename(away, target); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL+"/api/sessions/refresh", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, "the session back after a refresh", func() bool { return count(early)() == 2 })
	fixture.Append(t, target, fixture.User(early, cwd, "and again", now.Add(2*time.Second)))
	waitFor(t, "a write to the returned target, live", func() bool { return count(early)() == 3 })
}
