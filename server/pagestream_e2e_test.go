package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/server/api"
	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/tail"
	"vibecraft.sh/helm/server/transcript"
	"vibecraft.sh/helm/shared"
)

// pageEvent waits for the next event of a page stream that is neither a
// keepalive nor one of the header's (session, gone), and decodes its data
// as a page when it is one.
func pageEvent(t *testing.T, c *ssetest.Client) (ssetest.Event, shared.MessagePage) {
	t.Helper()
	ev := c.Next(t, 5*time.Second) // keepalives skipped
	for ev.Type == "session" || ev.Type == "gone" {
		ev = c.Next(t, 5*time.Second)
	}
	var page shared.MessagePage
	if ev.Type == "messages" {
		if err := json.Unmarshal([]byte(ev.Raw), &page); err != nil {
			t.Fatalf("messages data %q: %v", ev.Raw, err)
		}
	}
	return ev, page
}

// followFromLastPage reads a Claude session's last page, as its page
// does on opening, and follows its stream from that page's end.
func followFromLastPage(t *testing.T, base, sid string) (*ssetest.Client, shared.MessagePage) {
	t.Helper()
	var page shared.MessagePage
	getJSON(t, base+"/api/sessions/claude/"+sid+"/messages", &page)
	return ssetest.Connect(t, streamURL(base, "claude", sid, page.After), ""), page
}

func streamURL(base, src, sid, after string) string {
	return base + "/api/sessions/" + src + "/" + sid + "/messages/stream?after=" + url.QueryEscape(after)
}

// TestPageStreamFollowsAppends: a page stream sends what is written after
// its cursor, as the after= page, with the page's after as its id; a
// reconnect with Last-Event-ID resumes from there.
func TestPageStreamFollowsAppends(t *testing.T) {
	root := t.TempDir()
	const sid = "5e55a0e0-0000-4000-8000-0000000000a1"
	cwd := "/home/dev/webapp"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "first prompt", now))
	srv := startHelmd(t, root)

	c, page := followFromLastPage(t, srv.URL, sid)
	if ct := c.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") || c.Header.Get("Cache-Control") == "" {
		t.Fatalf("headers: %v", c.Header)
	}
	// On connect: the after= page at once, for what was written between
	// the page load and the stream.
	ev, got := pageEvent(t, c)
	if ev.Type != "messages" || ev.Retry != "" && ev.Retry != "3000" || len(got.Messages) != 1 || ev.ID != got.After || got.After != page.After {
		t.Fatalf("first event %q id %q: %+v", ev.Type, ev.ID, got)
	}

	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_a1", "end_turn", now.Add(time.Second)))
	ev, got = pageEvent(t, c)
	if ev.Type != "messages" || len(got.Messages) != 2 || got.Messages[1].Role != "assistant" || ev.ID != got.After || got.Messages[0].Cursor != page.After {
		t.Fatalf("after the append: %q id %q: %+v", ev.Type, ev.ID, got)
	}
	// Nothing identical is sent again: a write to another session's file
	// in the same folder pokes nothing here.
	fixture.Append(t, fixture.Path(root, cwd, "5e55a0e0-0000-4000-8000-0000000000ff"), fixture.User("x", cwd, "other", now))

	// Resume with Last-Event-ID: it wins over the after= the page was
	// opened with, so only the last message comes (again) and what follows.
	c2 := ssetest.Connect(t, streamURL(srv.URL, "claude", sid, page.After), ev.ID)
	ev2, got2 := pageEvent(t, c2)
	if ev2.Type != "messages" || len(got2.Messages) != 1 || got2.Messages[0].Role != "assistant" {
		t.Fatalf("resumed: %q: %+v", ev2.Type, got2)
	}
	fixture.Append(t, path, fixture.User(sid, cwd, "second prompt", now.Add(2*time.Second)))
	for _, cl := range []*ssetest.Client{c, c2} {
		ev, got := pageEvent(t, cl)
		last := got.Messages[len(got.Messages)-1]
		if ev.Type != "messages" || last.Role != "user" || last.Blocks[0].Text != "second prompt" {
			t.Fatalf("second append: %q: %+v", ev.Type, got)
		}
	}
}

