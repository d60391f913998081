package feed

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"vibecraft.sh/helm/shared"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type harness struct {
	t        *testing.T
	m        *Machine
	clock    *fakeClock
	tr       *fakeTransport
	poller   *fakePoller
	statuses []Status
	events   []shared.Event
}

func newHarness(t *testing.T, jitter float64, mod func(*Options)) *harness {
	h := &harness{t: t, clock: newFakeClock(), tr: &fakeTransport{}, poller: &fakePoller{}}
	o := Options{
		Clock: h.clock, Transport: h.tr, Poller: h.poller,
		Rand:     func() float64 { return jitter },
		OnStatus: func(s Status) { h.statuses = append(h.statuses, s) },
		OnEvent:  func(e shared.Event) { h.events = append(h.events, e) },
	}
	if mod != nil {
		mod(&o)
	}
	h.m = New(o)
	t.Cleanup(h.m.Close)
	return h
}

func (h *harness) wantState(want State) {
	h.t.Helper()
	if got := h.m.Status(); got.State != want {
		h.t.Fatalf("state = %s (%q), want %s", got.State, got.Reason, want)
	}
}

func (h *harness) wantPending(want ...time.Duration) {
	h.t.Helper()
	got := h.clock.pending()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		h.t.Fatalf("pending timers = %v, want %v", got, want)
	}
}

func event(typ shared.EventType, sessions ...shared.Session) string {
	b := `{"type":"` + string(typ) + `","sessions":[`
	for i, s := range sessions {
		if i > 0 {
			b += ","
		}
		b += fmt.Sprintf(`{"id":%q,"source":%q,"updatedAt":%d}`, s.ID, s.Source, s.UpdatedAt)
	}
	return b + `],"timestamp":1}`
}

// TestStreamLossSaidPlainly: while the page waits to reconnect, before
// any poll has answered, the indicator's tooltip says what happened and
// what comes next in plain words, not "stream error".
func TestStreamLossSaidPlainly(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	h.m.Start()
	h.tr.last(t).h.Open()
	h.wantState(Live)
	h.tr.last(t).h.Error()
	h.wantState(Connecting)
	if got, want := h.m.Status().Reason, "the connection was lost; reconnecting in 1s (attempt 1 of 5)"; got != want {
		t.Errorf("reason = %q, want %q", got, want)
	}
}

func TestOpenGoesLive(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	h.m.Start()
	h.wantState(Connecting)
	if got := h.tr.last(t).url; got != "/api/sessions/stream" {
		t.Fatalf("first url = %q", got)
	}
	h.clock.Advance(3 * time.Second)
	h.tr.last(t).h.Open()
	st := h.m.Status()
	if st.State != Live || st.Reason != "stream open" || !st.Since.Equal(h.clock.Now()) {
		t.Fatalf("status = %+v", st)
	}
	if len(h.statuses) != 2 || h.statuses[0].State != Connecting || h.statuses[1].State != Live {
		t.Fatalf("statuses = %+v", h.statuses)
	}
	if Live.Label() != "Live" || Polling.Label() != "Polling" || Offline.Label() != "Offline" || Connecting.Label() != "Connecting" {
		t.Fatal("labels")
	}
}

func TestEventsReachTheList(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	h.m.Start()
	s := h.tr.last(t)
	s.h.Open()
	s.h.Event("init", "1-1", event(shared.EventInit, shared.Session{ID: "a", Source: "claude", UpdatedAt: 5}))
	s.h.Event("keepalive", "1-2", `{"type":"keepalive","sessions":[],"timestamp":2}`)
	// The event name wins over a type field that disagrees.
	s.h.Event("session-deleted", "1-4", event(shared.EventSessionCreated, shared.Session{ID: "a", Source: "claude"}))
	if len(h.events) != 2 {
		t.Fatalf("events = %+v", h.events)
	}
	if h.events[0].Type != shared.EventInit || len(h.events[0].Sessions) != 1 || h.events[0].Sessions[0].Key() != "claude:a" {
		t.Fatalf("init = %+v", h.events[0])
	}
	if h.events[1].Type != shared.EventSessionDeleted {
		t.Fatalf("second = %+v", h.events[1])
	}
	st := h.m.Stats()
	if st.Events != 3 || st.BadEvents != 0 {
		t.Fatalf("stats = %+v", st)
	}
	if h.m.LastEventID() != "1-4" {
		t.Fatalf("last id = %q", h.m.LastEventID())
	}
}

