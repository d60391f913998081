package stream

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// connWriter writes frames to one response under a per-write deadline, so
// a peer that stopped reading (full TCP window) fails the write after
// timeout instead of pinning the goroutine; between writes the deadline is
// cleared, as an idle stream is normal.
type connWriter struct {
	w         http.ResponseWriter
	rc        *http.ResponseController
	timeout   time.Duration
	deadlines bool // false when the writer cannot take deadlines (tests, odd middleware)
}

func newConnWriter(w http.ResponseWriter, timeout time.Duration) *connWriter {
	return &connWriter{w: w, rc: http.NewResponseController(w), timeout: timeout, deadlines: true}
}

func (cw *connWriter) deadline(t time.Time) error {
	if !cw.deadlines {
		return nil
	}
	err := cw.rc.SetWriteDeadline(t)
	if errors.Is(err, http.ErrNotSupported) {
		cw.deadlines = false
		return nil
	}
	return err
}

// write writes frames and flushes them.
func (cw *connWriter) write(frames ...[]byte) error {
	for _, f := range frames {
		if err := cw.deadline(time.Now().Add(cw.timeout)); err != nil {
			return fmt.Errorf("set write deadline: %w", err)
		}
		if _, err := cw.w.Write(f); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := cw.deadline(time.Now().Add(cw.timeout)); err != nil {
		return fmt.Errorf("set write deadline: %w", err)
	}
	if err := cw.rc.Flush(); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	if err := cw.deadline(time.Time{}); err != nil {
		return fmt.Errorf("clear write deadline: %w", err)
	}
	return nil
}
