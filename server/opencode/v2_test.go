package opencode

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// schemaV2 is OpenCode 2's tables as a 2.0.25 database holds them (its
// sqlite_master, as reported by readers of it), beside OpenCode 1's,
// which an upgraded database keeps.
const schemaV2 = `
CREATE TABLE session_v2 (id text PRIMARY KEY, project_id text NOT NULL, workspace_id text, parent_id text,
  fork_session_id text, fork_boundary text, slug text NOT NULL, directory text NOT NULL, path text, title text,
  version text NOT NULL, share_url text, summary_additions integer, summary_deletions integer, summary_files integer,
  summary_diffs text, metadata text, cost real DEFAULT 0 NOT NULL, tokens_input integer DEFAULT 0 NOT NULL,
  tokens_output integer DEFAULT 0 NOT NULL, tokens_reasoning integer DEFAULT 0 NOT NULL,
  tokens_cache_read integer DEFAULT 0 NOT NULL, tokens_cache_write integer DEFAULT 0 NOT NULL,
  revert text, permission text, agent text, model text, time_created integer NOT NULL, time_updated integer NOT NULL,
  time_idle integer, time_viewed integer, idle_outcome text, time_compacting integer, time_archived integer,
  time_suspended integer, resume_attempts integer DEFAULT 0 NOT NULL,
  FOREIGN KEY (project_id) REFERENCES project(id) ON DELETE CASCADE);
CREATE INDEX session_v2_parent_idx ON session_v2 (parent_id);
CREATE TABLE session_message (id text PRIMARY KEY, session_id text NOT NULL, type text NOT NULL, seq integer NOT NULL,
  time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL,
  FOREIGN KEY (session_id) REFERENCES session_v2(id) ON DELETE CASCADE);
CREATE UNIQUE INDEX session_message_session_seq_idx ON session_message (session_id, seq);
CREATE INDEX session_message_session_type_seq_idx ON session_message (session_id, type, seq);
CREATE INDEX session_message_session_time_created_id_idx ON session_message (session_id, time_created, id);
CREATE INDEX session_message_time_created_idx ON session_message (time_created);
`

// row2 is one session_message row; data is its JSON as OpenCode 2
// writes it (packages/schema/src/session-message.ts): no id or type in it.
type row2 struct {
	id, typ          string
	seq              int
	created, updated int64
	data             string
}

func insertSession2(t testing.TB, db *sql.DB, id, dir, title string, created, updated, archived int64, rows ...row2) {
	t.Helper()
	var arch any
	if archived > 0 {
		arch = archived
	}
	var ttl any
	if title != "" {
		ttl = title // OpenCode 2 leaves it NULL until a title is made
	}
	execSQL(t, db, `INSERT INTO session_v2 (id, project_id, slug, directory, title, version, model, time_created, time_updated, time_archived)
		VALUES (?, 'prj_1', 'slug', ?, ?, '2.0.25', '{"id":"claude-opus-4-7","providerID":"anthropic"}', ?, ?, ?)`,
		id, dir, ttl, created, updated, arch)
	for _, r := range rows {
		insertRow2(t, db, id, r)
	}
}

