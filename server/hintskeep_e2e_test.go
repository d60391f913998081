package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// sessionOf is the session id as GET /api/sessions lists it.
func sessionOf(t *testing.T, srv *testServer, id string) (shared.Session, bool) {
	t.Helper()
	for _, s := range srv.sessions(t) {
		if s.ID == id {
			return s, true
		}
	}
	return shared.Session{}, false
}

// hintBarrier sends a hint about another listed session and waits for the
// stream to carry it: Run takes hints in order and publishes each batch
// at once, so what the hints sent before it did is published by then.
type hintBarrier struct {
	t     *testing.T
	url   string
	c     *ssetest.Client
	other string
	flip  bool
}

func (b *hintBarrier) wait(what string) {
	b.t.Helper()
	b.flip = !b.flip
	event, want := "UserPromptSubmit", shared.StatusWorking
	if b.flip {
		event, want = "Stop", shared.StatusWaiting
	}
	postHook(b.t, b.url, hookPayload(b.other, event, ""))
	b.c.Wait(b.t, 10*time.Second, what, ssetest.Of(shared.EventSessionUpdated, b.other, func(s shared.Session) bool { return s.Status == want }))
}

// TestStopAfterSessionEnd: a Stop hook that reaches helmd after the
// session's SessionEnd (a slow hook of the process that ended) does not
// put the ended session in "Needs you", nor does a late prompt's hook
// show it working, even after a resume (SessionStart); a session resumed
// waits again as usual.
func TestStopAfterSessionEnd(t *testing.T) {
	const sid, other, cwd = "e4d00000-0000-4000-8000-000000000001", "e4d00000-0000-4000-8000-000000000002", "/home/dev/ended"
	root := t.TempDir()
	now := time.Now()
	fixture.Append(t, fixture.Path(root, cwd, sid), fixture.User(sid, cwd, "go", now.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(root, cwd, other), fixture.User(other, cwd, "other", now.Add(-time.Minute)))
	srv := startHelmd(t, root)
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	c.Next(t, 5*time.Second)
	b := &hintBarrier{t: t, url: srv.URL, c: c, other: other}

	postHook(t, srv.URL, hookPayload(sid, "SessionEnd", `,"reason":"exit"`))
	c.Wait(t, 5*time.Second, "the SessionEnd", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool {
		return s.Status == shared.StatusIdle && !s.Active
	}))
	postHook(t, srv.URL, hookPayload(sid, "Stop", `,"stop_hook_active":false`))
	b.wait("the late Stop")
	if s, _ := sessionOf(t, srv, sid); s.Status != shared.StatusIdle || s.Active || shared.NeedsYou(&s) {
		t.Errorf("a Stop after SessionEnd: %s %q, active %v; want the ended session idle, not in Needs you", s.Status, s.WaitingFor, s.Active)
	}
	postHook(t, srv.URL, hookPayload(sid, "UserPromptSubmit", `,"prompt":"go"`))
	b.wait("the late prompt")
	if s, _ := sessionOf(t, srv, sid); s.Status != shared.StatusIdle || s.Active {
		t.Errorf("a prompt's hook after SessionEnd, nothing written since: %s, active %v; want the ended session idle", s.Status, s.Active)
	}

	// Resumed: its process runs again, and its Stop is a wait. The ended
	// process's prompt hook, later still, does not show it working.
	postHook(t, srv.URL, hookPayload(sid, "SessionStart", `,"source":"resume"`))
	postHook(t, srv.URL, hookPayload(sid, "UserPromptSubmit", `,"prompt":"go"`))
	b.wait("the prompt after the resume")
	if s, _ := sessionOf(t, srv, sid); s.Status == shared.StatusWorking || !s.Active {
		t.Errorf("the ended process's prompt hook after the resume, nothing written since: %s, active %v; want the resumed session at its prompt", s.Status, s.Active)
	}
	postHook(t, srv.URL, hookPayload(sid, "Stop", `,"stop_hook_active":false`))
	c.Wait(t, 5*time.Second, "the resumed session's Stop", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool {
		return s.Status == shared.StatusWaiting && s.Active
	}))
}

