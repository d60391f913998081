package opencode

import (
	"context"
	"database/sql"
	"errors"
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

// A write whose hint a long lock refused shows within a second of the
// lock's end, with no write after it to hint at it: the retries had
// backed off to 8 s, so the list lagged up to 8 s behind the database.
// While the lock lasts, a retry does not wait the list's busy timeout
// (each did, holding up every other source live serves), retries cost
// at most about one a second however long the lock lasts, and once the
// list has caught up nothing is read until the next hint.
func TestLockEndCaughtUpPromptly(t *testing.T) {
	for _, tc := range []struct {
		name, journal string
		// lock takes the lock and writes under it; unlock ends it and
		// writes nothing after.
		lock, unlock []string
	}{
		{"rollback journal, a writer's transaction", "DELETE",
			[]string{"BEGIN EXCLUSIVE", "UPDATE session SET title = 'renamed', time_updated = time_updated + 1 WHERE id = 'ses_aaa'"},
			[]string{"COMMIT"}},
		{"WAL, exclusive locking mode", "WAL",
			[]string{"PRAGMA locking_mode = EXCLUSIVE", "UPDATE session SET title = 'renamed', time_updated = time_updated + 1 WHERE id = 'ses_aaa'"},
			[]string{"PRAGMA locking_mode = NORMAL", "SELECT count(*) FROM session"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, w := buildFixture(t, tc.journal)
			dbPath := filepath.Join(dir, "opencode.db")
			now := testNow
			const listBusy = 200 * time.Millisecond
			src := New(Options{DataDir: dir, Now: func() time.Time { return now }, WaitingWindow: fixtureWaiting,
				busyTimeout: 5 * time.Second, listBusy: listBusy})
			defer src.Close()
			scan(t, src)
			// In WAL mode the list's open handle would keep the writer
			// from exclusive mode: the lock is taken while it is closed.
			src.closeDB()
			ctx := context.Background()
			conn, err := w.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, q := range tc.lock {
				if _, err := conn.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			var reads, probes int
			src.listRead = func() { reads++ }
			src.lockProbe = func() { probes++ }
			update(t, src, dbPath) // the write's hint, refused
			if st := src.Status(); st.DBState != StateLocked {
				t.Fatalf("status %+v, want locked", st)
			}
			renamed := false
			wake := func() { // what live does at each NextChange
				next := src.NextChange()
				if next.IsZero() {
					t.Fatal("nothing due while a lock holds back a write")
				}
				now = next
				changed, _ := src.Aged()
				for _, s := range changed {
					renamed = renamed || s.ID == wantA.ID && s.Title == "renamed"
				}
			}
			reads, probes = 0, 0
			const lockLasts = time.Minute
			for end := now.Add(lockLasts); now.Before(end); {
				start := time.Now()
				wake()
				if took := time.Since(start); took >= listBusy {
					t.Fatalf("a retry while locked took %v: the list's busy wait, which holds up every other source", took)
				}
			}
			// Another write's hint while the lock lasts: no wait either.
			start := time.Now()
			if changed, removed := update(t, src, dbPath); len(changed)+len(removed) != 0 {
				t.Errorf("locked: changed %v, removed %v", changed, removed)
			}
			if took := time.Since(start); took >= listBusy {
				t.Fatalf("a hint while locked took %v: the list's busy wait, which holds up every other source", took)
			}
			if renamed || src.Status().DBState != StateLocked {
				t.Fatalf("the lock ended by itself (renamed %v, %+v)", renamed, src.Status())
			}
			if most := int(lockLasts/lockRetryMax) + 5; reads+probes > most {
				t.Errorf("%d reads and %d probes in a %v lock, want at most %d", reads, probes, lockLasts, most)
			}
			for _, q := range tc.unlock {
				if _, err := conn.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			unlocked := now
			for !renamed {
				wake()
				if now.Sub(unlocked) > time.Second {
					t.Fatalf("the write under the lock still not shown %v after its end", now.Sub(unlocked))
				}
			}
			// Caught up: whatever else is due (the sessions' windows),
			// the database is not touched again without a hint.
			reads, probes = 0, 0
			for wakes := 0; !src.NextChange().IsZero(); wakes++ {
				if wakes > 100 {
					t.Fatalf("still waking at %v", src.NextChange())
				}
				wake()
			}
			if reads+probes != 0 || src.probe != nil {
				t.Errorf("after the lock: %d reads, %d probes, probe handle open %v", reads, probes, src.probe != nil)
			}
		})
	}
}

// A session page that another program's lock refuses says so well
// within a person's patience, with the busy timeouts helmd runs with:
// it waited the page's 3 s busy timeout first, a blank page all along.
// The deadline is the request's: a page still waiting at 2.5 s fails.
func TestLockedPageAnswersSoon(t *testing.T) {
	dir, w := buildFixture(t, "DELETE")
	src := New(Options{DataDir: dir, Now: func() time.Time { return testNow }, WaitingWindow: fixtureWaiting})
	defer src.Close()
	scan(t, src)
	lockDB(t, w)
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	if _, _, err := src.Messages(ctx, wantA.ID, MessagePage{Limit: 10}); !errors.Is(err, ErrBusy) || ctx.Err() != nil {
		t.Fatalf("a page while locked: %v (request %v), want ErrBusy before the request's deadline", err, ctx.Err())
	}
}
