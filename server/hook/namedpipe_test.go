//go:build unix

package hook

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/regular"
	"vibecraft.sh/helm/server/internal/regular/regulartest"
)

// helmd hooks --install over a settings.json that is a named pipe says
// so at once: reading it waited for a writer for ever.
func TestInstallRefusesANamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	regulartest.Mkfifo(t, path)
	err := regulartest.Within(t, "install over a FIFO", func() error {
		_, _, err := Install(path, "helmd hook", time.Now())
		return err
	})
	if !errors.Is(err, regular.ErrNotRegular) {
		t.Errorf("install over a FIFO: %v, want ErrNotRegular", err)
	}
}