// TestPageStreamReset: a transcript rewritten under an open stream, and a
// cursor of another file, give a reset event naming the new end, and the
// stream then goes on from there.
func TestPageStreamReset(t *testing.T) {
	root := t.TempDir()
	const sid, other = "5e55a0e0-0000-4000-8000-0000000000a3", "5e55a0e0-0000-4000-8000-0000000000a4"
	cwd := "/home/dev/webapp"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "before the rewrite", now)+fixture.Assistant(sid, cwd, "msg_r1", "end_turn", now))
	fixture.Append(t, fixture.Path(root, cwd, other), fixture.User(other, cwd, "another session", now))
	srv := startHelmd(t, root)

	c, _ := followFromLastPage(t, srv.URL, sid)
	pageEvent(t, c)
	// Rewritten as a new file renamed over the old one (one step, so the
	// reset names the new file's end, which the reload then gets).
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(fixture.User(sid, cwd, "rewritten", now.Add(time.Second))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	ev, _ := pageEvent(t, c)
	var reset struct{ Reason, After string }
	if err := json.Unmarshal([]byte(ev.Raw), &reset); ev.Type != "reset" || err != nil || reset.After == "" || ev.ID != reset.After {
		t.Fatalf("after the rewrite: %q id %q data %s", ev.Type, ev.ID, ev.Raw)
	}
	var reload shared.MessagePage
	getJSON(t, srv.URL+"/api/sessions/claude/"+sid+"/messages", &reload)
	if reload.After != reset.After {
		t.Fatalf("the reloaded last page ends at %q, the reset at %q", reload.After, reset.After)
	}
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_r2", "end_turn", now.Add(2*time.Second)))
	ev, got := pageEvent(t, c)
	if ev.Type != "messages" || len(got.Messages) != 2 || got.Messages[0].Blocks[0].Text != "rewritten" || got.Messages[1].Role != "assistant" {
		t.Fatalf("after the reset: %q %+v", ev.Type, got)
	}

	// Truncated in place: a reset; what is written next follows it.
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	if ev, _ := pageEvent(t, c); ev.Type != "reset" {
		t.Fatalf("after a truncation: %q %s", ev.Type, ev.Raw)
	}
	fixture.Append(t, path, fixture.User(sid, cwd, "after the truncation", now.Add(3*time.Second)))
	ev, got = pageEvent(t, c)
	if ev.Type != "messages" || len(got.Messages) != 1 || got.Messages[0].Blocks[0].Text != "after the truncation" {
		t.Fatalf("after the truncation and an append: %q %+v", ev.Type, got)
	}

	// The truncation took the session off the list until its next complete
	// line is read there; the page's endpoints read the file itself
	// meanwhile (api: pageSession). Listed with the line written after
	// the truncation, not still listed as before it: the list may not
	// have dropped it yet.
	waitFor(t, "the session listed again", func() bool {
		s, ok := find(srv.sessions(t), sid)
		return ok && s.FirstPrompt == "after the truncation"
	})

	// A cursor of another transcript, forged into ?after=: a reset, never
	// a page of this file read from that offset.
	var otherPage shared.MessagePage
	getJSON(t, srv.URL+"/api/sessions/claude/"+other+"/messages", &otherPage)
	c2 := ssetest.Connect(t, streamURL(srv.URL, "claude", sid, otherPage.After), "")
	if ev, _ := pageEvent(t, c2); ev.Type != "reset" {
		t.Fatalf("a foreign cursor: %q %s", ev.Type, ev.Raw)
	}
}

// TestPageStreamGone: a transcript deleted under an open page stream
// takes its session off the list, and the stream says so with a gone
// event: the page would otherwise go on showing the session as current.
// Written back, the session is listed again and sent again.
func TestPageStreamGone(t *testing.T) {
	root := t.TempDir()
	const sid = "5e55a0e0-0000-4000-8000-0000000000a6"
	cwd := "/home/dev/webapp"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	body := fixture.User(sid, cwd, "soon deleted", now) + fixture.Assistant(sid, cwd, "msg_g1", "end_turn", now)
	fixture.Append(t, path, body)
	srv := startHelmd(t, root)

	c, _ := followFromLastPage(t, srv.URL, sid)
	isType := func(typ string) func(ssetest.Event) bool { return func(e ssetest.Event) bool { return e.Type == typ } }
	c.Wait(t, 5*time.Second, "session event at the start", isType("session"))
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	ev := c.Wait(t, 5*time.Second, "gone event after the deletion", isType("gone"))
	var gone struct{ Reason string }
	if err := json.Unmarshal([]byte(ev.Raw), &gone); err != nil || gone.Reason == "" || ev.ID != "" {
		t.Fatalf("gone: id %q data %s", ev.ID, ev.Raw)
	}
	fixture.Append(t, path, body)
	ev = c.Wait(t, 5*time.Second, "session event after the transcript came back", isType("session"))
	var s shared.Session
	if err := json.Unmarshal([]byte(ev.Raw), &s); err != nil || s.ID != sid {
		t.Fatalf("back: %s", ev.Raw)
	}
}

