package opencode

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// t0 is the fixtures' epoch (2026-01-02T00:00:00Z) and testNow the
// injected clock, ten minutes later.
const t0 = int64(1767312000000)

var testNow = time.UnixMilli(t0 + 10*60*1000)

func at(sec int64) int64 { return t0 + sec*1000 }

// The schema OpenCode 1.2+ writes (src/session/session.sql.ts, Drizzle),
// with the columns that later versions added.
const schemaV12 = `
CREATE TABLE project (id text PRIMARY KEY, worktree text NOT NULL, vcs text, name text,
  time_created integer NOT NULL, time_updated integer NOT NULL);
CREATE TABLE session (id text PRIMARY KEY, project_id text NOT NULL REFERENCES project(id) ON DELETE CASCADE,
  workspace_id text, parent_id text, slug text NOT NULL, directory text NOT NULL, path text, title text NOT NULL,
  version text NOT NULL, share_url text, summary_additions integer, summary_deletions integer, summary_files integer,
  summary_diffs text, cost real NOT NULL DEFAULT 0, tokens_input integer NOT NULL DEFAULT 0,
  tokens_output integer NOT NULL DEFAULT 0, tokens_reasoning integer NOT NULL DEFAULT 0,
  tokens_cache_read integer NOT NULL DEFAULT 0, tokens_cache_write integer NOT NULL DEFAULT 0,
  revert text, permission text, goal text, agent text, model text,
  time_created integer NOT NULL, time_updated integer NOT NULL, time_compacting integer, time_archived integer);
CREATE INDEX session_project_idx ON session (project_id);
CREATE INDEX session_parent_idx ON session (parent_id);
CREATE TABLE message (id text PRIMARY KEY, session_id text NOT NULL REFERENCES session(id) ON DELETE CASCADE,
  time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE INDEX message_session_time_created_id_idx ON message (session_id, time_created, id);
CREATE TABLE part (id text PRIMARY KEY, message_id text NOT NULL REFERENCES message(id) ON DELETE CASCADE,
  session_id text NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE INDEX part_message_id_id_idx ON part (message_id, id);
CREATE INDEX part_session_idx ON part (session_id);
INSERT INTO project VALUES ('prj_1', '/home/dev/webapp', 'git', 'webapp', 1767000000000, 1767000000000);
`

// fxSession describes one OpenCode session, written either as SQLite rows
// or as legacy JSON files.
type fxSession struct {
	ID, Dir, Title, Version, Parent string
	Created, Updated, Archived      int64
	Messages                        []fxMessage
}

type fxMessage struct {
	ID, Role                                        string
	Created, Completed, Updated                     int64 // Updated: the row's time_updated; 0 = Created
	Input, Output, Reasoning, CacheRead, CacheWrite int64 // int64: counts past 2^31 compile for 32-bit
	Cost                                            float64
	Model, Finish                                   string
	Error                                           bool
	Parts                                           []fxPart
}

type fxPart struct {
	ID, Type, Text   string
	Synthetic        bool
	Created, Updated int64
}

func (m fxMessage) info(sid string, withIDs bool) map[string]any {
	tm := map[string]any{"created": m.Created}
	if m.Completed > 0 {
		tm["completed"] = m.Completed
	}
	d := map[string]any{"role": m.Role, "time": tm}
	if withIDs {
		d["id"], d["sessionID"] = m.ID, sid
	}
	if m.Role == "user" {
		d["agent"] = "build"
		d["model"] = map[string]any{"providerID": "anthropic", "modelID": "claude-sonnet-4-5"}
		return d
	}
	d["parentID"] = "msg_parent"
	d["modelID"], d["providerID"], d["mode"], d["agent"] = m.Model, "anthropic", "build", "build"
	d["path"] = map[string]any{"cwd": "/w", "root": "/w"}
	d["cost"] = m.Cost
	d["tokens"] = map[string]any{"input": m.Input, "output": m.Output, "reasoning": m.Reasoning,
		"cache": map[string]any{"read": m.CacheRead, "write": m.CacheWrite}}
	if m.Finish != "" {
		d["finish"] = m.Finish
	}
	if m.Error {
		d["error"] = map[string]any{"name": "MessageAbortedError", "data": map[string]any{"message": "aborted"}}
	}
	return d
}