func insertRow2(t testing.TB, db *sql.DB, sid string, r row2) {
	t.Helper()
	execSQL(t, db, `INSERT INTO session_message (id, session_id, type, seq, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.id, sid, r.typ, r.seq, r.created, max(r.updated, r.created), r.data)
}

// ago is a time secs seconds before the tests' now.
func ago(secs int64) int64 { return testNow.UnixMilli() - secs*1000 }

func user2(id string, seq int, secsAgo int64, text string) row2 {
	return row2{id: id, typ: "user", seq: seq, created: ago(secsAgo),
		data: mustJSONString(map[string]any{"text": text, "agents": []any{}, "time": map[string]any{"created": ago(secsAgo)}})}
}

// answer2 is an answer begun secsAgo; doneAgo > 0 completes it then, with
// finish "stop"; content is its items' JSON.
func answer2(id string, seq int, secsAgo, doneAgo int64, cost float64, content ...string) row2 {
	tm := map[string]any{"created": ago(secsAgo)}
	d := map[string]any{"agent": "build", "model": map[string]any{"id": "claude-opus-4-7", "providerID": "anthropic"}, "time": tm}
	upd := ago(secsAgo)
	if doneAgo > 0 {
		tm["completed"] = ago(doneAgo)
		d["finish"], d["cost"] = "stop", cost
		d["tokens"] = map[string]any{"input": 100, "output": 20, "reasoning": 5, "cache": map[string]any{"read": 1000, "write": 50}}
		upd = ago(doneAgo)
	}
	items := make([]json.RawMessage, len(content))
	for i, c := range content {
		items[i] = json.RawMessage(c)
	}
	d["content"] = items
	return row2{id: id, typ: "assistant", seq: seq, created: ago(secsAgo), updated: upd, data: mustJSONString(d)}
}

func idle2(id string, seq int, secsAgo int64, outcome string) row2 {
	return row2{id: id, typ: "idle", seq: seq, created: ago(secsAgo),
		data: mustJSONString(map[string]any{"outcome": outcome, "time": map[string]any{"created": ago(secsAgo)}})}
}

func mustJSONString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// buildFixture2 is an upgraded database: OpenCode 1's tables with the
// sessions written before the upgrade (one copied into OpenCode 2's
// tables, one not), and OpenCode 2's.
func buildFixture2(t *testing.T) (string, *sql.DB) {
	t.Helper()
	dir := t.TempDir()
	w := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
	execSQL(t, w, schemaV12)
	execSQL(t, w, schemaV2)
	// Before the upgrade, in OpenCode 1's tables only.
	insertSession(t, w, fxSession{ID: "ses_old", Dir: "/home/dev/api", Title: "Old session", Version: "1.14.0",
		Created: at(-7200), Updated: at(-7000), Messages: []fxMessage{
			{ID: "msg_o1", Role: "user", Created: at(-7200), Parts: []fxPart{{ID: "prt_o1", Type: "text", Text: "List the routes", Created: at(-7200)}}},
			{ID: "msg_o2", Role: "assistant", Created: at(-7100), Completed: at(-7000), Cost: 0.5, Input: 10, Output: 5, Model: "claude-sonnet-4-5", Finish: "stop"},
		}})
	// Before the upgrade, and copied: the same id in both.
	insertSession(t, w, fxSession{ID: "ses_mig", Dir: "/home/dev/webapp", Title: "Migrated", Version: "1.14.0",
		Created: ago(3600), Updated: ago(3500), Messages: []fxMessage{
			{ID: "msg_m1", Role: "user", Created: ago(3600), Parts: []fxPart{{ID: "prt_m1", Type: "text", Text: "Old prompt", Created: ago(3600)}}},
			{ID: "msg_m2", Role: "assistant", Created: ago(3590), Completed: ago(3500), Cost: 0.5, Model: "claude-sonnet-4-5", Finish: "stop"},
		}})
	insertSession2(t, w, "ses_mig", "/home/dev/webapp", "Migrated", ago(3600), ago(60), 0,
		user2("msg_m1", 1, 3600, "Old prompt"),
		answer2("msg_m2", 2, 3590, 3500, 0.5, `{"type":"text","text":"Old answer"}`),
		user2("msg_m3", 3, 120, "And now the tests"),
		answer2("msg_m4", 4, 110, 60, 0.25, `{"type":"text","text":"Tests pass."}`),
		idle2("msg_m5", 5, 60, "succeeded"),
		row2{id: "msg_m6", typ: "user", seq: 6, created: ago(50), data: `{"text": not json`},
	)
	// After the upgrade: a finished turn that asks, with a title not
	// made yet (NULL), the switches and marks OpenCode 2 writes, a
	// bare string among the answer's items, and a shell command.
	insertSession2(t, w, "ses_new", "/home/dev/webapp", "", ago(300), ago(200), 0,
		row2{id: "msg_n0", typ: "agent-switched", seq: 1, created: ago(300), data: `{"agent":"build","time":{"created":1}}`},
		user2("msg_n1", 2, 299, "  Fix the login bug\nin auth.go"),
		answer2("msg_n2", 3, 290, 220, 0.125,
			`{"type":"reasoning","text":"The token check is inverted."}`,
			`"a bare string"`,
			`{"type":"tool","id":"call_1","name":"read","state":{"status":"completed","input":{"path":"auth.go"},"content":[{"type":"text","text":"package auth"},{"type":"text","text":"func Check() {}"}]},"time":{"created":1}}`,
			`{"type":"tool","id":"call_2","name":"edit","state":{"status":"error","input":{"path":"auth.go"},"error":{"type":"tool.execution","message":"file changed on disk"}},"time":{"created":1}}`,
			`{"type":"text","text":"Fixed the check.\nShould I also add a test?"}`),
		row2{id: "msg_n3", typ: "shell", seq: 4, created: ago(210), data: `{"shellID":"sh_1","command":"go test ./...","status":"exited","exit":0,"output":{"output":"ok auth","cursor":0,"size":7,"truncated":false},"time":{"created":1,"completed":2}}`},
		idle2("msg_n4", 5, 200, "succeeded"),
	)
	// Working: an answer not completed, a call running.
	insertSession2(t, w, "ses_run", "/home/dev/cli", "Refactor flags", ago(100), ago(30), 0,
		user2("msg_r1", 1, 100, "Refactor the flags"),
		answer2("msg_r2", 2, 90, 0, 0, `{"type":"tool","id":"call_9","name":"shell","state":{"status":"running","input":{"command":"make"},"metadata":{}},"time":{"created":1}}`),
	)
	// Interrupted: the answer was left open, and the turn's idle mark
	// says it ended.
	insertSession2(t, w, "ses_intr", "/home/dev/cli", "Stopped", ago(100), ago(40), 0,
		user2("msg_i1", 1, 100, "Start the server"),
		answer2("msg_i2", 2, 90, 0, 0, `{"type":"text","text":"Starting"}`),
		idle2("msg_i3", 3, 40, "interrupted"),
	)
	insertSession2(t, w, "ses_arch", "/home/dev/cli", "Archived", ago(100), ago(40), ago(30),
		user2("msg_a1", 1, 100, "Gone"))
	return dir, w
}

func TestOpenCode2Sessions(t *testing.T) {
	dir, _ := buildFixture2(t)
	src := newTestSource(dir)
	defer src.Close()
	got, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tokens := func(n int) shared.Tokens {
		return shared.Tokens{Input: 100 * n, Output: 25 * n, CacheRead: 1000 * n, CacheWrite: 50 * n}
	}
	assertSessions(t, got,
		shared.Session{ID: "ses_intr", Source: shared.SourceOpenCode, ProjectPath: "/home/dev/cli", ProjectName: "cli",
			Title: "Stopped", FirstPrompt: "Start the server", Model: "claude-opus-4-7", MessageCount: 2,
			Status: shared.StatusIdle, Active: true, CreatedAt: ago(100), UpdatedAt: ago(40), Version: "2.0.25"},
		shared.Session{ID: "ses_mig", Source: shared.SourceOpenCode, ProjectPath: "/home/dev/webapp", ProjectName: "webapp",
			Title: "Migrated", FirstPrompt: "Old prompt", Model: "claude-opus-4-7", MessageCount: 4, Tokens: tokens(2),
			CostUSD: 0.75, WorkMs: 140000, Status: shared.StatusWaiting, WaitingFor: "input needed", WaitingSince: ago(60),
			Question: "Tests pass.", Active: true, CreatedAt: ago(3600), UpdatedAt: ago(60), Version: "2.0.25"},
		shared.Session{ID: "ses_new", Source: shared.SourceOpenCode, ProjectPath: "/home/dev/webapp", ProjectName: "webapp",
			Title: "Fix the login bug in auth.go", FirstPrompt: "Fix the login bug\nin auth.go", Model: "claude-opus-4-7",
			MessageCount: 2, Tokens: tokens(1), CostUSD: 0.125, WorkMs: 70000, Status: shared.StatusWaiting,
			WaitingFor: "input needed", WaitingSince: ago(200), Question: "Fixed the check.", Active: false,
			CreatedAt: ago(300), UpdatedAt: ago(200), Version: "2.0.25"},
		shared.Session{ID: "ses_old", Source: shared.SourceOpenCode, ProjectPath: "/home/dev/api", ProjectName: "api",
			Title: "Old session", FirstPrompt: "List the routes", Model: "claude-sonnet-4-5", MessageCount: 2,
			Tokens: shared.Tokens{Input: 10, Output: 5}, CostUSD: 0.5, WorkMs: 100000, Status: shared.StatusIdle,
			CreatedAt: at(-7200), UpdatedAt: at(-7000), Version: "1.14.0"},
		shared.Session{ID: "ses_run", Source: shared.SourceOpenCode, ProjectPath: "/home/dev/cli", ProjectName: "cli",
			Title: "Refactor flags", FirstPrompt: "Refactor the flags", Model: "claude-opus-4-7", MessageCount: 2,
			Status: shared.StatusWorking, Active: true, CreatedAt: ago(100), UpdatedAt: ago(30), Version: "2.0.25"},
	)
	st := src.Status()
	if st.DBState != StateOK || st.SessionsFromDB != 5 {
		t.Errorf("status %+v, want ok with 5 sessions", st)
	}
	if st.Skipped != 1 {
		t.Errorf("skipped %d rows, want 1 (the row that is not JSON)", st.Skipped)
	}
}

// Rows OpenCode 2 adds, and an answer it rewrites in place as it
// streams, reach the list at the next hint; a hint with nothing new
// changes nothing, though OpenCode 1's rows of a copied session differ
// from what was read of it (OpenCode 2's).
func TestOpenCode2Updates(t *testing.T) {
	dir, w := buildFixture2(t)
	wal := filepath.Join(dir, "opencode.db-wal")
	src := newTestSource(dir)
	defer src.Close()
	if _, err := src.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	byID := func(ss []shared.Session) map[string]shared.Session {
		out := map[string]shared.Session{}
		for _, s := range ss {
			out[s.ID] = s
		}
		return out
	}

	insertRow2(t, w, "ses_new", user2("msg_n5", 6, 5, "Yes, add a test"))
	changed, removed := update(t, src, wal)
	assertRemoved(t, removed)
	got := byID(changed)
	if len(changed) != 1 || got["ses_new"].Status != shared.StatusWorking || got["ses_new"].MessageCount != 3 {
		t.Fatalf("after a prompt: changed %+v, want ses_new working with 3 messages", changed)
	}

	done := answer2("msg_r2", 2, 90, 2, 0.5, `{"type":"text","text":"Flags refactored. Merge it?"}`)
	execSQL(t, w, `UPDATE session_message SET data = ?, time_updated = ? WHERE id = 'msg_r2'`, done.data, done.updated)
	changed, _ = update(t, src, wal)
	got = byID(changed)
	if r := got["ses_run"]; len(changed) != 1 || r.Status != shared.StatusWaiting || r.CostUSD != 0.5 || r.Question != "Flags refactored. Merge it?" {
		t.Fatalf("after the answer completed in place: changed %+v, want ses_run waiting at $0.50 with its question", changed)
	}

	if changed, removed := update(t, src, wal); len(changed)+len(removed) != 0 {
		t.Errorf("a hint with nothing written: changed %v, removed %v", ids(changed), removed)
	}
}

// A database of OpenCode 2 alone (a new install) is read as well.
func TestOpenCode2Alone(t *testing.T) {
	dir := t.TempDir()
	w := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
	execSQL(t, w, `CREATE TABLE project (id text PRIMARY KEY, worktree text NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL);
		INSERT INTO project VALUES ('prj_1', '/home/dev/webapp', 1767000000000, 1767000000000);`)
	execSQL(t, w, schemaV2)
	insertSession2(t, w, "ses_a", "/home/dev/webapp", "Alone", ago(100), ago(90), 0,
		user2("msg_a1", 1, 100, "Hello"), answer2("msg_a2", 2, 95, 90, 0.01, `{"type":"text","text":"Hi."}`))
	src := newTestSource(dir)
	defer src.Close()
	got, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "ses_a" || got[0].Status != shared.StatusWaiting || got[0].MessageCount != 2 {
		t.Fatalf("sessions %+v, want ses_a waiting with 2 messages", got)
	}
	if st := src.Status(); st.DBState != StateOK || st.LastError != "" {
		t.Errorf("status %+v, want ok", st)
	}
	insertRow2(t, w, "ses_a", user2("msg_a3", 3, 1, "Again"))
	changed, _ := update(t, src, filepath.Join(dir, "opencode.db-wal"))
	if len(changed) != 1 || changed[0].Status != shared.StatusWorking {
		t.Errorf("after a prompt: changed %+v, want ses_a working", changed)
	}
}

// A database of an early build of OpenCode 2 (opencode-next.db) kept its
// sessions in a table named session, beside session_message and no
// message table: they are read as OpenCode 2's.
func TestOpenCode2EarlyLayout(t *testing.T) {
	dir := t.TempDir()
	w := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
	execSQL(t, w, `CREATE TABLE project (id text PRIMARY KEY, worktree text NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL);
		INSERT INTO project VALUES ('prj_1', '/home/dev/webapp', 1767000000000, 1767000000000);`)
	execSQL(t, w, strings.ReplaceAll(schemaV2, "session_v2", "session"))
	execSQL(t, w, `INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated)
		VALUES ('ses_e', 'prj_1', 's', '/home/dev/webapp', 'Early', '0.0.0-next-15853', ?, ?)`, ago(100), ago(90))
	insertRow2(t, w, "ses_e", user2("msg_e1", 1, 100, "Hello"))
	insertRow2(t, w, "ses_e", answer2("msg_e2", 2, 95, 90, 0.02, `{"type":"text","text":"Hi there."}`))
	src := newTestSource(dir)
	defer src.Close()
	got, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "ses_e" || got[0].MessageCount != 2 || got[0].CostUSD != 0.02 || got[0].Question != "Hi there." {
		t.Fatalf("sessions %+v, want ses_e with 2 messages, $0.02, asking \"Hi there.\"", got)
	}
	msgs, _, err := src.Messages(context.Background(), "ses_e", MessagePage{Limit: 5})
	if err != nil || len(msgs) != 2 || len(msgs[1].Parts) != 1 || msgs[1].Parts[0].Text != "Hi there." {
		t.Fatalf("page: %+v, %v", msgs, err)
	}
}

// The page shows what OpenCode 2's rows hold: a prompt's text, an
// answer's reasoning, calls with their results or errors and text, a
// command the user ran; not the rows that are bookkeeping. Long fields
// are cut, and read whole through their part's id.
func TestOpenCode2Page(t *testing.T) {
	dir, w := buildFixture2(t)
	big := strings.Repeat("y", MaxPartText+5)
	insertRow2(t, w, "ses_new", answer2("msg_n5", 6, 10, 5, 0,
		`{"type":"text","text":"`+big+`"}`,
		`{"type":"tool","id":"call_3","name":"read","state":{"status":"completed","input":{"path":"big.txt"},"content":[{"type":"text","text":"`+big+`"}]},"time":{"created":1}}`,
		`{"type":"tool","id":"call_4","name":"grep","state":{"status":"streaming","input":"{\"pat"},"time":{"created":1}}`,
		`{"type":"tool","id":"call_5","name":"subagent","state":{"status":"completed","input":{"agent":"explore"},"content":[{"type":"text","text":"found 3"}],"metadata":{"sessionID":"ses_child1","status":"completed"}},"time":{"created":1}}`))
	insertRow2(t, w, "ses_new", row2{id: "msg_n6", typ: "user", seq: 7, created: ago(4), data: `{"text":"See these",` +
		`"files":[{"uri":"file:///home/dev/shot.png","mime":"image/png","name":"shot.png"},` +
		`{"data":"aGVsbG8=","mime":"text/plain","name":"a.txt","source":{"type":"inline"}},"odd"],"time":{"created":1}}`})
	insertRow2(t, w, "ses_new", row2{id: "msg_n7", typ: "compaction", seq: 8, created: ago(3),
		data: `{"status":"completed","reason":"auto","summary":"We fixed the login check.","recent":"","time":{"created":1}}`})
	insertRow2(t, w, "ses_new", row2{id: "msg_n8", typ: "synthetic", seq: 9, created: ago(2), data: `{"text":"for the model only","time":{"created":1}}`})
	failed := answer2("msg_na", 11, 1, 0, 0)
	failed.data = strings.Replace(failed.data, `"content":[]`, `"content":[],"error":{"type":"provider.auth","message":"Invalid API key"}`, 1)
	insertRow2(t, w, "ses_new", failed)
	insertRow2(t, w, "ses_new", row2{id: "msg_n9", typ: "shell", seq: 10, created: ago(1),
		data: `{"shellID":"sh_2","command":"yes","status":"killed","output":{"output":"` + big + `","truncated":false},"time":{"created":1}}`})
	src := newTestSource(dir)
	defer src.Close()
	ctx := context.Background()
	if _, err := src.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	msgs, more, err := src.Messages(ctx, "ses_new", MessagePage{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	// show is a field as the want below says it: a long one by its size.
	show := func(s string) string {
		if len(s) > 100 {
			return fmt.Sprintf("<%d characters>", len(s))
		}
		return s
	}
	var got []string
	for _, m := range msgs {
		line := m.ID + " " + m.Role + ":"
		for _, p := range m.Parts {
			line += " [" + p.ID + " " + p.Type
			for _, f := range []string{p.Tool, p.CallID, p.Status, p.Input, p.Output, p.ToolError, p.Text, p.Mime, p.Filename, p.ChildSession} {
				if f != "" {
					line += " " + show(f)
				}
			}
			if p.URLLen > 0 {
				line += fmt.Sprintf(" %d", p.URLLen)
			}
			line += "]"
		}
		got = append(got, line)
	}
	want := []string{
		"msg_n1 user: [prt_t text   Fix the login bug\nin auth.go]",
		"msg_n2 assistant: [prt_c0 reasoning The token check is inverted.]" +
			` [prt_c2 tool read call_1 completed {"path":"auth.go"} package auth` + "\nfunc Check() {}]" +
			` [prt_c3 tool edit call_2 error {"path":"auth.go"} file changed on disk]` +
			" [prt_c4 text Fixed the check.\nShould I also add a test?]",
		`msg_n3 user: [prt_s command !go test ./...] [prt_s output ok auth]`,
		fmt.Sprintf("msg_n5 assistant: [prt_c0 text <%d characters>]", MaxPartText) +
			fmt.Sprintf(` [prt_c1 tool read call_3 completed {"path":"big.txt"} <%d characters>]`, MaxPartText) +
			` [prt_c2 tool grep call_4 pending {"pat]` +
			// A subagent's call names the session it ran in.
			` [prt_c3 tool subagent call_5 completed {"agent":"explore"} found 3 ses_child1]`,
		// A file told by its name and type; its size by its data, not by
		// its path.
		"msg_n6 user: [prt_t text See these] [prt_f0 file image/png shot.png] [prt_f1 file text/plain a.txt 8]",
		"msg_n7 compaction: [prt_t compaction We fixed the login check.]",
		fmt.Sprintf("msg_n9 user: [prt_s command !yes] [prt_s output <%d characters>]", MaxPartText),
		"msg_na assistant:",
	}
	if more || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("page (more %v):\n%s\nwant:\n%s", more, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// OpenCode 2's error of an answer: {type, message}.
	if e := msgs[len(msgs)-1].Error; e != "provider.auth: Invalid API key" || msgs[len(msgs)-1].Running {
		t.Errorf("a failed answer: error %q, running %v", e, msgs[len(msgs)-1].Running)
	}
	if e := msgs[len(msgs)-2].Error; e != "The command was killed." {
		t.Errorf("a killed command's error: %q", e)
	}
	if text, err := src.PartText(ctx, "ses_new", "msg_n9", part2Shell, "text"); err != nil || text != big {
		t.Errorf("PartText of a command's output: %d characters, %v; want %d", len(text), err, len(big))
	}
	last := msgs[len(msgs)-5]
	if p := last.Parts[0]; len(p.Text) != MaxPartText || p.TextLen != int64(len(big)) {
		t.Errorf("long text: %d of %d characters, want %d of %d", len(p.Text), p.TextLen, MaxPartText, len(big))
	}
	if p := last.Parts[1]; p.OutputLen != int64(len(big)) {
		t.Errorf("long output: length %d, want %d", p.OutputLen, len(big))
	}
	for _, c := range []struct{ part, field, want string }{
		{"prt_c0", "text", big},
		{"prt_c1", "output", big},
		{"prt_c1", "input", `{"path":"big.txt"}`},
	} {
		text, err := src.PartText(ctx, "ses_new", "msg_n5", c.part, c.field)
		if err != nil || text != c.want {
			t.Errorf("PartText %s %s: %d characters, %v; want %d", c.part, c.field, len(text), err, len(c.want))
		}
	}
	if text, err := src.PartText(ctx, "ses_new", "msg_n1", part2Text, "text"); err != nil || text != "  Fix the login bug\nin auth.go" {
		t.Errorf("PartText of the prompt: %q, %v", text, err)
	}
	// A part of another session's message, or one that is not there.
	for _, c := range []struct{ sid, msg, part string }{
		{"ses_run", "msg_n5", "prt_c0"}, {"ses_new", "msg_n5", "prt_c9"}, {"ses_new", "msg_n5", "prt_x0"}, {"ses_new", "msg_n5", "prt_c-1"},
	} {
		if _, err := src.PartText(ctx, c.sid, c.msg, c.part, "text"); !errors.Is(err, ErrNoPart) {
			t.Errorf("PartText %v: %v, want ErrNoPart", c, err)
		}
	}
}

// OpenCode 2 upgrading the database while Helm reads it: it copies a
// session of OpenCode 1 under the same id and goes on with it. The
// session is read from the copy from then on, once, with its new rows.
func TestOpenCode2TakesOverASession(t *testing.T) {
	dir := t.TempDir()
	w := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
	execSQL(t, w, schemaV12)
	execSQL(t, w, schemaV2)
	insertSession(t, w, fxSession{ID: "ses_up", Dir: "/home/dev/webapp", Title: "Upgrade", Version: "1.14.0",
		Created: ago(600), Updated: ago(500), Messages: []fxMessage{
			{ID: "msg_u1", Role: "user", Created: ago(600), Parts: []fxPart{{ID: "prt_u1", Type: "text", Text: "Start", Created: ago(600)}}},
			{ID: "msg_u2", Role: "assistant", Created: ago(590), Completed: ago(500), Cost: 0.5, Model: "claude-sonnet-4-5", Finish: "stop"},
		}})
	src := newTestSource(dir)
	defer src.Close()
	if _, err := src.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	tx, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	// One transaction, as OpenCode 2's import: its copy of the session
	// keeps the session's times.
	if _, err := tx.Exec(`INSERT INTO session_v2 (id, project_id, slug, directory, title, version, time_created, time_updated)
		VALUES ('ses_up', 'prj_1', 's', '/home/dev/webapp', 'Upgrade', '2.0.25', ?, ?)`, ago(600), ago(500)); err != nil {
		t.Fatal(err)
	}
	for _, r := range []row2{
		user2("msg_u1", 1, 600, "Start"),
		answer2("msg_u2", 2, 590, 500, 0.5, `{"type":"text","text":"Started."}`),
		user2("msg_u3", 3, 5, "Go on"),
	} {
		if _, err := tx.Exec(`INSERT INTO session_message VALUES (?, 'ses_up', ?, ?, ?, ?, ?)`, r.id, r.typ, r.seq, r.created, max(r.updated, r.created), r.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	changed, removed := update(t, src, filepath.Join(dir, "opencode.db-wal"))
	assertRemoved(t, removed)
	if len(changed) != 1 || changed[0].MessageCount != 3 || changed[0].CostUSD != 0.5 || changed[0].Status != shared.StatusWorking || changed[0].Version != "2.0.25" {
		t.Fatalf("after the upgrade: %+v, want ses_up from OpenCode 2's rows: 3 messages, $0.50, working", changed)
	}
}

// A call of OpenCode's question tool waits on the user with nothing
// written meanwhile: the session waits (for the question), long after the
// working window, in OpenCode 1's tables and 2's alike; a call of another
// tool left running that long is not a wait on the user.
func TestQuestionToolWaits(t *testing.T) {
	dir, w := buildFixture2(t)
	ask := `{"questions":[{"question":"Which database should I use?","header":"Database","options":[{"label":"SQLite","description":"one file"}]}]}`
	insertSession(t, w, fxSession{ID: "ses_q1", Dir: "/home/dev/api", Title: "Ask 1", Version: "1.14.0",
		Created: ago(900), Updated: ago(900), Messages: []fxMessage{
			{ID: "msg_q1a", Role: "user", Created: ago(900), Parts: []fxPart{{ID: "prt_q1a", Type: "text", Text: "Set up storage", Created: ago(900)}}},
			{ID: "msg_q1b", Role: "assistant", Created: ago(890), Model: "claude-sonnet-4-5"},
		}})
	execSQL(t, w, `INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES ('prt_q1b', 'msg_q1b', 'ses_q1', ?, ?, ?)`,
		ago(890), ago(890), `{"type":"tool","tool":"question","callID":"c1","state":{"status":"running","input":`+ask+`,"time":{"start":1}}}`)
	insertSession2(t, w, "ses_q2", "/home/dev/api", "Ask 2", ago(900), ago(890), 0,
		user2("msg_q2a", 1, 900, "Set up storage"),
		answer2("msg_q2b", 2, 890, 0, 0, `{"type":"text","text":"Let me ask."}`,
			`{"type":"tool","id":"c2","name":"question","state":{"status":"running","input":`+ask+`,"metadata":{}},"time":{"created":1}}`))
	insertSession2(t, w, "ses_q3", "/home/dev/api", "Long build", ago(900), ago(890), 0,
		user2("msg_q3a", 1, 900, "Build it"),
		answer2("msg_q3b", 2, 890, 0, 0, `{"type":"tool","id":"c3","name":"shell","state":{"status":"running","input":{"command":"make"},"metadata":{}},"time":{"created":1}}`))
	src := newTestSource(dir)
	defer src.Close()
	got, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got {
		switch s.ID {
		case "ses_q1", "ses_q2":
			if s.Status != shared.StatusWaiting || s.WaitingFor != shared.ReasonQuestion || s.Question != "Which database should I use?" || s.WaitingSince != ago(890) {
				t.Errorf("%s: %s %q %q since %d, want waiting for its question since %d", s.ID, s.Status, s.WaitingFor, s.Question, s.WaitingSince, ago(890))
			}
		case "ses_q3":
			if s.Status != shared.StatusIdle {
				t.Errorf("ses_q3, a call of another tool: %s, want idle", s.Status)
			}
		}
	}

	// The answer given, the call completes: the question is no more.
	done := answer2("msg_q2b", 2, 890, 0, 0, `{"type":"text","text":"Let me ask."}`,
		`{"type":"tool","id":"c2","name":"question","state":{"status":"completed","input":`+ask+`,"content":[{"type":"text","text":"SQLite"}]},"time":{"created":1}}`)
	execSQL(t, w, `UPDATE session_message SET data = ?, time_updated = ? WHERE id = 'msg_q2b'`, done.data, ago(1))
	changed, _ := update(t, src, filepath.Join(dir, "opencode.db-wal"))
	if len(changed) != 1 || changed[0].ID != "ses_q2" || changed[0].Status != shared.StatusWorking || changed[0].Question != "" {
		t.Errorf("after the answer: %+v, want ses_q2 working with no question", changed)
	}
}

// Without opencode.db, the database of another channel is read, the one
// written last (its -wal counts); with it, none.
func TestChannelDB(t *testing.T) {
	dir := t.TempDir()
	if got := ChannelDB(dir); got != "" {
		t.Errorf("empty folder: %q", got)
	}
	next, beta := filepath.Join(dir, "opencode-next.db"), filepath.Join(dir, "opencode-dev.db")
	writeFile(t, next, "x")
	writeFile(t, beta, "x")
	if err := os.Mkdir(filepath.Join(dir, "opencode-zzz.db"), 0o755); err != nil { // a folder is no database
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{next, beta} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, next+"-wal", "x") // next was written last, in its -wal
	if got := ChannelDB(dir); got != next {
		t.Errorf("two channels: %q, want %q", got, next)
	}
	writeFile(t, filepath.Join(dir, "opencode.db"), "x")
	if got := ChannelDB(dir); got != "" {
		t.Errorf("beside opencode.db: %q, want none", got)
	}
}
