package main

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// openCode2Schema is the part of OpenCode 2's schema Helm reads, as a
// new install of 2.x has it: no table of OpenCode 1.
const openCode2Schema = `
CREATE TABLE session_v2 (id text PRIMARY KEY, project_id text NOT NULL, parent_id text, slug text NOT NULL,
  directory text NOT NULL, title text, version text NOT NULL, cost real DEFAULT 0 NOT NULL, model text,
  time_created integer NOT NULL, time_updated integer NOT NULL, time_idle integer, idle_outcome text, time_archived integer);
CREATE TABLE session_message (id text PRIMARY KEY, session_id text NOT NULL, type text NOT NULL, seq integer NOT NULL,
  time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE UNIQUE INDEX session_message_session_seq_idx ON session_message (session_id, seq);
`

// TestOpenCode2OverHTTP: helmd lists a session of OpenCode 2's tables,
// streams its prompt and its answer as they are written, and serves its
// page, a cut call result whole, and a find on it. The transcript is
// untrusted text: markup in it comes back as text.
func TestOpenCode2OverHTTP(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	dataDir := filepath.Join(xdg, "opencode")
	db := openWriterOf(t, filepath.Join(dataDir, "opencode.db"), openCode2Schema)

	srv := startOpenCodeHelmd(t, t.TempDir(), dataDir)
	all := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	all.Next(t, 5*time.Second)

	now := time.Now().UnixMilli()
	const sid = "ses_0a2b4c6d8e0fAbCdEfGhIjKlMn"
	sqlExec(t, db, `INSERT INTO session_v2 (id, project_id, slug, directory, version, model, time_created, time_updated)
		VALUES (?, 'prj_1', 's', '/home/dev/webapp', '2.0.25', '{"id":"claude-opus-4-7","providerID":"anthropic"}', ?, ?)`, sid, now, now)
	sqlExec(t, db, `INSERT INTO session_message VALUES ('msg_0a2b4c6d8e0f01', ?, 'user', 1, ?, ?, ?)`, sid, now, now,
		fmt.Sprintf(`{"text":"Why does <script>alert(1)</script> show?","time":{"created":%d}}`, now))
	// Created, then updated, or created with its prompt: as the reads fall.
	ev := all.Wait(t, 5*time.Second, "the session and its prompt", func(e ssetest.Event) bool {
		s, ok := e.Has(sid)
		return ok && s.MessageCount == 1
	})
	if s, _ := ev.Has(sid); s.Source != shared.SourceOpenCode || s.Status != shared.StatusWorking || s.Title != "Why does <script>alert(1)</script> show?" {
		t.Fatalf("after the prompt: %+v", s)
	}

	long := strings.Repeat("line of output\n", 6000)
	answer := fmt.Sprintf(`{"agent":"build","model":{"id":"claude-opus-4-7","providerID":"anthropic"},"content":[`+
		`{"type":"tool","id":"call_1","name":"read","state":{"status":"completed","input":{"path":"index.html"},"content":[{"type":"text","text":%q}]},"time":{"created":1}},`+
		`{"type":"text","text":"It is escaped now. Shall I commit?"}],"finish":"stop","cost":0.0125,`+
		`"tokens":{"input":1200,"output":340,"reasoning":60,"cache":{"read":8000,"write":500}},"time":{"created":%d,"completed":%d}}`, long, now+1, now+2)
	sqlExec(t, db, `INSERT INTO session_message VALUES ('msg_0a2b4c6d8e0f02', ?, 'assistant', 2, ?, ?, ?)`, sid, now+1, now+2, answer)
	ev = all.Wait(t, 5*time.Second, "the answer", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.MessageCount == 2 }))
	if s, _ := ev.Has(sid); s.Status != shared.StatusWaiting || s.CostUSD != 0.0125 || s.Question != "It is escaped now. Shall I commit?" ||
		s.Tokens != (shared.Tokens{Input: 1200, Output: 400, CacheRead: 8000, CacheWrite: 500}) || s.Model != "claude-opus-4-7" {
		t.Fatalf("after the answer: %+v", s)
	}

	var page shared.MessagePage
	getJSON(t, srv.URL+"/api/sessions/opencode/"+sid+"/messages", &page)
	if len(page.Messages) != 2 || page.Messages[0].Role != "user" || page.Messages[0].Blocks[0].Text != "Why does <script>alert(1)</script> show?" {
		t.Fatalf("page: %.600v", page)
	}
	blocks := page.Messages[1].Blocks
	if len(blocks) != 2 || blocks[0].Tool == nil || blocks[0].Tool.Name != "read" || blocks[0].Tool.Result == nil ||
		blocks[0].Tool.Result.Cut == nil || blocks[1].Text != "It is escaped now. Shall I commit?" {
		t.Fatalf("the answer's blocks: %.600v", blocks)
	}
	resp, err := http.Get(srv.URL + "/api/sessions/opencode/" + sid + "/messages/" + blocks[0].Tool.Result.Cut.Ref + "/full")
	if err != nil {
		t.Fatal(err)
	}
	whole, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(whole) != long {
		t.Fatalf("the call's result whole: %d, %d bytes (want %d)", resp.StatusCode, len(whole), len(long))
	}
	// Its spend, by model, in the usage report at the answer's time.
	var rep shared.UsageReport
	getJSON(t, srv.URL+fmt.Sprintf("/api/usage?by=model&from=%d&to=%d", now-3600_000, now+3600_000), &rep)
	if len(rep.Buckets) != 1 || rep.Buckets[0].Key != "claude-opus-4-7" || rep.Buckets[0].CostUSD != 0.0125 || rep.Total.CostUSD != 0.0125 {
		t.Errorf("usage by model: %+v, want claude-opus-4-7 at $0.0125", rep)
	}
	var found shared.FindResult
	getJSON(t, srv.URL+"/api/sessions/opencode/"+sid+"/find?q=escaped", &found)
	if len(found.Matches) != 1 || found.Matches[0] != page.Messages[1].Cursor {
		t.Errorf("find: %+v, want the answer (%s)", found, page.Messages[1].Cursor)
	}
}

// TestOpenCodeChannelDatabase: a data folder with no opencode.db but the
// database of another channel (an early build of OpenCode 2's, its
// sessions in a table named session) is read, and its new rows streamed.
func TestOpenCodeChannelDatabase(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	dataDir := filepath.Join(xdg, "opencode")
	db := openWriterOf(t, filepath.Join(dataDir, "opencode-next.db"), strings.ReplaceAll(openCode2Schema, "session_v2", "session"))
	now := time.Now().UnixMilli()
	const sid = "ses_0a2b4c6d8e0fNeXtChAnNeLx"
	sqlExec(t, db, `INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated)
		VALUES (?, 'prj_1', 's', '/home/dev/webapp', 'From the next channel', '0.0.0-next-15853', ?, ?)`, sid, now, now)

	srv := startOpenCodeHelmd(t, t.TempDir(), dataDir)
	all := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	all.Wait(t, 5*time.Second, "the session of opencode-next.db", func(e ssetest.Event) bool {
		s, ok := e.Has(sid)
		return ok && s.Title == "From the next channel"
	})
	sqlExec(t, db, `INSERT INTO session_message VALUES ('msg_0a2b4c6d8e0f11', ?, 'user', 1, ?, ?, ?)`, sid, now+1, now+1,
		fmt.Sprintf(`{"text":"hello","time":{"created":%d}}`, now+1))
	all.Wait(t, 5*time.Second, "its prompt", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool {
		return s.MessageCount == 1 && s.Status == shared.StatusWorking
	}))
}
