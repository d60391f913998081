package feed

import (
	"errors"
	"testing"
	"time"
)

// goTransport fails every stream from another goroutine, like a browser
// whose server is down.
type goTransport struct{}

type nopStream struct{}

func (nopStream) Close() {}

func (goTransport) Open(_ string, h StreamHandler) Stream {
	go h.Error()
	return nopStream{}
}

type goPoller struct{}

func (goPoller) Poll(_ string, done func([]byte, string, error)) func() {
	go done(nil, "", errors.New("refused"))
	return func() {}
}

// TestRealClockConcurrency runs the machine on real timers with callbacks
// arriving on other goroutines (for the race detector), through Post.
func TestRealClockConcurrency(t *testing.T) {
	states := make(chan State, 100)
	posted := make(chan struct{}, 1000)
	m := New(Options{
		Transport: goTransport{}, Poller: goPoller{},
		Backoff: time.Millisecond, Attempts: 2, PollEvery: time.Millisecond, RetryEvery: 2 * time.Millisecond,
		Post: func(f func()) {
			select {
			case posted <- struct{}{}:
			default:
			}
			f()
		},
		OnStatus: func(s Status) {
			select {
			case states <- s.State:
			default:
			}
		},
	})
	m.Start()
	deadline := time.After(10 * time.Second)
	for done := false; !done; {
		select {
		case s := <-states:
			done = s == Offline
		case <-deadline:
			t.Fatal("never went Offline")
		}
	}
	m.Close()
	if len(posted) == 0 {
		t.Fatal("inputs did not go through Post")
	}
	// The machine keeps retrying until Close, so the state at close is
	// Offline or Connecting; after it, inputs change nothing.
	closed := m.Status().State
	m.Retry()
	if got := m.Status().State; got != closed {
		t.Fatalf("state changed after close: %s → %s", closed, got)
	}
}
