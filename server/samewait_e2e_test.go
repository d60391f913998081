package main

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// postHook sends one hook payload as `helmd hook` would.
func postHook(t *testing.T, base, body string) {
	t.Helper()
	resp, err := http.Post(base+"/api/hooks", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("hook: %d, want 202", resp.StatusCode)
	}
}

// TestOneWaitIsOneWait: what Claude Code tells of a wait that goes on (its
// Stop hook after the transcript showed the turn's end, the turn_duration
// line after it, the idle_prompt notification a minute later) neither
// moves when the wait began, which a page with notifications on takes
// for a new wait and notifies again, nor brings back into Needs you a
// session its user cleared. A new turn does both.
func TestOneWaitIsOneWait(t *testing.T) {
	const sid, other, cwd = "5a3e0000-0000-4000-8000-000000000001", "5a3e0000-0000-4000-8000-000000000002", "/home/dev/samewait"
	root := t.TempDir()
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "go", now.Add(-2*time.Minute)))
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_1", "end_turn", now.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(root, cwd, other), fixture.User(other, cwd, "other", now.Add(-time.Minute)))
	srv := startHelmd(t, root)
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	init := c.Next(t, 5*time.Second)
	s, _ := init.Has(sid)
	if s.Status != shared.StatusWaiting || s.WaitingSince == 0 {
		t.Fatalf("init: %s since %d, want waiting", s.Status, s.WaitingSince)
	}
	began := s.WaitingSince

	// barrier sends a hint about the other session and waits for it: what
	// the hints sent before it did to sid is on the stream by then (Run
	// takes hints in order and publishes each batch at once).
	flip := false
	barrier := func(what string) shared.Session {
		t.Helper()
		flip = !flip
		event, want := "UserPromptSubmit", shared.StatusWorking
		if flip {
			event, want = "Stop", shared.StatusWaiting
		}
		postHook(t, srv.URL, hookPayload(other, event, ""))
		c.Wait(t, 5*time.Second, what, ssetest.Of(shared.EventSessionUpdated, other, func(s shared.Session) bool { return s.Status == want }))
		l, _, _ := c.State()
		return l[string(shared.SourceClaude)+":"+sid]
	}
	check := func(what string, s shared.Session, cleared bool) {
		t.Helper()
		if s.Status != shared.StatusWaiting || s.WaitingSince != began || (s.ClearedAt > 0) != cleared {
			t.Errorf("%s: %s since %d, clearedAt %d; want the same wait, since %d, cleared %v", what, s.Status, s.WaitingSince, s.ClearedAt, began, cleared)
		}
	}

	postHook(t, srv.URL, hookPayload(sid, "Stop", `,"stop_hook_active":false`))
	check("after the Stop hook", barrier("the Stop hook"), false)

	fixture.Append(t, path, fixture.TurnDuration(sid, cwd, 5*time.Second, time.Now()))
	ev := c.Wait(t, 5*time.Second, "the turn_duration line", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.WorkMs > 0 }))
	s, _ = ev.Has(sid)
	check("after the turn_duration line", s, false)

	if got := post(t, srv.URL+"/api/sessions/claude/"+sid+"/clear", nil); got != http.StatusAccepted {
		t.Fatalf("clear: %d", got)
	}
	ev = c.Wait(t, 5*time.Second, "the clear", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.ClearedAt > 0 }))
	s, _ = ev.Has(sid)
	check("after the clear", s, true)

	postHook(t, srv.URL, hookPayload(sid, "Notification", `,"notification_type":"idle_prompt","message":"Claude is waiting for your input"`))
	check("after the idle_prompt notification", barrier("the idle_prompt notification"), true)
	for _, x := range srv.sessions(t) {
		if x.ID == sid {
			check("GET /api/sessions", x, true)
		}
	}

	// A new turn is a new wait: it shows again.
	fixture.Append(t, path, fixture.User(sid, cwd, "and now this", time.Now()))
	c.Wait(t, 5*time.Second, "the new prompt", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool {
		return s.Status == shared.StatusWorking && s.ClearedAt == 0
	}))
	postHook(t, srv.URL, hookPayload(sid, "Stop", ""))
	ev = c.Wait(t, 5*time.Second, "the new wait", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.Status == shared.StatusWaiting }))
	if s, _ = ev.Has(sid); s.ClearedAt != 0 || s.WaitingSince <= began {
		t.Errorf("the new wait: since %d, clearedAt %d; want a later start, not cleared", s.WaitingSince, s.ClearedAt)
	}
}

// TestClearIsOfTheWaitSeen: a page's clear names the wait it showed
// (?waitingSince=); a session that waits anew since, which a page seconds
// behind (polling, a hub) has not shown, is not cleared, and says why.
func TestClearIsOfTheWaitSeen(t *testing.T) {
	const sid, cwd = "5a3e0000-0000-4000-8000-000000000003", "/home/dev/seen"
	root := t.TempDir()
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "go", now.Add(-2*time.Minute)))
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_1", "end_turn", now.Add(-time.Minute)))
	srv := startHelmd(t, root)
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	s, _ := c.Next(t, 5*time.Second).Has(sid)
	if s.Status != shared.StatusWaiting || s.WaitingSince <= 0 {
		t.Fatalf("init: %s since %d, want waiting", s.Status, s.WaitingSince)
	}
	clear := func(query string) (int, string) {
		t.Helper()
		resp := request(t, http.MethodPost, srv.URL+"/api/sessions/claude/"+sid+"/clear"+query, nil)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		name, query string
		want        int
		says        string
	}{
		{"an earlier wait", "?waitingSince=" + strconv.FormatInt(s.WaitingSince-1, 10), http.StatusConflict, "waits again"},
		{"a number that is no time", "?waitingSince=-5", http.StatusBadRequest, "waitingSince"},
		{"words", "?waitingSince=soon", http.StatusBadRequest, "waitingSince"},
		{"two waits", "?waitingSince=1&waitingSince=2", http.StatusBadRequest, "waitingSince"},
	} {
		if code, body := clear(tc.query); code != tc.want || !strings.Contains(body, tc.says) {
			t.Errorf("%s: %d %s, want %d saying %q", tc.name, code, body, tc.want, tc.says)
		}
	}
	for _, x := range srv.sessions(t) {
		if x.ID == sid && x.ClearedAt != 0 {
			t.Fatalf("a refused clear cleared it: clearedAt %d", x.ClearedAt)
		}
	}
	if code, body := clear("?waitingSince=" + strconv.FormatInt(s.WaitingSince, 10)); code != http.StatusAccepted {
		t.Fatalf("the wait shown: %d %s, want 202", code, body)
	}
	c.Wait(t, 5*time.Second, "the clear", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.ClearedAt > 0 }))
}
