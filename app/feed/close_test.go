package feed

import (
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

func TestStaleCallbacksIgnored(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	h.m.Start()
	old := h.tr.last(t)
	old.h.Error()
	h.clock.Advance(time.Second)
	n := len(h.statuses)
	old.h.Open()
	old.h.Event("init", "9-9", event(shared.EventInit))
	old.h.Error()
	if len(h.statuses) != n || len(h.events) != 0 || h.m.LastEventID() != "" {
		t.Fatal("a closed stream's callbacks changed the machine")
	}
	h.wantPending(time.Minute) // only the new attempt's watchdog
}

func TestCloseStopsEverything(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*harness)
	}{
		{"connecting", func(h *harness) { h.m.Start() }},
		{"live", func(h *harness) { h.m.Start(); h.tr.last(h.t).h.Open() }},
		{"backoff", func(h *harness) { h.m.Start(); h.tr.last(h.t).h.Error() }},
		{"polling with a poll in flight", func(h *harness) {
			fallback(h.t, h)
			h.poller.last(h.t).done([]byte(`[]`), "", nil)
			h.clock.Advance(5 * time.Second)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 0.5, nil)
			tc.setup(h)
			inFlight := h.poller.count() > 0
			h.m.Close()
			h.wantPending()
			if inFlight && h.poller.canceled == 0 {
				t.Fatal("the poll in flight was not cancelled")
			}
			for _, s := range h.tr.streams {
				if !s.isClosed() {
					t.Fatal("a stream is still open")
				}
			}
			n, e := len(h.statuses), len(h.events)
			s := h.tr.last(t)
			s.h.Open()
			s.h.Event("init", "1", event(shared.EventInit))
			s.h.Error()
			if h.poller.count() > 0 {
				h.poller.last(t).done([]byte(`[]`), "", nil)
			}
			h.clock.Advance(time.Hour)
			h.m.Start()
			h.m.Retry()
			if len(h.statuses) != n || len(h.events) != e || h.tr.last(t) != s {
				t.Fatal("the machine reacted after Close")
			}
			h.m.Close() // twice is fine
		})
	}
}
