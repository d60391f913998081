//go:build unix

package opencode

import (
	"path/filepath"
	"testing"

	"vibecraft.sh/helm/server/internal/regular/regulartest"
)

// A -shm or -wal beside opencode.db that is a named pipe is no index and
// no pending frame, said at once: opening it waited for a writer for ever,
// and with it every read of the database.
func TestNamedPipesBesideTheDatabase(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "opencode.db")
	regulartest.Mkfifo(t, dbPath+"-shm")
	regulartest.Mkfifo(t, dbPath+"-wal")
	got := regulartest.Within(t, "reading a FIFO -shm and -wal", func() [2]bool {
		idx, ok := readWALIndex(dbPath)
		return [2]bool{ok, walPending(dbPath, idx)}
	})
	if got[0] || got[1] {
		t.Errorf("index read %v, frames pending %v; want neither", got[0], got[1])
	}
}