func (p fxPart) info(sid, mid string, withIDs bool) map[string]any {
	d := map[string]any{"type": p.Type}
	if withIDs {
		d["id"], d["sessionID"], d["messageID"] = p.ID, sid, mid
	}
	switch p.Type {
	case "text":
		d["text"] = p.Text
		if p.Synthetic {
			d["synthetic"] = true
		}
	case "file":
		d["mime"], d["url"] = "text/plain", "data:text/plain;base64,aGVsbG8="
	}
	return d
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// openWriter opens a writable connection as OpenCode would: WAL, and no
// automatic checkpoint, so commits stay in the -wal until the test says.
func openWriter(t testing.TB, path, journal string) *sql.DB {
	t.Helper()
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	db, err := sql.Open("sqlite", u.String()+"?_pragma=journal_mode("+journal+")&_pragma=wal_autocheckpoint(0)&_pragma=busy_timeout(5000)&_pragma=synchronous(OFF)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	return db
}

func execSQL(t testing.TB, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// insertSession writes s as OpenCode 1.2+ rows.
func insertSession(t testing.TB, db *sql.DB, s fxSession) {
	t.Helper()
	var parent, archived any
	if s.Parent != "" {
		parent = s.Parent
	}
	if s.Archived > 0 {
		archived = s.Archived
	}
	execSQL(t, db, `INSERT INTO session (id, project_id, parent_id, slug, directory, title, version,
		time_created, time_updated, time_archived) VALUES (?, 'prj_1', ?, 'slug', ?, ?, ?, ?, ?, ?)`,
		s.ID, parent, s.Dir, s.Title, s.Version, s.Created, s.Updated, archived)
	for _, m := range s.Messages {
		insertMessage(t, db, s.ID, m)
	}
}

func insertMessage(t testing.TB, db *sql.DB, sid string, m fxMessage) {
	t.Helper()
	upd := max(m.Updated, m.Created, m.Completed)
	execSQL(t, db, `INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)`,
		m.ID, sid, m.Created, upd, mustJSON(t, m.info(sid, false)))
	for _, p := range m.Parts {
		execSQL(t, db, `INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)`,
			p.ID, m.ID, sid, p.Created, max(p.Updated, p.Created), mustJSON(t, p.info(sid, m.ID, false)))
	}
}

// writeLegacy writes s as the JSON tree of OpenCode up to 1.1.
func writeLegacy(t testing.TB, storage string, s fxSession) {
	t.Helper()
	tm := map[string]any{"created": s.Created, "updated": s.Updated}
	if s.Archived > 0 {
		tm["archived"] = s.Archived
	}
	info := map[string]any{"id": s.ID, "version": s.Version, "projectID": "4b825dc6", "directory": s.Dir, "title": s.Title, "time": tm}
	if s.Parent != "" {
		info["parentID"] = s.Parent
	}
	writeFile(t, filepath.Join(storage, "session", "4b825dc6", s.ID+".json"), mustJSON(t, info))
	for _, m := range s.Messages {
		writeLegacyMessage(t, storage, s.ID, m)
	}
}

func writeLegacyMessage(t testing.TB, storage, sid string, m fxMessage) {
	t.Helper()
	writeFile(t, filepath.Join(storage, "message", sid, m.ID+".json"), mustJSON(t, m.info(sid, true)))
	for _, p := range m.Parts {
		writeFile(t, filepath.Join(storage, "part", m.ID, p.ID+".json"), mustJSON(t, p.info(sid, m.ID, true)))
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tree hashes every file under dir, by path relative to dir.
func tree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// newTestSource is a Source over dir with the test clock and a short busy
// timeout.
func newTestSource(dir string) *Source {
	return New(Options{DataDir: dir, Now: func() time.Time { return testNow }, busyTimeout: 100 * time.Millisecond, WaitingWindow: fixtureWaiting})
}

// fixtureWaiting is the waiting window the fixtures were written for:
// their finished sessions are minutes to hours old, and which of them
// still wait is what the tests tell apart. The default is TestWaitingTTL's.
const fixtureWaiting = 30 * time.Minute
