package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// TestSessionPageEndpoints: helmd serves a Claude and an OpenCode session
// as detail and message pages, and a Claude message appended to the
// transcript is there at the after cursor.
func TestSessionPageEndpoints(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	db := openWriter(t, filepath.Join(xdg, "opencode"))
	now := time.Now().UnixMilli()
	const osid = "ses_6a1f0e2d3c4bAbCdEfGhIjKlMp"
	sqlExec(t, db, `INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated) VALUES (?, 'prj_1', 's', '/home/dev/webapp', 'OC', '1.2.3', ?, ?)`, osid, now, now)
	sqlExec(t, db, `INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES ('msg_1', ?, ?, ?, ?)`, osid, now, now,
		fmt.Sprintf(`{"role":"user","time":{"created":%d}}`, now))
	sqlExec(t, db, `INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES ('prt_1', 'msg_1', ?, ?, ?, '{"type":"text","text":"hello opencode"}')`, osid, now, now)
	long := strings.Repeat("<b>long</b> ", 10000)
	sqlExec(t, db, `INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES ('prt_2', 'msg_1', ?, ?, ?, json_object('type', 'text', 'text', ?))`, osid, now, now, long)

	claudeRoot := t.TempDir()
	const csid = "c1a0de00-0000-4000-8000-0000000000aa"
	path := fixture.Path(claudeRoot, "/home/dev/webapp", csid)
	fixture.Append(t, path, fixture.User(csid, "/home/dev/webapp", "hello claude", time.Now()))
	srv := startOpenCodeHelmd(t, claudeRoot, filepath.Join(xdg, "opencode"))

	var d shared.SessionDetail
	getJSON(t, srv.URL+"/api/sessions/claude/"+csid, &d)
	if d.ID != csid || len(d.Transcripts) != 1 || d.Transcripts[0] != path || !strings.HasSuffix(d.ResumeCommand, "claude --resume "+csid) {
		t.Fatalf("claude detail: %+v", d)
	}
	getJSON(t, srv.URL+"/api/sessions/opencode/"+osid, &d)
	if d.ID != osid || d.ResumeCommand != "cd /home/dev/webapp && opencode --session "+osid {
		t.Fatalf("opencode detail: %+v", d)
	}
	if want := filepath.Join(xdg, "opencode", "opencode.db"); len(d.Transcripts) != 1 || d.Transcripts[0] != want {
		t.Errorf("opencode transcripts %q, want the database %q", d.Transcripts, want)
	}
	var page shared.MessagePage
	getJSON(t, srv.URL+"/api/sessions/opencode/"+osid+"/messages", &page)
	if len(page.Messages) != 1 || page.Messages[0].Blocks[0].Text != "hello opencode" || page.Messages[0].Blocks[1].Cut == nil {
		t.Fatalf("opencode page: %.500v", page)
	}
	resp, err := http.Get(srv.URL + "/api/sessions/opencode/" + osid + "/messages/" + page.Messages[0].Blocks[1].Cut.Ref + "/full")
	if err != nil {
		t.Fatal(err)
	}
	whole, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(whole) != long {
		t.Fatalf("opencode full text: %d, %d bytes (want %d)", resp.StatusCode, len(whole), len(long))
	}
	getJSON(t, srv.URL+"/api/sessions/claude/"+csid+"/messages", &page)
	if len(page.Messages) != 1 || page.Messages[0].Blocks[0].Text != "hello claude" {
		t.Fatalf("claude page: %+v", page)
	}

	fixture.Append(t, path, fixture.Assistant(csid, "/home/dev/webapp", "msg_c", "end_turn", time.Now()))
	waitFor(t, "the appended response at the after cursor", func() bool {
		var next shared.MessagePage
		getJSON(t, srv.URL+"/api/sessions/claude/"+csid+"/messages?after="+url.QueryEscape(page.After), &next)
		return len(next.Messages) == 2 && next.Messages[1].Role == "assistant"
	})

	resp, err = http.Get(srv.URL + "/api/sessions/claude/" + strings.Repeat("x", 300))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an overlong id: %d, want 400", resp.StatusCode)
	}
}

// A prompt typed while the session worked (a queued_command attachment)
// is one of the list's messages and one of the page's rows: the
// header's count stays the rows below it.
func TestQueuedPromptInListAndPage(t *testing.T) {
	root := t.TempDir()
	const sid, cwd = "c1a0de00-0000-4000-8000-0000000000ab", "/home/dev/webapp"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "run the tests", now.Add(-time.Minute)))
	fixture.Append(t, path, fmt.Sprintf(`{"type":"attachment","attachment":{"type":"queued_command","prompt":"and the linter too","commandMode":"prompt","origin":{"kind":"human"}},"cwd":%q,"sessionId":%q,"uuid":"q-1","timestamp":%q}`+"\n",
		cwd, sid, now.Add(-50*time.Second).UTC().Format(time.RFC3339Nano)))
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_1", "end_turn", now.Add(-40*time.Second)))
	srv := startHelmd(t, root)
	var page shared.MessagePage
	getJSON(t, srv.URL+"/api/sessions/claude/"+sid+"/messages", &page)
	var rows []string
	for _, m := range page.Messages {
		rows = append(rows, m.Role)
	}
	var s shared.Session
	for _, x := range srv.sessions(t) {
		if x.ID == sid {
			s = x
		}
	}
	if len(rows) != 3 || rows[1] != "user" || page.Messages[1].Blocks[0].Text != "and the linter too" || s.MessageCount != len(rows) {
		t.Errorf("page rows %q (the second %+v), list count %d; want user, user, assistant, and a count of 3", rows, page.Messages[1], s.MessageCount)
	}
}
