package opencode

import (
	"context"
	"database/sql"
	"path/filepath"
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
		busyTimeout: 5 * time.Second})
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
