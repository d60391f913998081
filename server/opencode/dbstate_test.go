package opencode

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// jsonOnly writes the legacy fixture alone (no database).
func jsonOnly(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, s := range []fxSession{sesDupJSON, sesJSON} {
		writeLegacy(t, filepath.Join(dir, "storage"), s)
	}
	return dir
}

func scan(t *testing.T, src *Source) []shared.Session {
	t.Helper()
	got, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A database that cannot be read leaves the JSON sessions shown and says
// why in Status.
func TestUnreadableDatabase(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		state string
	}{
		{"missing", func(t *testing.T, dir string) {}, StateMissing},
		{"corrupt", func(t *testing.T, dir string) {
			b := make([]byte, 8192)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			writeFile(t, filepath.Join(dir, "opencode.db"), string(b))
		}, StateCorrupt},
		{"no session table", func(t *testing.T, dir string) {
			w := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
			execSQL(t, w, `CREATE TABLE conversation (id text PRIMARY KEY)`)
		}, StateUnsupported},
		{"OpenCode 2's message table without a required column", func(t *testing.T, dir string) {
			w := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
			execSQL(t, w, `CREATE TABLE session_v2 (id text PRIMARY KEY, directory text, title text, time_created integer, time_updated integer)`)
			execSQL(t, w, `CREATE TABLE session_message (id text PRIMARY KEY, session_id text, seq integer, data text)`)
		}, StateUnsupported},
		{"session table without a required column", func(t *testing.T, dir string) {
			w := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
			execSQL(t, w, `CREATE TABLE session (id text PRIMARY KEY, title text, time_created integer, time_updated integer)`)
			execSQL(t, w, `CREATE TABLE message (id text PRIMARY KEY, session_id text, data text)`)
		}, StateUnsupported},
		{"a folder where the file should be", func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, "opencode.db"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, StateError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := jsonOnly(t)
			tc.setup(t, dir)
			src := newTestSource(dir)
			defer src.Close()
			assertSessions(t, scan(t, src), wantDupJSON, wantJSON)
			st := src.Status()
			if st.DBState != tc.state || st.SessionsFromDB != 0 || st.SessionsFromJSON != 2 {
				t.Errorf("status %+v, want state %q", st, tc.state)
			}
			if tc.state != StateMissing && st.LastError == "" {
				t.Error("no error reported")
			}
			// What is missing is said of the tables of the OpenCode
			// the database is of.
			if v2 := strings.Contains(tc.name, "OpenCode 2"); v2 != strings.Contains(st.LastError, "session_message table has no type column") {
				t.Errorf("error %q: OpenCode 2's missing column named %v, want %v", st.LastError, !v2, v2)
			}
		})
	}
}

