//go:build unix

package transcript

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"vibecraft.sh/helm/server/internal/regular/regulartest"
)

// A session's transcript replaced by a named pipe after it was listed
// (say, between the list and a click): its page and its find are "not
// found", at once (a full message opens its file as they do). os.Open
// waited in open(2) for a writer, holding the request for ever.
func TestANamedPipeIsNotATranscript(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.jsonl")
	regulartest.Mkfifo(t, path)
	files := NewFiles(0)
	for name, read := range map[string]func() error{
		"Page": func() error { _, err := files.Page(path, Query{}); return err },
		"Find": func() error {
			_, err := files.Find(context.Background(), path, nil, FindQuery{})
			return err
		},
	} {
		if err := regulartest.Within(t, name+" of a FIFO", read); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of a FIFO: %v, want ErrNotFound", name, err)
		}
	}
}
