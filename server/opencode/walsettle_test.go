package opencode

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// A commit published while an update reads (after the -wal event that
// triggered it) is read by the same update.
func TestUpdateCatchesCommitDuringRead(t *testing.T) {
	dir, w := buildFixture(t, "WAL")
	src := newTestSource(dir)
	defer src.Close()
	scan(t, src)
	committed := false
	src.afterRead = func() {
		if !committed {
			committed = true
			insertSession(t, w, sesJSONOnlyInDB)
		}
	}
	changed, removed := update(t, src, filepath.Join(dir, "opencode.db-wal"))
	if !committed {
		t.Fatal("the hook did not run")
	}
	assertSessions(t, changed, wantLate)
	assertRemoved(t, removed)
}

var (
	sesJSONOnlyInDB = fxSession{ID: "ses_late", Dir: "/l", Title: "Late", Version: "1.2.3", Created: at(100), Updated: at(100)}
	wantLate        = shared.Session{ID: "ses_late", Source: shared.SourceOpenCode, ProjectPath: "/l", ProjectName: "l",
		Title: "Late", Status: shared.StatusIdle, CreatedAt: at(100), UpdatedAt: at(100), Version: "1.2.3"}
)

// Frames written to the -wal but not yet published in the -shm are told
// from stale ones, and an update waits for them only a bounded time.
func TestWALPending(t *testing.T) {
	dir, _ := buildFixture(t, "WAL")
	dbPath := filepath.Join(dir, "opencode.db")
	idx, ok := readWALIndex(dbPath)
	if !ok {
		t.Fatal("no wal-index")
	}
	if walPending(dbPath, idx) {
		t.Fatal("pending right after a commit")
	}
	wal, err := os.OpenFile(dbPath+"-wal", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer wal.Close()
	var hdr [walHeaderSize]byte
	if _, err := wal.ReadAt(hdr[:], 0); err != nil {
		t.Fatal(err)
	}
	pageSize := int64(binary.BigEndian.Uint32(hdr[8:12]))
	mxFrame := int64(binary.NativeEndian.Uint32(idx[16:20]))
	end := walHeaderSize + mxFrame*(walFrameHeaderSize+pageSize)
	frame := make([]byte, walFrameHeaderSize+pageSize)

	// A frame of an older generation past the end: stale.
	copy(frame[8:16], hdr[16:24])
	frame[8] ^= 0xff
	if _, err := wal.WriteAt(frame, end); err != nil {
		t.Fatal(err)
	}
	if walPending(dbPath, idx) {
		t.Error("a stale frame counts as pending")
	}

	// A frame of the current generation past the end: pending.
	copy(frame[8:16], hdr[16:24])
	if _, err := wal.WriteAt(frame, end); err != nil {
		t.Fatal(err)
	}
	if !walPending(dbPath, idx) {
		t.Fatal("an unpublished frame does not count as pending")
	}
	src := New(Options{DataDir: dir, Now: func() time.Time { return testNow }, settle: 20 * time.Millisecond, WaitingWindow: fixtureWaiting})
	defer src.Close()
	scan(t, src)
	changed, removed := update(t, src, dbPath+"-wal")
	assertSessions(t, changed)
	assertRemoved(t, removed)
	if src.settler.unsettled != idx {
		t.Error("the state waited for in vain is not remembered")
	}
	if _, err := src.db.ExecContext(context.Background(), "SELECT 1"); err != nil {
		t.Errorf("database unusable after the wait: %v", err)
	}
}