// A writer holding an exclusive lock makes reads fail after the busy
// timeout: what was read before stays, and nothing is reported removed.
func TestLockedDatabase(t *testing.T) {
	tests := []struct {
		journal string
		lock    []string
		// readFirst: the source reads before the lock is taken. Not in WAL
		// mode, where an open reader keeps the writer from locking it out.
		readFirst bool
	}{
		// In rollback-journal mode BEGIN EXCLUSIVE locks readers out.
		{"DELETE", []string{"BEGIN EXCLUSIVE"}, true},
		// In WAL mode it does not; exclusive locking mode plus a write does.
		{"WAL", []string{"PRAGMA locking_mode=EXCLUSIVE", "BEGIN EXCLUSIVE", "UPDATE project SET name = 'x'"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.journal, func(t *testing.T) {
			dir, w := buildFixture(t, tc.journal)
			src := newTestSource(dir)
			defer src.Close()
			all := []shared.Session{wantA, wantB, wantChild, wantDup, wantJSON}
			if tc.readFirst {
				assertSessions(t, scan(t, src), all...)
			}

			ctx := context.Background()
			conn, err := w.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range tc.lock {
				if _, err := conn.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if tc.readFirst {
				changed, removed := update(t, src, filepath.Join(dir, "opencode.db"), filepath.Join(dir, "opencode.db-wal"))
				assertSessions(t, changed)
				assertRemoved(t, removed)
				if st := src.Status(); st.DBState != StateLocked || !strings.Contains(st.LastError, "locked") {
					t.Errorf("status %+v, want locked", st)
				}
				assertSessions(t, scan(t, src), all...) // a rescan keeps them too
				// A session's page says the lock, which the API answers 503,
				// not an internal error.
				if _, _, err := src.Messages(ctx, wantA.ID, MessagePage{Limit: 10}); !errors.Is(err, ErrBusy) {
					t.Errorf("a page while locked: %v, want ErrBusy", err)
				}
			}

			// A source that never read the database shows the JSON copies.
			fresh := newTestSource(dir)
			defer fresh.Close()
			assertSessions(t, scan(t, fresh), wantDupJSON, wantJSON)
			if st := fresh.Status(); st.DBState != StateLocked {
				t.Errorf("fresh status %+v, want locked", st)
			}

			if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, "PRAGMA locking_mode=NORMAL"); err != nil {
				t.Fatal(err)
			}
			// The lock is released at the next access in normal mode.
			if _, err := conn.ExecContext(ctx, "SELECT count(*) FROM session"); err != nil {
				t.Fatal(err)
			}
			conn.Close()
			if tc.readFirst {
				changed, removed := update(t, src, filepath.Join(dir, "opencode.db"))
				assertSessions(t, changed)
				assertRemoved(t, removed)
				if st := src.Status(); st.DBState != StateOK || st.LastError != "" {
					t.Errorf("status after unlock %+v", st)
				}
			}
			changed, removed := update(t, fresh, filepath.Join(dir, "opencode.db"))
			assertSessions(t, changed, wantA, wantB, wantChild, wantDup) // ses_dup now from SQLite
			assertRemoved(t, removed)
		})
	}
}

// The database going away, coming back, and being replaced.
func TestDatabaseLifecycle(t *testing.T) {
	dir, w := buildFixture(t, "WAL")
	dbPath := filepath.Join(dir, "opencode.db")
	src := newTestSource(dir)
	defer src.Close()
	scan(t, src)
	w.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(dbPath + suffix)
	}
	changed, removed := update(t, src, dbPath)
	assertSessions(t, changed, wantDupJSON)
	assertRemoved(t, removed, "ses_aaa", "ses_bbb", "ses_ddd")
	if st := src.Status(); st.DBState != StateMissing {
		t.Errorf("status %+v, want missing", st)
	}

	// A new database at the same path, with one session.
	w2 := openWriter(t, dbPath, "WAL")
	execSQL(t, w2, schemaV12)
	insertSession(t, w2, sesChild)
	changed, removed = update(t, src, dbPath)
	assertSessions(t, changed, wantChild)
	assertRemoved(t, removed)
	if st := src.Status(); st.DBState != StateOK {
		t.Errorf("status %+v, want ok", st)
	}
}

// An older or trimmed schema: optional columns and the part table absent.
func TestMinimalSchema(t *testing.T) {
	dir := t.TempDir()
	w := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
	execSQL(t, w, `CREATE TABLE session (id text PRIMARY KEY, directory text NOT NULL, title text NOT NULL,
		time_created integer NOT NULL, time_updated integer NOT NULL)`)
	execSQL(t, w, `CREATE TABLE message (id text PRIMARY KEY, session_id text NOT NULL, data text NOT NULL)`)
	execSQL(t, w, `INSERT INTO session VALUES ('ses_min', '/m/proj', 'Minimal', ?, ?)`, at(0), at(10))
	for _, m := range sesA.Messages {
		execSQL(t, w, `INSERT INTO message VALUES (?, 'ses_min', ?)`, m.ID, mustJSON(t, m.info("ses_min", false)))
	}
	src := newTestSource(dir)
	defer src.Close()
	want := shared.Session{ID: "ses_min", Source: shared.SourceOpenCode, ProjectPath: "/m/proj", ProjectName: "proj",
		Title: "Minimal", Model: "claude-opus-4-1", MessageCount: 3,
		Tokens:  shared.Tokens{Input: 1300, Output: 430, CacheRead: 8200, CacheWrite: 500},
		CostUSD: cost(0, 0.0123, 0.001), Status: shared.StatusWaiting, WaitingFor: "input needed", WaitingSince: at(55), CreatedAt: at(0), UpdatedAt: at(55),
		WorkMs: wantA.WorkMs}
	assertSessions(t, scan(t, src), want)
	if st := src.Status(); st.DBState != StateOK {
		t.Errorf("status %+v", st)
	}
	// Without time_updated on messages every hint reads everything, and
	// still reports only what changed.
	execSQL(t, w, `INSERT INTO message VALUES ('msg_a4', 'ses_min', ?)`,
		mustJSON(t, fxMessage{Role: "user", Created: at(60)}.info("ses_min", false)))
	changed, _ := update(t, src, filepath.Join(dir, "opencode.db-wal"))
	want.MessageCount, want.UpdatedAt, want.Status = 4, at(60), shared.StatusIdle // an old unanswered prompt
	want.WaitingFor, want.WaitingSince = "", 0
	assertSessions(t, changed, want)
	changed, _ = update(t, src, filepath.Join(dir, "opencode.db-wal"))
	assertSessions(t, changed)
}

