//go:build unix

package opencode

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A -shm or -wal beside opencode.db that is a named pipe is no index and
// no pending frame, said at once: opening it waited for a writer for ever,
// and with it every read of the database.
func TestNamedPipesBesideTheDatabase(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "opencode.db")
	for _, suffix := range []string{"-shm", "-wal"} {
		if err := syscall.Mkfifo(dbPath+suffix, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan [2]bool, 1)
	go func() {
		idx, ok := readWALIndex(dbPath)
		done <- [2]bool{ok, walPending(dbPath, idx)}
	}()
	select {
	case got := <-done:
		if got[0] || got[1] {
			t.Errorf("index read %v, frames pending %v; want neither", got[0], got[1])
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reading a FIFO -shm and -wal: no answer in 10 s")
	}
}