// TestPageStreamNotGoneWhileRewritten: a transcript rewritten in place
// holds no line for a moment, and the list leaves its session out until
// it reads the file again; helmd still has the transcript, so the open
// page is not told the session is gone (it said "deleted or moved"
// until the list had it back), and it hears of the new content.
func TestPageStreamNotGoneWhileRewritten(t *testing.T) {
	root := t.TempDir()
	const sid = "5e55a0e0-0000-4000-8000-0000000000ab"
	cwd := "/home/dev/webapp"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "first take", now)+fixture.Assistant(sid, cwd, "msg_r1", "end_turn", now))
	srv := startHelmd(t, root, "--debounce", "50ms")

	c, _ := followFromLastPage(t, srv.URL, sid)
	sessionEvent(t, c, "the header at the start", func(s shared.Session) bool { return s.ID == sid })
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the list to leave the emptied session out", func() bool {
		_, listed := find(srv.sessions(t), sid)
		return !listed
	})
	fixture.Append(t, path, fixture.User(sid, cwd, "second take", now)+fixture.Assistant(sid, cwd, "msg_r2", "end_turn", now)+
		fixture.User(sid, cwd, "and more", now))
	var seen []string
	c.Wait(t, 5*time.Second, "the header of the rewritten session", func(e ssetest.Event) bool {
		seen = append(seen, e.Type)
		var s shared.Session
		return e.Type == "session" && json.Unmarshal([]byte(e.Raw), &s) == nil && s.MessageCount == 3
	})
	if slices.Contains(seen, "gone") {
		t.Fatalf("the page was told its session is gone while helmd had its transcript: events %v", seen)
	}
}

// TestPageStreamGoneLeavingSubagents: a session's transcript deleted
// while its subagents' files stay. The list keeps the session, from those
// files ("Subagent: …"), but helmd no longer has its transcript: its
// detail and pages answer 404, and its page's stream says gone, as when
// nothing is left; written back, the session is sent again.
func TestPageStreamGoneLeavingSubagents(t *testing.T) {
	root := t.TempDir()
	const sid = "5e55a0e0-0000-4000-8000-0000000000aa"
	cwd := "/home/dev/webapp"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	body := fixture.User(sid, cwd, "delegate, then go", now) + fixture.Assistant(sid, cwd, "msg_o1", "end_turn", now)
	fixture.Append(t, path, body)
	sub := filepath.Join(strings.TrimSuffix(path, ".jsonl"), "subagents", "agent-a7b8c9.jsonl")
	fixture.Append(t, sub, fixture.User(sid, cwd, "look around", now)+fixture.Assistant(sid, cwd, "msg_o2", "end_turn", now))
	srv := startHelmd(t, root, "--debounce", "50ms")

	c, _ := followFromLastPage(t, srv.URL, sid)
	sessionEvent(t, c, "the header at the start", func(s shared.Session) bool { return s.ID == sid })
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	c.Wait(t, 5*time.Second, "gone after the deletion", func(e ssetest.Event) bool { return e.Type == "gone" })
	// What the stream says is what the rest says.
	resp, err := http.Get(srv.URL + "/api/sessions/claude/" + sid)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the detail answers %d, want 404", resp.StatusCode)
	}
	if _, listed := find(srv.sessions(t), sid); !listed {
		t.Error("the session left the list: this test is about one the list keeps")
	}
	fixture.Append(t, path, body)
	sessionEvent(t, c, "the session again once its transcript is back", func(s shared.Session) bool {
		return s.ID == sid && !strings.HasPrefix(s.Title, "Subagent: ")
	})
}

// TestPageStreamRefusals: what a stream request can get wrong is a 4xx
// before any event, and the cap is a 503 with Retry-After.
func TestPageStreamRefusals(t *testing.T) {
	root := t.TempDir()
	const sid = "5e55a0e0-0000-4000-8000-0000000000a5"
	cwd := "/home/dev/webapp"
	fixture.Append(t, fixture.Path(root, cwd, sid), fixture.User(sid, cwd, "hi", time.Now()))
	srv := startHelmd(t, root)
	base := srv.URL + "/api/sessions/claude/"
	cases := []struct {
		name, url, lastID string
		want              int
	}{
		{"unknown session", base + "5e55a0e0-0000-4000-8000-00000000dead/messages/stream", "", 404},
		{"malformed id", base + "..%2F..%2Fetc/messages/stream", "", 400},
		{"unknown source", srv.URL + "/api/sessions/cursor/" + sid + "/messages/stream", "", 400},
		{"garbage cursor", base + sid + "/messages/stream?after=%3Cscript%3E", "", 400},
		{"garbage Last-Event-ID", base + sid + "/messages/stream", "AAAAAAAAAAAAAAAA", 400},
		{"an OpenCode cursor", base + sid + "/messages/stream?after=AW1tc2dfMQ", "", 400},
		{"before=", base + sid + "/messages/stream?before=AAAA", "", 400},
		{"unknown subagent", base + sid + "/messages/stream?agent=a1b2c3", "", 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, status, err := ssetest.Dial(tc.url, tc.lastID, nil)
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
			if status != tc.want {
				t.Fatalf("status %d, want %d", status, tc.want)
			}
		})
	}

	// The cap: 64 open pages, the 65th is told to come back later.
	var open []*ssetest.Client
	for range 64 {
		c := ssetest.Connect(t, streamURL(srv.URL, "claude", sid, ""), "")
		pageEvent(t, c) // served, not merely accepted
		open = append(open, c)
	}
	var st struct{ PageStreams int }
	getJSON(t, srv.URL+"/api/status", &st)
	if st.PageStreams != 64 {
		t.Errorf("status reports %d page streams, want 64", st.PageStreams)
	}
	c, status, err := ssetest.Dial(streamURL(srv.URL, "claude", sid, ""), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if status != http.StatusServiceUnavailable || c.Header.Get("Retry-After") == "" {
		t.Fatalf("the 65th stream: %d, Retry-After %q", status, c.Header.Get("Retry-After"))
	}
	open[0].Close()
	waitFor(t, "a freed slot", func() bool {
		c, status, err := ssetest.Dial(streamURL(srv.URL, "claude", sid, ""), "", nil)
		if err == nil {
			c.Close()
		}
		return status == http.StatusOK
	})
}

