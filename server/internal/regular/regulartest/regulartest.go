//go:build unix

// Package regulartest helps tests put named pipes where files are
// expected, and catch a read that waits on one: such a read never
// returns, so the test bounds it instead of hanging until its timeout.
package regulartest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Mkfifo makes a named pipe at path, and the folders above it.
func Mkfifo(t testing.TB, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Within returns what fn returns, failing the test when fn has not
// returned after 10 s (it then stays blocked until the process ends).
func Within[T any](t testing.TB, what string, fn func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- fn() }()
	select {
	case v := <-done:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no answer in 10 s", what)
		var zero T
		return zero
	}
}
