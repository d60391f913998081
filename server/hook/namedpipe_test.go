//go:build unix

package hook

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/regular"
)

// helmd hooks --install over a settings.json that is a named pipe says
// so at once: reading it waited for a writer for ever.
func TestInstallRefusesANamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, _, err := Install(path, "helmd hook", time.Now()); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, regular.ErrNotRegular) {
			t.Errorf("install over a FIFO: %v, want ErrNotRegular", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("install over a FIFO: no answer in 10 s")
	}
}
