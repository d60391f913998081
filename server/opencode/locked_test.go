package opencode

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockDB takes w's database away from readers: BEGIN EXCLUSIVE in
// rollback-journal mode, as a writer holds it while it commits. The
// connection is returned to end the transaction with.
func lockDB(t *testing.T, w *sql.DB) *sql.Conn {
	t.Helper()
	conn, err := w.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	return conn
}

// A list update that another program's lock holds in SQLite's busy wait
// holds up nothing else: the session page's models, file and usage, and
// the status, answer while it waits. They waited the busy timeout with it,
// since the update held the Source's lock throughout.
func TestListReadWaitsAlone(t *testing.T) {
	dir, w := buildFixture(t, "DELETE")
	src := New(Options{DataDir: dir, Now: func() time.Time { return testNow }, WaitingWindow: fixtureWaiting,
		busyTimeout: 5 * time.Second, listBusy: 5 * time.Second})
	defer src.Close()
	scan(t, src)
	conn := lockDB(t, w)
	reading := make(chan struct{})
	var once sync.Once
	src.listRead = func() { once.Do(func() { close(reading) }) }
	ctx := context.Background()
	updateDone := make(chan struct{})
	go func() {
		defer close(updateDone)
		if _, _, err := src.Update(ctx, []string{filepath.Join(dir, "opencode.db")}); err != nil {
			t.Errorf("update: %v", err)
		}
	}()
	<-reading
	othersDone := make(chan struct{})
	go func() {
		defer close(othersDone)
		if _, err := src.Models(wantA.ID); err != nil {
			t.Errorf("models: %v", err)
		}
		if src.TranscriptPath(wantA.ID) == "" {
			t.Error("no transcript path")
		}
		src.Usage(wantA.ID)
		src.Status()
	}()
	select {
	case <-othersDone:
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		<-updateDone
	case <-updateDone:
		t.Error("the update ended before the reads that need no database")
		<-othersDone
	}
}

// An update that cannot get the database gives up within the list's own
// short busy timeout (the Run loop, and with it every other source, waited
// the page's 3 s), keeps what it showed, says so once, and reads again on
// a timer: a change committed with the lock's release, and no write after
// it to hint at it, reaches the list.
func TestLockedUpdateRetries(t *testing.T) {
	dir, w := buildFixture(t, "DELETE")
	dbPath := filepath.Join(dir, "opencode.db")
	now := testNow
	var logs strings.Builder
	src := New(Options{DataDir: dir, Now: func() time.Time { return now }, WaitingWindow: fixtureWaiting,
		busyTimeout: 5 * time.Second, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer src.Close()
	scan(t, src)
	conn := lockDB(t, w)
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, "UPDATE session SET title = 'renamed', time_updated = time_updated + 1 WHERE id = ?", wantA.ID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		start := time.Now()
		changed, removed := update(t, src, dbPath)
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("a locked update took %v: the page's busy timeout, not the list's", took)
		}
		if len(changed)+len(removed) != 0 {
			t.Errorf("locked: changed %v, removed %v", changed, removed)
		}
	}
	if st := src.Status(); st.DBState != StateLocked || st.SessionsFromDB == 0 {
		t.Errorf("status %+v, want locked with the sessions read before", st)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	// No hint comes: only the timer, NextChange, can bring the title.
	renamed := false
	for wakes := 0; !renamed; wakes++ {
		next := src.NextChange()
		if next.IsZero() || next.After(now.Add(lockRetryMax)) || wakes > 20 {
			t.Fatalf("no read of the database due (next %v after %d wakes)", next, wakes)
		}
		now = next
		changed, _ := src.Aged()
		for _, s := range changed {
			renamed = renamed || s.ID == wantA.ID && s.Title == "renamed"
		}
	}
	if st := src.Status(); st.DBState != StateOK {
		t.Errorf("status %+v after the retry", st)
	}
	if strings.Count(logs.String(), "state=locked") != 1 || strings.Count(logs.String(), "readable again") != 1 {
		t.Errorf("want one line for the lock and one for its end, whatever the reads refused:\n%s", logs.String())
	}
}