// Reading never writes: the database and the JSON tree are byte for byte
// what they were, and the only files that may appear are the -wal and
// -shm a read-only open of a WAL database makes.
func TestReadOnly(t *testing.T) {
	dir, w := buildFixture(t, "WAL")
	w.Close() // checkpoints, and removes the -wal
	before := tree(t, dir)
	if _, ok := before["opencode.db-wal"]; ok {
		t.Fatal("the -wal survived the writer's close")
	}
	src := newTestSource(dir)
	scan(t, src)
	update(t, src, filepath.Join(dir, "opencode.db"), filepath.Join(dir, "opencode.db-wal"))
	src.Sessions()
	scan(t, src)
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	after := tree(t, dir)
	for p, sum := range before {
		if after[p] != sum {
			t.Errorf("%s changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok && p != "opencode.db-wal" && p != "opencode.db-shm" {
			t.Errorf("%s created", p)
		}
	}
}

// A state is logged when it changes, not on every read. A JSON-only
// install (OpenCode before 1.2: no opencode.db) is a fact, logged at
// info, never a warning or an error.
func TestStateLoggedOnce(t *testing.T) {
	dir := jsonOnly(t)
	dbPath := filepath.Join(dir, "opencode.db")
	var logs strings.Builder
	src := New(Options{DataDir: dir, Now: func() time.Time { return testNow },
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer src.Close()
	warns := func() int {
		return strings.Count(logs.String(), "level=WARN") + strings.Count(logs.String(), "level=ERROR")
	}

	if got := scan(t, src); len(got) == 0 {
		t.Fatal("the JSON sessions are not listed")
	}
	scan(t, src)
	if warns() != 0 || strings.Count(logs.String(), "level=INFO msg=\"no OpenCode database; reading its JSON storage\"") != 1 {
		t.Fatalf("JSON only: want one info line, no warning\n%s", logs.String())
	}
	writeFile(t, dbPath, strings.Repeat("not a database ", 300))
	update(t, src, dbPath)
	update(t, src, dbPath)
	if warns() != 1 || !strings.Contains(logs.String(), "state=corrupt") {
		t.Fatalf("corrupt: %d warnings\n%s", warns(), logs.String())
	}
	os.Remove(dbPath)
	w := openWriter(t, dbPath, "WAL")
	execSQL(t, w, schemaV12)
	update(t, src, dbPath)
	update(t, src, dbPath)
	if warns() != 1 || strings.Count(logs.String(), "readable again") != 1 {
		t.Fatalf("recovered:\n%s", logs.String())
	}
}

// The database path goes into a URI: characters that mean something
// there must not break it.
func TestOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data dir ?#%é&mode=rw")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
	execSQL(t, w, schemaV12)
	insertSession(t, w, sesChild)
	src := newTestSource(dir)
	defer src.Close()
	assertSessions(t, scan(t, src), wantChild)
	if st := src.Status(); st.DBState != StateOK {
		t.Errorf("status %+v", st)
	}
}

// A page read that another program's lock holds up holds up nothing
// else: the session's models and file, and the list from memory, answer
// while it waits. They waited the busy timeout with it.
func TestPageReadWaitsAlone(t *testing.T) {
	dir, w := buildFixture(t, "DELETE")
	src := New(Options{DataDir: dir, Now: func() time.Time { return testNow }, busyTimeout: 5 * time.Second, WaitingWindow: fixtureWaiting})
	defer src.Close()
	scan(t, src)
	ctx := context.Background()
	conn, err := w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	reading := make(chan struct{})
	src.pageRead = func() { close(reading) }
	pageDone := make(chan error, 1)
	go func() {
		_, _, err := src.Messages(ctx, wantA.ID, MessagePage{Limit: 10})
		pageDone <- err
	}()
	<-reading
	othersDone := make(chan struct{})
	go func() {
		src.Models(wantA.ID)
		src.TranscriptPath(wantA.ID)
		src.Sessions()
		close(othersDone)
	}()
	select {
	case <-othersDone:
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		if err := <-pageDone; err != nil {
			t.Errorf("the page read once the lock went: %v", err)
		}
	case err := <-pageDone:
		t.Errorf("the page read (%v) ended before the reads that need no database", err)
		<-othersDone
	}
}