// TestUnlistedHintsKeepListedOnes: hints for more session ids than the
// overlay holds, none of them a session helmd lists (another machine's,
// or made up by a caller with the token), do not push out the wait a
// hook told of a listed session.
func TestUnlistedHintsKeepListedOnes(t *testing.T) {
	const sid, other, cwd = "0b5e0000-0000-4000-8000-000000000001", "0b5e0000-0000-4000-8000-000000000002", "/home/dev/unlisted"
	root := t.TempDir()
	now := time.Now()
	path := fixture.Path(root, cwd, sid)
	fixture.Append(t, path, fixture.User(sid, cwd, "build it", now.Add(-time.Minute)))
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_1", "tool_use", now.Add(-30*time.Second)))
	fixture.Append(t, fixture.Path(root, cwd, other), fixture.User(other, cwd, "other", now.Add(-time.Minute)))
	srv := startHelmd(t, root)
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	c.Next(t, 5*time.Second)
	b := &hintBarrier{t: t, url: srv.URL, c: c, other: other}

	postHook(t, srv.URL, hookPayload(sid, "PermissionRequest", `,"tool_name":"Bash"`))
	c.Wait(t, 5*time.Second, "the permission prompt", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool {
		return s.WaitingFor == "permission: Bash"
	}))

	// One client, its connections kept: thousands of hooks, each answered
	// and read to the end.
	client := &http.Client{Timeout: 10 * time.Second}
	const strangers = 4096 + 10
	for i := range strangers {
		body := hookPayload(fmt.Sprintf("f0e1%04x-0000-4000-8000-%012x", i, i), "Stop", "")
		resp, err := client.Post(srv.URL+"/api/hooks", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("hook %d: %d", i, resp.StatusCode)
		}
		if i%512 == 511 { // the inbox holds 1,024: let Run take them before it fills
			b.wait(fmt.Sprintf("the hooks up to %d", i))
		}
	}
	b.wait("the last hooks")
	var status struct {
		Scan struct{ SignalsDropped int }
	}
	getJSON(t, srv.URL+"/api/status", &status)
	if status.Scan.SignalsDropped != 0 {
		t.Fatalf("%d hints dropped: the test did not send what it meant to", status.Scan.SignalsDropped)
	}
	if s, _ := sessionOf(t, srv, sid); s.Status != shared.StatusWaiting || s.WaitingFor != "permission: Bash" {
		t.Errorf("after %d hints for unlisted ids the listed session shows %s %q; want its permission prompt", strangers, s.Status, s.WaitingFor)
	}
}

// TestHintsKeptAcrossARestart: a permission prompt known only from a hook
// (the transcript shows a tool call, nothing more) is still in "Needs
// you" after helmd restarts, as the same wait: the same start, and the
// hook telling of it again sends no second Web Push. The file it is kept
// in is the user's alone.
func TestHintsKeptAcrossARestart(t *testing.T) {
	const sid, other, cwd = "7e57a000-0000-4000-8000-000000000001", "7e57a000-0000-4000-8000-000000000002", "/home/dev/restart"
	root, cache := t.TempDir(), t.TempDir()
	now := time.Now()
	path := fixture.Path(root, cwd, sid)
	fixture.Append(t, path, fixture.User(sid, cwd, "clean up", now.Add(-time.Minute)))
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_1", "tool_use", now.Add(-30*time.Second)))
	fixture.Append(t, fixture.Path(root, cwd, other), fixture.User(other, cwd, "other", now.Add(-time.Minute)))
	args := []string{"--cache-dir", cache, "--push-subject", "mailto:ops@helm-test.org"}
	srv := startHelmd(t, root, args...)
	if s, _ := sessionOf(t, srv, sid); s.Status != shared.StatusWorking {
		t.Fatalf("before the hook: %s, want working (a tool call without its result)", s.Status)
	}
	postHook(t, srv.URL, hookPayload(sid, "PermissionRequest", `,"tool_name":"Bash"`))
	var before shared.Session
	waitFor(t, "the permission prompt", func() bool {
		before, _ = sessionOf(t, srv, sid)
		return before.WaitingFor == "permission: Bash"
	})
	if pushStatusOf(t, srv.URL).Notified != 1 {
		t.Fatalf("push status %+v, want one notification for the prompt", pushStatusOf(t, srv.URL))
	}

	srv.stop(t)
	if st, err := os.Stat(filepath.Join(cache, "hints.json")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("hints.json: %v, mode %v; want a 0600 file", err, st)
	}
	srv = startHelmd(t, root, args...)
	after, _ := sessionOf(t, srv, sid)
	if after.Status != shared.StatusWaiting || after.WaitingFor != before.WaitingFor || after.WaitingSince != before.WaitingSince || !shared.NeedsYou(&after) {
		t.Fatalf("after a restart: %s %q since %d; want %s %q since %d, in Needs you",
			after.Status, after.WaitingFor, after.WaitingSince, before.Status, before.WaitingFor, before.WaitingSince)
	}

	// Claude Code tells of the prompt again (its Notification six seconds
	// on): the same wait, no second push. The other session's wait,
	// told after it, is the barrier: its push is counted once the first
	// hook's is, if there is one.
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	c.Next(t, 5*time.Second)
	postHook(t, srv.URL, hookPayload(sid, "Notification", `,"notification_type":"permission_prompt","message":"Claude needs your permission to use Bash"`))
	(&hintBarrier{t: t, url: srv.URL, c: c, other: other}).wait("the other session's Stop")
	if n := pushStatusOf(t, srv.URL).Notified; n != 1 {
		t.Errorf("%d pushes after the restart, want 1 (the other session's): the prompt told again was taken for a new wait", n)
	}
	// Told again more vaguely ("permission prompt"): the row still names
	// the tool.
	if s, _ := sessionOf(t, srv, sid); s.WaitingSince != before.WaitingSince || s.WaitingFor != before.WaitingFor {
		t.Errorf("told again after the restart: %q since %d, want %q since %d", s.WaitingFor, s.WaitingSince, before.WaitingFor, before.WaitingSince)
	}
}