// A session-updated event carries changes: the machine applies each to
// the client's copy (Base), so OnEvent gets whole sessions.
func TestUpdatesApplyToTheClientsCopy(t *testing.T) {
	held := map[string]shared.Session{}
	h := newHarness(t, 0.5, func(o *Options) {
		o.Base = func(k string) (shared.Session, bool) { s, ok := held[k]; return s, ok }
		o.OnEvent = func(e shared.Event) {
			for _, s := range e.Sessions {
				held[s.Key()] = s
			}
		}
	})
	h.m.Start()
	s := h.tr.last(t)
	s.h.Open()
	s.h.Event("init", "1-1", `{"type":"init","sessions":[{"id":"a","source":"claude","title":"Fix it","messageCount":3,"status":"working","updatedAt":5}],"timestamp":1}`)
	s.h.Event("session-updated", "1-2", `{"type":"session-updated","sessions":[{"id":"a","source":"claude","messageCount":4,"status":"waiting","updatedAt":9}],"timestamp":2}`)
	want := shared.Session{ID: "a", Source: "claude", Title: "Fix it", MessageCount: 4, Status: shared.StatusWaiting, UpdatedAt: 9}
	if got := held["claude:a"]; got != want {
		t.Fatalf("after the change: %+v, want %+v", got, want)
	}
	if st := h.m.Stats(); st.BadEvents != 0 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestEventBeforeOpenGoesLive(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	h.m.Start()
	h.tr.last(t).h.Event("init", "1-1", event(shared.EventInit))
	h.wantState(Live)
}

func TestBackoffDoublesWithJitter(t *testing.T) {
	for _, jitter := range []float64{0, 0.5, 0.999} {
		t.Run(fmt.Sprint(jitter), func(t *testing.T) {
			h := newHarness(t, jitter, nil)
			h.m.Start()
			h.tr.last(t).h.Open()
			for n, base := range []time.Duration{1, 2, 4, 8, 16} {
				base *= time.Second
				h.tr.last(t).h.Error()
				if !h.tr.last(t).isClosed() {
					t.Fatal("the failed stream was not closed")
				}
				// Each failure probes the REST list once; it answers.
				if h.poller.count() != n+1 {
					t.Fatalf("failure %d: %d probes", n+1, h.poller.count())
				}
				h.poller.last(t).done([]byte(`[]`), "", nil)
				h.wantState(Connecting)
				pend := h.clock.pending()
				if len(pend) != 1 {
					t.Fatalf("after failure %d: pending %v, want one reconnect timer", n+1, pend)
				}
				d := pend[0]
				if lo, hi := base*3/4, base*5/4; d < lo || d > hi {
					t.Fatalf("failure %d: delay %s outside [%s, %s]", n+1, d, lo, hi)
				}
				if want := time.Duration(float64(base) * (0.75 + 0.5*jitter)); d != want {
					t.Fatalf("failure %d: delay %s, want %s", n+1, d, want)
				}
				if !strings.Contains(h.m.Status().Reason, fmt.Sprintf("(attempt %d of 5)", n+1)) {
					t.Fatalf("reason = %q", h.m.Status().Reason)
				}
				before := h.tr.count()
				h.clock.Advance(d - time.Millisecond)
				if h.tr.count() != before {
					t.Fatal("reconnected before the backoff elapsed")
				}
				h.clock.Advance(time.Millisecond)
				if h.tr.count() != before+1 {
					t.Fatalf("failure %d: no reconnect after %s", n+1, d)
				}
			}
			h.tr.last(t).h.Error() // the 5th reconnect fails too: polling
			if !strings.Contains(h.m.Status().Reason, "5 reconnects failed") {
				t.Fatalf("reason = %q", h.m.Status().Reason)
			}
			h.poller.last(t).done([]byte(`[]`), "", nil)
			h.wantState(Polling)
			h.wantPending(5*time.Second, time.Minute) // next poll, stream retry
		})
	}
}

func TestProbeFailureIsOfflineAtOnce(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	h.m.Start()
	h.tr.last(t).h.Error()
	h.poller.last(t).done(nil, "", errors.New("Failed to fetch"))
	h.wantState(Offline)
	n := len(h.statuses)
	h.clock.Advance(time.Second)
	h.tr.last(t).h.Error() // still down: Offline throughout, no flicker
	h.poller.last(t).done(nil, "", errors.New("Failed to fetch"))
	for _, s := range h.statuses[n:] {
		if s.State != Offline {
			t.Fatalf("went %s while the server was down", s.State)
		}
	}
	h.clock.Advance(2 * time.Second)
	h.tr.last(t).h.Error()
	h.poller.last(t).done([]byte(`[{"id":"a","source":"claude"}]`), "", nil) // REST is back
	h.wantState(Connecting)
	if len(h.events) != 1 || h.events[0].Type != shared.EventRefresh {
		t.Fatalf("the probe's list was not delivered: %+v", h.events)
	}
	h.clock.Advance(4 * time.Second)
	h.tr.last(t).h.Open()
	h.wantState(Live)
}

func TestOpenResetsBackoff(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	h.m.Start()
	for range 3 {
		h.tr.last(t).h.Error()
		h.clock.Advance(time.Minute)
	}
	h.tr.last(t).h.Open()
	h.wantState(Live)
	h.tr.last(t).h.Error()
	h.wantPending(time.Second) // back to the first delay
}

// fallback drives a machine through 6 stream failures into polling; the
// probes answer, and the fallback's first poll is left in flight.
func fallback(t *testing.T, h *harness) {
	t.Helper()
	h.m.Start()
	for i := range 6 {
		h.tr.last(t).h.Error()
		if i < 5 {
			h.poller.last(t).done([]byte(`[]`), "", nil)
			h.clock.Advance(20 * time.Second)
		}
	}
	if !strings.Contains(h.m.Status().Reason, "reconnects failed") {
		t.Fatalf("not polling: %+v", h.m.Status())
	}
	h.events = nil
}

func TestPollingThenOfflineThenLive(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	fallback(t, h)
	p := h.poller.last(t)
	if p.url != "/api/sessions" {
		t.Fatalf("poll url %q", p.url)
	}
	p.done([]byte(`[{"id":"x","source":"opencode","updatedAt":3}]`), "", nil)
	h.wantState(Polling)
	last := h.events[len(h.events)-1]
	if last.Type != shared.EventRefresh || len(last.Sessions) != 1 || last.Sessions[0].Key() != "opencode:x" {
		t.Fatalf("poll result delivered as %+v", last)
	}

	// Every 5 s, counted from the previous answer.
	polls := h.poller.count()
	h.clock.Advance(5*time.Second - time.Millisecond)
	if h.poller.count() != polls {
		t.Fatal("polled too early")
	}
	h.clock.Advance(time.Millisecond)
	if h.poller.count() != polls+1 {
		t.Fatal("no poll after 5 s")
	}
	h.poller.last(t).done([]byte(`[]`), "", nil)
	h.wantState(Polling)

	// The stream is retried every 60 s while polling.
	streams := h.tr.count()
	h.clock.Advance(60*time.Second - 5*time.Second - time.Millisecond) // 5 s passed above
	for h.poller.count() > 0 && h.tr.count() == streams {
		h.poller.last(t).done([]byte(`[]`), "", nil)
		if h.tr.count() != streams {
			break
		}
		h.clock.Advance(time.Millisecond)
	}
	if h.tr.count() != streams+1 {
		t.Fatalf("stream not retried: %d streams", h.tr.count())
	}
	h.tr.last(t).h.Error()
	h.wantState(Polling) // a failed retry changes nothing visible
	streams = h.tr.count()
	h.clock.Advance(60 * time.Second)
	if h.tr.count() != streams+1 {
		t.Fatal("no second retry after 60 s")
	}
	h.tr.last(t).h.Error()

	// The server goes away: Offline, said in plain words.
	h.clock.Advance(5 * time.Second)
	h.poller.last(t).done(nil, "", errors.New("TypeError: Failed to fetch"))
	h.wantState(Offline)
	if r := h.m.Status().Reason; strings.Contains(r, "TypeError") || !strings.Contains(r, "does not answer") {
		t.Fatalf("offline reason %q", r)
	}
	h.clock.Advance(2 * time.Second)                  // polled faster while nothing answers
	h.poller.last(t).done([]byte(`garbage`), "", nil) // a bad answer is a failure, not a crash
	h.wantState(Offline)

	// It is back: the first answer retries the stream at once.
	streams = h.tr.count()
	h.clock.Advance(2 * time.Second)
	h.poller.last(t).done([]byte(`[{"id":"y","source":"claude"}]`), "7-1", nil)
	h.wantState(Connecting)
	if h.tr.count() != streams+1 {
		t.Fatalf("the stream was not retried when the server answered: %d streams, want %d", h.tr.count(), streams+1)
	}
	if u := h.tr.last(t).url; !strings.Contains(u, "lastEventId=7-1") {
		t.Fatalf("the retry does not resume from the poll's list: %q", u)
	}

	// Open: Live, polling stops, a poll answer still in flight is ignored.
	h.clock.Advance(2 * time.Second)
	inFlight := h.poller.last(t)
	h.tr.last(t).h.Open()
	h.wantState(Live)
	n := len(h.events)
	inFlight.done([]byte(`[{"id":"stale","source":"claude"}]`), "", nil)
	if len(h.events) != n {
		t.Fatal("a poll answer after going Live reached the list")
	}
	polls = h.poller.count()
	h.clock.Advance(59 * time.Second) // (at 60 s the watchdog would end the silent stream)
	if h.poller.count() != polls {
		t.Fatal("still polling while Live")
	}
}

func TestFirstPollFailureIsOffline(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	fallback(t, h)
	h.poller.last(t).done(nil, "", errors.New("fetch failed"))
	h.wantState(Offline)
}

func TestWatchdog(t *testing.T) {
	h := newHarness(t, 0.5, func(o *Options) { o.Keepalive = 10 * time.Second })
	h.m.Start()
	s := h.tr.last(t)
	s.h.Open()
	h.clock.Advance(20*time.Second - time.Millisecond)
	s.h.Event("init", "1-1", event(shared.EventInit))
	h.clock.Advance(20*time.Second - time.Millisecond)
	s.h.Event("keepalive", "", "{}") // a keepalive counts as life
	h.clock.Advance(20*time.Second - time.Millisecond)
	if s.isClosed() {
		t.Fatal("watchdog fired although a keepalive arrived")
	}
	h.wantState(Live)
	h.clock.Advance(time.Millisecond)
	if !s.isClosed() {
		t.Fatal("watchdog did not close a silent stream after 2 keepalive periods")
	}
	st := h.m.Status()
	if st.State != Connecting || !strings.Contains(st.Reason, "nothing received for 20s") {
		t.Fatalf("status = %+v", st)
	}
	h.clock.Advance(time.Second)
	if h.tr.count() != 2 || !strings.Contains(h.tr.last(t).url, "lastEventId=1-1") {
		t.Fatalf("no reconnect with the last id: %d streams", h.tr.count())
	}
}

func TestWatchdogCoversAHungAttempt(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	h.m.Start()
	h.clock.Advance(60 * time.Second) // neither open nor error
	if !h.tr.last(t).isClosed() {
		t.Fatal("a hung attempt was not given up")
	}
	h.wantState(Connecting)
	h.wantPending(time.Second)
}

func TestLastEventIDOnReconnect(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	h.m.Start()
	s := h.tr.last(t)
	s.h.Open()
	s.h.Event("session-created", "7-41", event(shared.EventSessionCreated))
	s.h.Event("session-updated", "7-42 &x", event(shared.EventSessionUpdated))
	s.h.Error()
	h.clock.Advance(time.Second)
	u, err := url.Parse(h.tr.last(t).url)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/api/sessions/stream" || u.Query().Get("lastEventId") != "7-42 &x" {
		t.Fatalf("reconnect url = %q", h.tr.last(t).url)
	}
}

func TestRetryStartsAfreshFromPolling(t *testing.T) {
	h := newHarness(t, 0.5, nil)
	fallback(t, h)
	h.poller.last(t).done([]byte(`[]`), "", nil)
	h.m.Retry()
	h.wantState(Connecting)
	polls := h.poller.count()
	h.tr.last(t).h.Error()
	h.wantPending(time.Second) // a fresh backoff; polling and its 60 s retry stopped
	if h.poller.count() != polls+1 {
		t.Fatal("no probe after the failure")
	}
}