// TestPageStreamEndsAtShutdown: a quiet page stream gets keepalives (no
// id: they move no cursor), and stopping helmd ends it (run returns only
// once it has: stop fails the test otherwise).
func TestPageStreamEndsAtShutdown(t *testing.T) {
	root := t.TempDir()
	const sid = "5e55a0e0-0000-4000-8000-0000000000a6"
	cwd := "/home/dev/webapp"
	fixture.Append(t, fixture.Path(root, cwd, sid), fixture.User(sid, cwd, "hi", time.Now()))
	srv := startHelmd(t, root, "--keepalive", "50ms")
	c := ssetest.Connect(t, streamURL(srv.URL, "claude", sid, ""), "")
	pageEvent(t, c)
	// (The header's session event, sent once at the start, is not quiet.)
	if ev := c.Wait(t, 5*time.Second, "a keepalive", func(ev ssetest.Event) bool { return ev.Type != "session" }); ev.Type != "keepalive" || ev.ID != "" {
		t.Fatalf("a quiet stream sent %q id %q", ev.Type, ev.ID)
	}
	srv.stop(t)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-c.Events:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("the page stream outlived helmd")
		}
	}
}

// TestPageStreamOpenCode: a message OpenCode commits (to the WAL only)
// reaches the open page of its session, and a commit for another session
// sends that page nothing.
func TestPageStreamOpenCode(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	db := openWriter(t, filepath.Join(xdg, "opencode"))
	now := time.Now().UnixMilli()
	const sid, other = "ses_6a1f0e2d3c4bAbCdEfGhIjKlMq", "ses_6a1f0e2d3c4bAbCdEfGhIjKlMr"
	for _, id := range []string{sid, other} {
		sqlExec(t, db, `INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated) VALUES (?, 'prj_1', 's', '/home/dev/webapp', 'OC', '1.2.3', ?, ?)`, id, now, now)
	}
	user := func(session, msg, part, text string, at int64) {
		commitUserMessage(t, db, session, msg, part, text, at)
	}
	user(sid, "msg_01", "prt_01", "first", now)
	srv := startOpenCodeHelmd(t, t.TempDir(), filepath.Join(xdg, "opencode"))

	var page shared.MessagePage
	getJSON(t, srv.URL+"/api/sessions/opencode/"+sid+"/messages", &page)
	c := ssetest.Connect(t, streamURL(srv.URL, "opencode", sid, page.After), "")
	if ev, got := pageEvent(t, c); ev.Type != "messages" || len(got.Messages) != 1 {
		t.Fatalf("first event %q: %+v", ev.Type, got)
	}
	user(other, "msg_02", "prt_02", "elsewhere", now+1)
	user(sid, "msg_03", "prt_03", "second", now+2)
	ev, got := pageEvent(t, c)
	if ev.Type != "messages" || len(got.Messages) != 2 || len(got.Messages[1].Blocks) == 0 || got.Messages[1].Blocks[0].Text != "second" || ev.ID != got.After {
		t.Fatalf("after the commit: %q: %+v", ev.Type, got)
	}

	// An answer goes on after a prompt typed meanwhile, which OpenCode
	// writes at once, queued: the page is sent the answer as it grows.
	// Its stream followed from the prompt, the last message, and the
	// answer stayed as it was when the prompt came (its tools running,
	// its text cut short, find's count on the page short of what it
	// went on to say) until the page was loaded again.
	answer := func(text, completed string) {
		sqlExec(t, db, `INSERT OR REPLACE INTO message (id, session_id, time_created, time_updated, data) VALUES ('msg_04', ?, ?, ?, ?)`,
			sid, now+4, now+4, `{"role":"assistant","modelID":"m","time":{"created":`+strconv.FormatInt(now+4, 10)+completed+`}}`)
		sqlExec(t, db, `INSERT OR REPLACE INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES ('prt_04', 'msg_04', ?, ?, ?, json_object('type', 'text', 'text', ?))`,
			sid, now+4, now+4, text)
	}
	shows := func(got shared.MessagePage, id, text string) bool {
		for _, m := range got.Messages {
			if m.ID == id && len(m.Blocks) > 0 && m.Blocks[0].Text == text {
				return true
			}
		}
		return false
	}
	answer("looking", "")
	user(sid, "msg_05", "prt_05", "also check the signup", now+5)
	for !shows(got, "msg_05", "also check the signup") {
		if ev, got = pageEvent(t, c); ev.Type != "messages" {
			t.Fatalf("while answering: %q %s", ev.Type, ev.Raw)
		}
	}
	answer("found the needle", `,"completed":`+strconv.FormatInt(now+6, 10))
	for !shows(got, "msg_04", "found the needle") {
		if ev, got = pageEvent(t, c); ev.Type != "messages" {
			t.Fatalf("after the answer grew: %q %s", ev.Type, ev.Raw)
		}
	}
}

