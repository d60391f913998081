package stream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// response is the sink of a stream that net/http keeps serving, where the
// connection cannot be taken over (HTTP/2, wrappers without Unwrap). Each
// write runs under a deadline, so a peer that stopped reading (full TCP
// window) fails the write after timeout instead of pinning the goroutine;
// between writes the deadline is cleared, as an idle stream is normal.
type response struct {
	w         http.ResponseWriter
	rc        *http.ResponseController
	ctx       context.Context
	timeout   time.Duration
	deadlines bool // false when the writer cannot take deadlines (odd middleware)
}

func newResponse(w http.ResponseWriter, ctx context.Context, timeout time.Duration) *response {
	return &response{w: w, rc: http.NewResponseController(w), ctx: ctx, timeout: timeout, deadlines: true}
}

func (s *response) deadline(t time.Time) error {
	if !s.deadlines {
		return nil
	}
	err := s.rc.SetWriteDeadline(t)
	if errors.Is(err, http.ErrNotSupported) {
		s.deadlines = false
		return nil
	}
	return err
}

func (s *response) write(frames [][]byte) error {
	for _, f := range frames {
		if err := s.deadline(time.Now().Add(s.timeout)); err != nil {
			return fmt.Errorf("set write deadline: %w", err)
		}
		if _, err := s.w.Write(f); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := s.deadline(time.Now().Add(s.timeout)); err != nil {
		return fmt.Errorf("set write deadline: %w", err)
	}
	if err := s.rc.Flush(); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	if err := s.deadline(time.Time{}); err != nil {
		return fmt.Errorf("clear write deadline: %w", err)
	}
	return nil
}

// writeLong sends f piece by piece, each as write sends frames.
func (s *response) writeLong(f longFrame) error {
	return sseLong(f, func(p []byte) error { return s.write([][]byte{p}) })
}

func (s *response) gone() <-chan struct{} { return s.ctx.Done() }

// abort: returning would end the response cleanly and net/http would keep
// the connection for another request, with the client's unread backlog
// still in the socket. Panicking with ErrAbortHandler closes the
// connection (HTTP/2: resets the stream); net/http logs nothing for this
// value, and the handler's defers still run. It is only called on the
// handler's goroutine.
func (s *response) abort() { panic(http.ErrAbortHandler) }

func (s *response) finish() {}
