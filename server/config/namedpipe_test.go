//go:build unix

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/internal/regular/regulartest"
)

// A token file that is a named pipe is refused at once by helmd, the
// commands and the hook (ReadToken); one that is a link to an endless
// device reads its bound and is refused as no token.
func TestTokenFileThatIsNoFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "token")
	regulartest.Mkfifo(t, fifo)
	if err := regulartest.Within(t, "LoadOrCreateToken of a FIFO", func() error {
		_, _, err := LoadOrCreateToken(fifo)
		return err
	}); err == nil || !strings.Contains(err.Error(), fifo+" is not a regular file") {
		t.Errorf("LoadOrCreateToken of a FIFO: %v, want it named as not a regular file", err)
	}
	readToken := func(path string) func() error {
		return func() error { _, err := ReadToken(path); return err }
	}
	if err := regulartest.Within(t, "ReadToken of a FIFO", readToken(fifo)); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadToken of a FIFO: %v, want not a regular file", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		zero := filepath.Join(dir, "zero")
		if err := os.Symlink("/dev/zero", zero); err != nil {
			t.Fatal(err)
		}
		if err := regulartest.Within(t, "ReadToken of /dev/zero", readToken(zero)); err == nil {
			t.Error("ReadToken of /dev/zero: a token")
		}
	}
	good := filepath.Join(dir, "good")
	const valid = "abcdefghijklmnopqrstuvwxyz012345"
	if err := os.WriteFile(good, []byte(valid+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if tok, err := ReadToken(good); err != nil || tok != valid {
		t.Errorf("ReadToken of a readable file: %q, %v", tok, err)
	}
	if _, err := ReadToken(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadToken of a missing file: %v, want ErrNotExist", err)
	}
}
