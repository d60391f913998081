// Package logbuf is a log destination that goroutines write to while a
// test or a launcher reads it: a buffer behind a mutex, optionally
// bounded, optionally copied on to another writer. Its zero value is an
// unbounded, empty buffer.
package logbuf

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// Buffer collects what is written to it.
type Buffer struct {
	// Max bounds what is kept, in bytes (0: no bound); what comes past it
	// is counted, and String says how much.
	Max int
	// Tee, when set, gets every write in full, best effort.
	Tee io.Writer

	mu      sync.Mutex
	b       strings.Builder
	dropped int
}

// Write keeps p (up to Max) and never fails: a log must not stop its
// writer.
func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	keep := len(p)
	if l.Max > 0 {
		keep = max(0, min(keep, l.Max-l.b.Len()))
	}
	l.b.Write(p[:keep])
	l.dropped += len(p) - keep
	if l.Tee != nil {
		_, _ = l.Tee.Write(p)
	}
	return len(p), nil
}

// String is what was kept, with a last line saying how much was not.
func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dropped > 0 {
		return l.b.String() + fmt.Sprintf("\n[%d more bytes of log not kept]\n", l.dropped)
	}
	return l.b.String()
}