// TestPageStreamOpenCodeRevert: OpenCode deletes the messages an undo
// reverted. A page whose cursor's message is gone gets a reset naming the
// session's new end (it showed what is no longer the session's), and the
// next message follows on from there, not from the session's start; a
// plain request after that cursor is a 409, as a rewritten transcript's.
func TestPageStreamOpenCodeRevert(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	db := openWriter(t, filepath.Join(xdg, "opencode"))
	now := time.Now().UnixMilli()
	const sid = "ses_6a1f0e2d3c4bAbCdEfGhIjKlMs"
	sqlExec(t, db, `INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated) VALUES (?, 'prj_1', 's', '/home/dev/webapp', 'OC', '1.2.3', ?, ?)`, sid, now, now)
	for i, text := range []string{"first", "second", "third"} {
		commitUserMessage(t, db, sid, fmt.Sprintf("msg_0%d", i+1), fmt.Sprintf("prt_0%d", i+1), text, now+int64(i))
	}
	srv := startOpenCodeHelmd(t, t.TempDir(), filepath.Join(xdg, "opencode"))

	var page shared.MessagePage
	getJSON(t, srv.URL+"/api/sessions/opencode/"+sid+"/messages", &page)
	c := ssetest.Connect(t, streamURL(srv.URL, "opencode", sid, page.After), "")
	if ev, got := pageEvent(t, c); ev.Type != "messages" || len(got.Messages) != 1 || got.Messages[0].ID != "msg_03" {
		t.Fatalf("first event %q: %+v", ev.Type, got)
	}
	sqlExec(t, db, `DELETE FROM part WHERE message_id = 'msg_03'`)
	sqlExec(t, db, `DELETE FROM message WHERE id = 'msg_03'`)
	ev, _ := pageEvent(t, c)
	var reset struct{ After string }
	if err := json.Unmarshal([]byte(ev.Raw), &reset); ev.Type != "reset" || err != nil || reset.After == "" {
		t.Fatalf("after the undo: %q %s, want a reset", ev.Type, ev.Raw)
	}
	var reload shared.MessagePage
	getJSON(t, srv.URL+"/api/sessions/opencode/"+sid+"/messages", &reload)
	if n := len(reload.Messages); n != 2 || reload.Messages[n-1].ID != "msg_02" || reload.After != reset.After {
		t.Fatalf("the reloaded page: %+v, the reset's end %q", reload, reset.After)
	}
	if resp := request(t, "GET", srv.URL+"/api/sessions/opencode/"+sid+"/messages?after="+url.QueryEscape(page.After), nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("a page after the reverted message: %d, want 409", resp.StatusCode)
	}
	commitUserMessage(t, db, sid, "msg_04", "prt_04", "fourth", now+4)
	ev, got := pageEvent(t, c)
	if ev.Type != "messages" || len(got.Messages) != 2 || got.Messages[0].ID != "msg_02" || got.Messages[1].ID != "msg_04" {
		t.Fatalf("after the next message: %q: %+v, want msg_02 again and msg_04", ev.Type, got)
	}
}

// commitUserMessage commits one user message of session and its text
// part. One commit for both: committed apart, a stream may rightly send
// the message before its text, and the tests' assertions are about the
// whole message.
func commitUserMessage(t *testing.T, db *sql.DB, session, msg, part, text string, at int64) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)`, msg, session, at, at,
		fmt.Sprintf(`{"role":"user","time":{"created":%d}}`, at)); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, json_object('type', 'text', 'text', ?))`, part, msg, session, at, at, text); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestPageStreamCatchesACommitPublishedDuringItsRead: SQLite writes a
