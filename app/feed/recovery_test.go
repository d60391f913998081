package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

// down fails the newest stream and answers every poll in flight with a
// network error, as a browser does while nothing listens on the port.
func down(t *testing.T, h *harness) {
	t.Helper()
	h.poller.last(t).done(nil, "", errors.New("TypeError: Failed to fetch"))
}

// TestServerBackRetriesStreamAtOnce: once the REST list answers after an
// outage, the stream is retried in the same instant, whether the outage
// ended during the backoff or after it fell back to polling; while the
// server is down the list is asked for every 2 s, so the page is Live
// within seconds of the server's return.
func TestServerBackRetriesStreamAtOnce(t *testing.T) {
	tests := []struct {
		name   string
		outage time.Duration // how long the server is down before it answers again
	}{
		{"back during the backoff", 5 * time.Second},
		{"back after the fallback to polling (a 45 s outage)", 45 * time.Second},
		{"back after a long outage", 10 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 0.5, nil)
			h.m.Start()
			h.tr.last(t).h.Open()
			h.wantState(Live)
			start := h.clock.Now()
			h.tr.last(t).h.Error() // helmd stops
			down(t, h)
			h.wantState(Offline)
			// The outage: every stream attempt and every poll fails.
			for h.clock.Now().Sub(start) < tc.outage {
				h.clock.Advance(100 * time.Millisecond)
				if s := h.tr.last(t); !s.isClosed() && s != nil {
					s.h.Error()
				}
				if p := h.poller.last(t); p != nil {
					p.done(nil, "", errors.New("TypeError: Failed to fetch"))
				}
				if st := h.m.Status().State; st != Offline {
					t.Fatalf("%s into the outage: %s (%q)", h.clock.Now().Sub(start), st, h.m.Status().Reason)
				}
			}
			// helmd is back: the next poll comes within 2 s and succeeds.
			back := h.clock.Now()
			streams, polls := h.tr.count(), h.poller.count()
			for h.poller.count() == polls {
				h.clock.Advance(100 * time.Millisecond)
				if h.clock.Now().Sub(back) > DefaultOfflinePollEvery {
					t.Fatalf("no poll within %s of the server's return", DefaultOfflinePollEvery)
				}
			}
			h.poller.last(t).done([]byte(`[]`), "3-9", nil)
			if h.tr.count() == streams {
				t.Fatal("a successful poll did not retry the stream at once")
			}
			h.tr.last(t).h.Open()
			h.wantState(Live)
			if took := h.clock.Now().Sub(back); took > 5*time.Second {
				t.Fatalf("Live %s after the server came back, want within 5 s", took)
			}
		})
	}
}

// TestPollingWithoutOutageKeepsItsPace: a stream that fails while the REST
// list answers (a buffering proxy) is retried every minute, not after
// every poll: only an answer after silence means the server came back.
func TestPollingWithoutOutageKeepsItsPace(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	fallback(t, h)
	h.poller.last(t).done([]byte(`[]`), "", nil)
	h.wantState(Polling)
	streams := h.tr.count()
	for range 11 { // 55 s of polls that answer
		h.clock.Advance(5 * time.Second)
		h.poller.last(t).done([]byte(`[]`), "", nil)
	}
	if h.tr.count() != streams {
		t.Fatalf("%d stream attempts while polling for 55 s, want none before the minute", h.tr.count()-streams)
	}
	h.wantState(Polling)
}

type statusError int

func (e statusError) Error() string   { return fmt.Sprintf("HTTP %d", int(e)) }
func (e statusError) HTTPStatus() int { return int(e) }

func TestPlainError(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{errors.New("TypeError: Failed to fetch"), "The server does not answer. Is helmd running?"},
		{errors.New("NetworkError when attempting to fetch resource."), "The server does not answer. Is helmd running?"},
		{statusError(401), "The server refused this page (HTTP 401): open the address helmd printed, with its token."},
		{statusError(503), "The server had a problem (HTTP 503); retrying."},
		{statusError(404), "The server refused the request (HTTP 404)."},
		{fmt.Errorf("%w: %w", errBadList, errors.New("invalid character")), "The server's answer was not a session list (is a proxy in between?)."},
		{json.Unmarshal([]byte("<html>"), new(struct{})), "The server's answer could not be read (is a proxy in between?)."},
		{json.Unmarshal([]byte(`{"id":1}`), new(struct{ ID string })), "The server's answer could not be read (is a proxy in between?)."},
	}
	for _, tc := range tests {
		if got := PlainError(tc.err); got != tc.want {
			t.Errorf("PlainError(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
