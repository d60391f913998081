//go:build unix

package transcript

import (
	"context"
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A session's transcript replaced by a named pipe after it was listed
// (say, between the list and a click): its page and its find are "not
// found", at once (a full message opens its file as they do). os.Open waited in open(2) for a
// writer, holding the request for ever.
func TestANamedPipeIsNotATranscript(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.jsonl")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	files := NewFiles(0)
	for name, read := range map[string]func() error{
		"Page": func() error { _, err := files.Page(path, Query{}); return err },
		"Find": func() error {
			_, err := files.Find(context.Background(), path, nil, FindQuery{})
			return err
		},
	} {
		done := make(chan error, 1)
		go func() { done <- read() }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s of a FIFO: %v, want ErrNotFound", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s of a FIFO: no answer in 10 s", name)
		}
	}
}
