package main

import (
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// openCodeSchema is the part of OpenCode's v1.2+ schema Helm reads.
const openCodeSchema = `
CREATE TABLE project (id text PRIMARY KEY, worktree text NOT NULL, vcs text, name text, time_created integer NOT NULL, time_updated integer NOT NULL);
CREATE TABLE session (id text PRIMARY KEY, project_id text NOT NULL, workspace_id text, parent_id text, slug text NOT NULL,
  directory text NOT NULL, path text, title text NOT NULL, version text NOT NULL, share_url text, cost real NOT NULL DEFAULT 0,
  time_created integer NOT NULL, time_updated integer NOT NULL, time_compacting integer, time_archived integer);
CREATE TABLE message (id text PRIMARY KEY, session_id text NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE INDEX message_session_idx ON message (session_id, time_created, id);
CREATE TABLE part (id text PRIMARY KEY, message_id text NOT NULL, session_id text NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE INDEX part_session_idx ON part (session_id);
INSERT INTO project VALUES ('prj_1', '/home/dev/webapp', 'git', 'webapp', 1767000000000, 1767000000000);
`

// openWriter creates opencode.db in WAL mode under dataDir and returns a
// writing connection that never checkpoints, so commits stay in the WAL
// as they do while OpenCode runs.
func openWriter(t *testing.T, dataDir string) *sql.DB {
	t.Helper()
	return openWriterOf(t, filepath.Join(dataDir, "opencode.db"), openCodeSchema)
}

// openWriterOf is openWriter of the database file path, with the tables
// schema makes.
func openWriterOf(t *testing.T, path, schema string) *sql.DB {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	return db
}

func sqlExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestOpenCodeRowsReachTheStream: a session committed by OpenCode (to the
// WAL only) appears as session-created, a new message as session-updated,
// beside Claude sessions on /api/sessions/stream and never on the
// Claude-only paths.
func TestOpenCodeRowsReachTheStream(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	db := openWriter(t, filepath.Join(xdg, "opencode"))
	claudeRoot := t.TempDir()
	const csid = "c1a0de00-0000-4000-8000-000000000001"
	fixture.Append(t, fixture.Path(claudeRoot, "/home/dev/webapp", csid), fixture.User(csid, "/home/dev/webapp", "claude side", time.Now()))

	srv := startOpenCodeHelmd(t, claudeRoot, filepath.Join(xdg, "opencode"))
	all := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	onlyClaude := ssetest.Connect(t, srv.URL+"/api/claude-sessions/stream", "")
	all.Next(t, 5*time.Second)
	onlyClaude.Next(t, 5*time.Second)

	now := time.Now().UnixMilli()
	const sid = "ses_6a1f0e2d3c4bAbCdEfGhIjKlMn"
	sqlExec(t, db, `INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated) VALUES (?, 'prj_1', 'quiet-otter', '/home/dev/webapp', 'Fix flaky login test', '1.2.3', ?, ?)`, sid, now, now)
	ev := all.Wait(t, 5*time.Second, "the OpenCode session created", ssetest.Of(shared.EventSessionCreated, sid, nil))
	if s, _ := ev.Has(sid); s.Source != shared.SourceOpenCode || s.ProjectName != "webapp" || s.Title != "Fix flaky login test" {
		t.Fatalf("created: %+v", s)
	}

	sqlExec(t, db, `INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES ('msg_1', ?, ?, ?, ?)`, sid, now+1, now+1,
		`{"role":"user","time":{"created":`+fmt.Sprint(now+1)+`}}`)
	sqlExec(t, db, `INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES ('msg_2', ?, ?, ?, ?)`, sid, now+2, now+3,
		`{"role":"assistant","time":{"created":`+fmt.Sprint(now+2)+`,"completed":`+fmt.Sprint(now+3)+`},"modelID":"claude-sonnet-4-5","providerID":"anthropic","cost":0.0123,"tokens":{"input":1200,"output":340,"reasoning":60,"cache":{"read":8000,"write":500}},"finish":"stop"}`)
	sqlExec(t, db, `UPDATE session SET time_updated = ? WHERE id = ?`, now+3, sid)
	ev = all.Wait(t, 5*time.Second, "the OpenCode session updated", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.MessageCount == 2 }))
	if s, _ := ev.Has(sid); s.Tokens != (shared.Tokens{Input: 1200, Output: 400, CacheRead: 8000, CacheWrite: 500}) || s.CostUSD != 0.0123 || s.Status != shared.StatusWaiting {
		t.Fatalf("updated: %+v", s)
	}

	// The Claude-only paths never carry it.
	for _, s := range srv.sessionsAt(t, "/api/claude-sessions/all") {
		if s.Source != shared.SourceClaude {
			t.Fatalf("claude-sessions/all lists %s", s.Key())
		}
	}
	// A Claude change marks the end: nothing before it on the Claude-only
	// stream may carry the OpenCode session.
	fixture.Append(t, fixture.Path(claudeRoot, "/home/dev/webapp", csid), fixture.Assistant(csid, "/home/dev/webapp", "msg_c", "end_turn", time.Now()))
	onlyClaude.Wait(t, 5*time.Second, "the Claude update on the Claude-only stream", func(ev ssetest.Event) bool {
		if _, ok := ev.Has(sid); ok {
			t.Fatalf("the Claude-only stream carried an OpenCode session: %s", ev.Type)
		}
		_, ok := ev.Has(csid)
		return ev.Type == string(shared.EventSessionUpdated) && ok
	})
}

// TestBrokenOpenCodeDatabaseSparesClaude: a corrupt or locked database is
// reported, and Claude sessions are served all the same.
func TestBrokenOpenCodeDatabaseSparesClaude(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dataDir string)
		state string
	}{
		{"corrupt", func(t *testing.T, dataDir string) {
			junk := make([]byte, 64<<10)
			rand.Read(junk)
			writeFile(t, filepath.Join(dataDir, "opencode.db"), junk)
		}, "corrupt"},
		{"locked by a writer", func(t *testing.T, dataDir string) {
			os.MkdirAll(dataDir, 0o755)
			db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "opencode.db")+"?_pragma=busy_timeout(100)")
			if err != nil {
				t.Fatal(err)
			}
			db.SetMaxOpenConns(1)
			t.Cleanup(func() { db.Close() })
			sqlExec(t, db, openCodeSchema)
			sqlExec(t, db, "PRAGMA locking_mode=EXCLUSIVE")
			sqlExec(t, db, "BEGIN EXCLUSIVE")
			sqlExec(t, db, "UPDATE project SET name = 'x'")
		}, "locked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xdg := t.TempDir()
			t.Setenv("XDG_DATA_HOME", xdg)
			tc.setup(t, filepath.Join(xdg, "opencode"))
			claudeRoot := t.TempDir()
			const csid = "c1a0de00-0000-4000-8000-000000000002"
			fixture.Append(t, fixture.Path(claudeRoot, "/home/dev/api", csid), fixture.User(csid, "/home/dev/api", "still served", time.Now()))
			srv := startOpenCodeHelmd(t, claudeRoot, filepath.Join(xdg, "opencode"))
			if ss := srv.sessions(t); len(ss) != 1 || ss[0].ID != csid {
				t.Fatalf("Claude sessions: %+v", ss)
			}
			var doc struct{ OpenCode struct{ DBState string } }
			getJSON(t, srv.URL+"/api/status", &doc)
			if doc.OpenCode.DBState != tc.state {
				t.Fatalf("opencode dbState = %q, want %q", doc.OpenCode.DBState, tc.state)
			}
		})
	}
}
