//go:build unix

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// answer runs read and fails the test if it has not returned in 10 s:
// os.Open of a FIFO waited for a writer for ever.
func answer(t *testing.T, what string, read func() (string, error)) (string, error) {
	t.Helper()
	type result struct {
		tok string
		err error
	}
	done := make(chan result, 1)
	go func() { tok, err := read(); done <- result{tok, err} }()
	select {
	case r := <-done:
		return r.tok, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no answer in 10 s", what)
		return "", nil
	}
}

// A token file that is a named pipe is refused at once by helmd, the
// commands and the hook (ReadToken); one that is a link to an endless
// device reads its bound and is refused as no token.
func TestTokenFileThatIsNoFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "token")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := answer(t, "LoadOrCreateToken of a FIFO", func() (string, error) {
		tok, _, err := LoadOrCreateToken(fifo)
		return tok, err
	}); err == nil || !strings.Contains(err.Error(), fifo+" is not a regular file") {
		t.Errorf("LoadOrCreateToken of a FIFO: %v, want it named as not a regular file", err)
	}
	if _, err := answer(t, "ReadToken of a FIFO", func() (string, error) { return ReadToken(fifo) }); err == nil ||
		!strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadToken of a FIFO: %v, want not a regular file", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		zero := filepath.Join(dir, "zero")
		if err := os.Symlink("/dev/zero", zero); err != nil {
			t.Fatal(err)
		}
		if _, err := answer(t, "ReadToken of /dev/zero", func() (string, error) { return ReadToken(zero) }); err == nil {
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