// commit to the -wal (the event that pokes the page) a moment before it
// publishes it; a page read in between does not see it, and no later
// event comes. The stream must still send it. The watcher is left out
// (one poke by hand) and the commit lands just after the poked read, so
// only the stream's own check can find it.
func TestPageStreamCatchesACommitPublishedDuringItsRead(t *testing.T) {
	dir := t.TempDir()
	db := openWriter(t, dir)
	now := time.Now().UnixMilli()
	const sid = "ses_6a1f0e2d3c4bAbCdEfGhIjKlMs"
	sqlExec(t, db, `INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated) VALUES (?, 'prj_1', 's', '/home/dev/webapp', 'OC', '1.2.3', ?, ?)`, sid, now, now)
	commitUserMessage(t, db, sid, "msg_01", "prt_01", "first", now)

	src := opencode.New(opencode.Options{DataDir: dir})
	t.Cleanup(func() { src.Close() })
	listed, err := src.Scan(t.Context())
	if err != nil || len(listed) != 1 {
		t.Fatalf("scan: %v, %d sessions", err, len(listed))
	}
	reader := &commitAfterRead{Source: src}
	pages := tail.New(0)
	t.Cleanup(pages.Close)
	mux := http.NewServeMux()
	sessions := index.New()
	sessions.Replace(shared.SourceOpenCode, listed)
	api.InstallTranscripts(mux, api.TranscriptDeps{Sessions: sessions, OpenCode: reader, Live: pages,
		OpenCodeWatch: []string{dir}, Files: transcript.NewFiles(0), Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	c := ssetest.Connect(t, streamURL(srv.URL, "opencode", sid, ""), "")
	if ev, got := pageEvent(t, c); ev.Type != "messages" || len(got.Messages) != 1 {
		t.Fatalf("first event %q: %+v", ev.Type, got)
	}
	committed := make(chan struct{})
	reader.arm(func() {
		commitUserMessage(t, db, sid, "msg_02", "prt_02", "second", now+1)
		close(committed)
	})
	pages.Changed([]string{filepath.Join(dir, "opencode.db-wal")})
	ev, got := pageEvent(t, c)
	<-committed
	if ev.Type != "messages" || len(got.Messages) != 2 || len(got.Messages[1].Blocks) == 0 || got.Messages[1].Blocks[0].Text != "second" {
		t.Fatalf("after the commit: %q: %+v", ev.Type, got)
	}
}

// commitAfterRead is an OpenCode reader that runs an armed function once,
// right after a read of messages: a commit that lands after that read.
type commitAfterRead struct {
	*opencode.Source
	mu    sync.Mutex
	after func()
}

func (r *commitAfterRead) arm(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.after = f
}

func (r *commitAfterRead) Messages(ctx context.Context, sid string, q opencode.MessagePage) ([]opencode.Message, bool, error) {
	msgs, more, err := r.Source.Messages(ctx, sid, q)
	r.mu.Lock()
	f := r.after
	r.after = nil
	r.mu.Unlock()
	if f != nil {
		f()
	}
	return msgs, more, err
}

// TestPageStreamSubagent: ?agent= follows the subagent's own transcript.
func TestPageStreamSubagent(t *testing.T) {
	root := t.TempDir()
	const sid = "5e55a0e0-0000-4000-8000-0000000000a7"
	cwd := "/home/dev/webapp"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "delegate it", now))
	sub := filepath.Join(filepath.Dir(path), sid, "subagents", "agent-a1b2c3.jsonl")
	fixture.Append(t, sub, fixture.User(sid, cwd, "look around", now))
	srv := startHelmd(t, root)
	c := ssetest.Connect(t, streamURL(srv.URL, "claude", sid, "")+"&agent=a1b2c3", "")
	if ev, got := pageEvent(t, c); ev.Type != "messages" || len(got.Messages) != 1 || got.Messages[0].Blocks[0].Text != "look around" {
		t.Fatalf("first event %q: %+v", ev.Type, got)
	}
	fixture.Append(t, sub, fixture.Assistant(sid, cwd, "msg_s1", "end_turn", now.Add(time.Second)))
	if ev, got := pageEvent(t, c); ev.Type != "messages" || len(got.Messages) != 2 || got.Messages[1].Role != "assistant" {
		t.Fatalf("after the subagent's append: %q: %+v", ev.Type, got)
	}
}

// TestPageStreamSubagentGone: a subagent's page goes as its session's
// does. Its transcript deleted, or its session's moved away (the list
// keeps the session while a subagent's file is left, but helmd no longer
// has its transcripts), the stream says gone, once, as a poll's 404
// would; each back, it sends the messages after its cursor again, even
// unchanged (or a reset: a file deleted and written anew may no longer
// fit the cursor). A subagent's page has its parent's header: no session
// event.
func TestPageStreamSubagentGone(t *testing.T) {
	root := t.TempDir()
	const sid, agent = "5e55a0e0-0000-4000-8000-0000000000a9", "a4b5c6"
	cwd := "/home/dev/webapp"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	main := fixture.User(sid, cwd, "delegate it", now) + fixture.Assistant(sid, cwd, "msg_m1", "end_turn", now)
	fixture.Append(t, path, main)
	sub := filepath.Join(strings.TrimSuffix(path, ".jsonl"), "subagents", "agent-"+agent+".jsonl")
	subBody := fixture.User(sid, cwd, "look around", now) + fixture.Assistant(sid, cwd, "msg_s1", "end_turn", now)
	fixture.Append(t, sub, subBody)
	srv := startHelmd(t, root, "--debounce", "50ms")
	pageURL := srv.URL + "/api/sessions/claude/" + sid + "/messages?agent=" + agent
	var page shared.MessagePage
	getJSON(t, pageURL, &page)
	c := ssetest.Connect(t, streamURL(srv.URL, "claude", sid, page.After)+"&agent="+agent, "")
	var types []string
	next := func(what string, typ ...string) ssetest.Event {
		t.Helper()
		return c.Wait(t, 5*time.Second, what, func(e ssetest.Event) bool {
			if e.Type != string(shared.EventKeepalive) {
				types = append(types, e.Type)
			}
			return slices.Contains(typ, e.Type)
		})
	}
	next("the subagent's messages at the start", "messages")
	status := func() int {
		resp, err := http.Get(pageURL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Each comes back whole, in one step: written at once, a reader
	// could find it empty, and rightly answer with a reset.
	aside := filepath.Join(t.TempDir(), "aside.jsonl")
	steps := []struct {
		what     string
		away     func() error
		restored func() error
	}{
		{"the subagent's transcript deleted", func() error { return os.Remove(sub) }, func() error {
			fixture.Append(t, aside, subBody)
			return os.Rename(aside, sub)
		}},
		{"its session's transcript moved away", func() error { return os.Rename(path, aside) },
			func() error { return os.Rename(aside, path) }},
	}
	cursor := page.After
	for _, st := range steps {
		if err := st.away(); err != nil {
			t.Fatal(err)
		}
		ev := next("gone with "+st.what, "gone")
		var gone struct{ Reason string }
		if err := json.Unmarshal([]byte(ev.Raw), &gone); err != nil || gone.Reason == "" || ev.ID != "" {
			t.Fatalf("gone: id %q data %s", ev.ID, ev.Raw)
		}
		if got := status(); got != http.StatusNotFound {
			t.Errorf("with %s, the subagent's page answers %d, want 404 as the stream says", st.what, got)
		}
		if err := st.restored(); err != nil {
			t.Fatal(err)
		}
		// Back: the messages after its cursor, or a reset when the file
		// back is another (a deleted file's cursor may not fit the new).
		ev = next("the messages again once "+st.what+" is back", "messages", "reset")
		var back shared.MessagePage
		if err := json.Unmarshal([]byte(ev.Raw), &back); err != nil || ev.ID == "" ||
			ev.Type == "messages" && (ev.ID != cursor || len(back.Messages) == 0 || back.Messages[0].Cursor != cursor) {
			t.Fatalf("back: %s id %q data %s", ev.Type, ev.ID, ev.Raw)
		}
		cursor = ev.ID
		// The stream looks at the file, the page's requests at the list,
		// which follows after --debounce.
		waitFor(t, "the subagent's page back too", func() bool { return status() == http.StatusOK })
	}
	isBack := func(typ string) bool { return typ == "messages" || typ == "reset" }
	if len(types) != 5 || types[0] != "messages" || types[1] != "gone" || !isBack(types[2]) || types[3] != "gone" || !isBack(types[4]) {
		t.Errorf("events %v, want messages, gone, back, gone, back: gone once each time, "+
			"and no session event (the header is the parent's)", types)
	}
}

// sessionEvent waits for the page stream's next session event (its
// header) that satisfies ok, and decodes it.
func sessionEvent(t *testing.T, c *ssetest.Client, what string, ok func(shared.Session) bool) shared.Session {
	t.Helper()
	var s shared.Session
	c.Wait(t, 5*time.Second, what, func(ev ssetest.Event) bool {
		if ev.Type != "session" {
			return false
		}
		if err := json.Unmarshal([]byte(ev.Raw), &s); err != nil {
			t.Fatalf("session data %q: %v", ev.Raw, err)
		}
		return ok(s)
	})
	return s
}

// TestPageStreamFollowsTheHeader: an open page hears when its session's
// summary changes, as the list does: at once the summary as it is (it
// may have moved since the page read its header), then a status a hook
// set with no transcript line (a permission prompt), and the tokens and
// status a new line brings. Another session's change sends nothing; the
// events carry no id, so a reconnect's cursor stays the messages'.
func TestPageStreamFollowsTheHeader(t *testing.T) {
	root := t.TempDir()
	const sid, other = "5e55a0e0-0000-4000-8000-0000000000b1", "5e55a0e0-0000-4000-8000-0000000000b2"
	cwd := "/home/dev/webapp"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	// A hostile title: markup, and line breaks that would end an SSE
	// frame if they reached it unescaped.
	const hostile = "start <img src=x onerror=alert(1)>\u2028\r\ndata: forged"
	fixture.Append(t, path, fixture.User(sid, cwd, hostile, now.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(root, cwd, other), fixture.User(other, cwd, "another", now.Add(-time.Minute)))
	srv := startHelmd(t, root, "--debounce", "50ms")
	c := ssetest.Connect(t, streamURL(srv.URL, "claude", sid, ""), "")
	first := sessionEvent(t, c, "the header at the start", func(s shared.Session) bool { return true })
	if first.ID != sid || first.Status != shared.StatusWorking {
		t.Fatalf("the first session event: %+v", first)
	}
	if !strings.Contains(first.FirstPrompt, "<img src=x onerror=alert(1)>") || !strings.Contains(first.FirstPrompt, "data: forged") {
		t.Errorf("the hostile prompt did not come through as data, whole: %q", first.FirstPrompt)
	}

	args := []string{"--port", portOf(t, srv.URL), "--auth", "none"}
	hook := hookPayload(sid, "Notification", `,"notification_type":"permission_prompt","message":"Claude needs your permission to use Bash"`)
	if err := runHook(t.Context(), args, strings.NewReader(hook), t.TempDir(), io.Discard); err != nil {
		t.Fatal(err)
	}
	s := sessionEvent(t, c, "the permission prompt", func(s shared.Session) bool { return s.Status == shared.StatusWaiting })
	if s.WaitingFor != "permission prompt" || s.ID != sid {
		t.Errorf("after the hook: %+v", s)
	}

	fixture.Append(t, fixture.Path(root, cwd, other), fixture.Assistant(other, cwd, "msg_o1", "end_turn", now))
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_b1", "end_turn", now))
	// Both come, in either order: its messages (with their id, the
	// page's cursor) and its header (with none).
	var page, header bool
	c.Wait(t, 5*time.Second, "the answer's page and header", func(ev ssetest.Event) bool {
		switch ev.Type {
		case "messages":
			page = page || strings.Contains(ev.Raw, "msg_b1") && ev.ID != ""
		case "session":
			if err := json.Unmarshal([]byte(ev.Raw), &s); err != nil {
				t.Fatalf("session data %q: %v", ev.Raw, err)
			}
			if s.ID != sid {
				t.Errorf("another session's header reached this page: %+v", s)
			}
			header = header || ev.ID == "" && s.Tokens.Output > 0 && s.MessageCount == first.MessageCount+1
		}
		return page && header
	})
	if s.ID != sid || s.Status != shared.StatusWaiting {
		t.Errorf("after the answer: %+v", s)
	}
}

// TestPageAndListAgreeOnAQuietLastLine: a last record without its '\n'
// counts once the file has been quiet for a second, in the list and on
// the session page alike: an open page stream is sent it (no write
// announces it), the detail names its question, and its messages hold it.
func TestPageAndListAgreeOnAQuietLastLine(t *testing.T) {
	root := t.TempDir()
	const sid = "5e55a0e0-0000-4000-8000-0000000000a7"
	cwd := "/home/dev/webapp"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "first prompt", now))
	srv := startHelmd(t, root)
	c, _ := followFromLastPage(t, srv.URL, sid)
	if ev, got := pageEvent(t, c); ev.Type != "messages" || len(got.Messages) != 1 {
		t.Fatalf("first event %q: %+v", ev.Type, got)
	}

	fixture.Append(t, path, strings.TrimSuffix(fixture.Assistant(sid, cwd, "msg_a1", "end_turn", now.Add(time.Second)), "\n"))
	ev, got := pageEvent(t, c)
	if ev.Type != "messages" || len(got.Messages) != 2 || got.Messages[1].Role != "assistant" {
		t.Fatalf("after the last line went quiet: %q: %+v", ev.Type, got)
	}
	var list []shared.Session
	getJSON(t, srv.URL+"/api/sessions", &list)
	var detail shared.SessionDetail
	getJSON(t, srv.URL+"/api/sessions/claude/"+sid, &detail)
	var page shared.MessagePage
	getJSON(t, srv.URL+"/api/sessions/claude/"+sid+"/messages", &page)
	if len(list) != 1 || list[0].MessageCount != 2 || list[0].Status != shared.StatusWaiting || list[0].Question != "ok" {
		t.Fatalf("list: %+v", list)
	}
	if detail.Question != "ok" || len(page.Messages) != 2 {
		t.Errorf("the page disagrees with the list: question %q, %d messages", detail.Question, len(page.Messages))
	}

	// A clear changes the summary, not the transcript: the header is sent,
	// and no messages (not the last message again).
	if got := post(t, srv.URL+"/api/sessions/claude/"+sid+"/clear", nil); got != http.StatusAccepted {
		t.Fatalf("clear: %d, want 202", got)
	}
	sessionEvent(t, c, "the cleared header", func(s shared.Session) bool { return s.ClearedAt > 0 })
	// Its '\n' comes late, with a record the page does not show, and a
	// prompt: the prompt is the next event.
	fixture.Append(t, path, "\n"+`{"type":"file-history-snapshot","messageId":"x","snapshot":{}}`+"\n")
	fixture.Append(t, path, fixture.User(sid, cwd, "second prompt", now.Add(2*time.Second)))
	ev, got = pageEvent(t, c)
	if last := got.Messages[len(got.Messages)-1]; ev.Type != "messages" || last.Role != "user" || last.Blocks[0].Text != "second prompt" {
		t.Fatalf("the next event is not the prompt: %q: %+v", ev.Type, got)
	}
	waitFor(t, "the list to count the prompt after the late newline", func() bool {
		getJSON(t, srv.URL+"/api/sessions", &list)
		return len(list) == 1 && list[0].MessageCount == 3
	})
}
