package feed

import (
	"errors"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// netErr is what a browser says while nothing listens on the port.
var netErr = errors.New("TypeError: Failed to fetch")

// newElsewhereHarness is a machine as the list page makes it: it names
// its helmd's instance and starts from a snapshot.
func newElsewhereHarness(t *testing.T, jitter float64) *listHarness {
	lh := newListHarness(t, func(o *Options) {
		o.SnapshotURL = snapURL
		o.Instance = "abc123"
		o.Rand = func() float64 { return jitter }
	})
	lh.m.Start()
	lh.poller.last(t).done(snapBody(t, fixIt), "3-1", nil)
	lh.tr.last(t).h.Open()
	lh.wantState(Live)
	return lh
}

// otherHelm: the page's helmd stops and another one answers on the port
// (the stream fails, the probe gets a 409).
func otherHelm(t *testing.T, h *listHarness) {
	t.Helper()
	h.tr.last(t).h.Error()
	p := h.poller.last(t)
	if !strings.Contains(p.url, DefaultPollURL) || !strings.Contains(p.url, "instance=abc123") {
		t.Fatalf("probe url %q does not name the instance", p.url)
	}
	p.done(nil, "", statusError(409))
	h.wantState(Elsewhere)
}

// TestElsewhereUntilItsHelmReturns: another Helm answers at the address
// (a demo started on the port while the page's helmd was stopped), then
// stops, and the page's helmd starts again. Meanwhile the machine shows
// nothing, opens no stream, and asks which Helm answers with a backoff
// (1 s doubling, at most ElsewhereEvery), whether the other Helm or nothing
// answers; the first answer of its own Helm brings that Helm's whole
// list and the stream resumed from it, Live within seconds.
func TestElsewhereUntilItsHelmReturns(t *testing.T) {
	h := newElsewhereHarness(t, 0.5)
	otherHelm(t, h)
	if r := h.m.Status().Reason; !strings.Contains(r, "another Helm") {
		t.Fatalf("reason %q", r)
	}
	if h.m.LastEventID() != "" {
		t.Fatalf("cursor %q kept: the list it names is hidden", h.m.LastEventID())
	}
	streams, events := h.tr.count(), len(h.events)

	// Which Helm answers each check, and the delay before the next.
	checks := []struct {
		answer error
		next   time.Duration
	}{
		{statusError(409), 2 * time.Second},
		{statusError(409), 4 * time.Second},
		{statusError(409), 4 * time.Second}, // ElsewhereEvery: the bound
		{netErr, 4 * time.Second},           // the other Helm stopped
		{netErr, 4 * time.Second},
		{statusError(503), 4 * time.Second},
	}
	h.wantPending(time.Second)
	next := time.Second
	for i, c := range checks {
		polls := h.poller.count()
		h.clock.Advance(next)
		if h.poller.count() != polls+1 {
			t.Fatalf("check %d: %d requests after %s, want 1", i, h.poller.count()-polls, next)
		}
		p := h.poller.last(t)
		if !strings.Contains(p.url, DefaultPollURL) || !strings.Contains(p.url, "instance=abc123") {
			t.Fatalf("check %d: url %q", i, p.url)
		}
		p.done(nil, "", c.answer)
		h.wantState(Elsewhere)
		h.wantPending(c.next)
		next = c.next
	}
	if h.tr.count() != streams || len(h.events) != events {
		t.Fatalf("while another Helm or nothing answered: %d streams, %d events", h.tr.count()-streams, len(h.events)-events)
	}

	// The browser's "online" event or a manual refresh checks at once,
	// without opening a stream the other Helm would refuse.
	polls := h.poller.count()
	h.m.Retry()
	if h.poller.count() != polls+1 || h.tr.count() != streams {
		t.Fatalf("Retry: %d checks, %d streams", h.poller.count()-polls, h.tr.count()-streams)
	}
	h.poller.last(t).done(nil, "", netErr)
	h.wantState(Elsewhere)
	h.wantPending(4 * time.Second)

	// The page's helmd is back, with other sessions than before.
	h.clock.Advance(4 * time.Second) // the check pending, at its 4 s bound
	h.poller.last(t).done([]byte(`[{"id":"b","source":"claude","updatedAt":9}]`), "7-1", nil)
	last := h.events[len(h.events)-1]
	if last.Type != shared.EventRefresh || len(last.Sessions) != 1 || last.Sessions[0].ID != "b" {
		t.Fatalf("the return did not bring the whole list: %+v", last)
	}
	if _, stale := h.held["claude:a"]; stale || len(h.held) != 1 {
		t.Fatalf("held %v, want only b", h.held)
	}
	if h.tr.count() != streams+1 || h.resumedFrom() != "7-1" || !strings.Contains(h.tr.last(t).url, "instance=abc123") {
		t.Fatalf("no stream resumed from the returned list: %d streams, %q", h.tr.count()-streams, h.tr.last(t).url)
	}
	h.tr.last(t).h.Open()
	h.wantState(Live)
	h.wantPending(time.Minute) // the watchdog alone: no check left
}

// TestElsewhereBackoffBounds: whatever the jitter, the checks never come
// faster than 3/4 of Backoff, nor slower than 5/4 of ElsewhereEvery.
func TestElsewhereBackoffBounds(t *testing.T) {
	for _, jitter := range []float64{0, 0.999} {
		h := newElsewhereHarness(t, jitter)
		otherHelm(t, h)
		for i := range 20 {
			d := h.clock.pending()
			if len(d) != 1 || d[0] < DefaultBackoff*3/4 || d[0] > DefaultElsewhereEvery*5/4 {
				t.Fatalf("jitter %v, check %d: pending %v", jitter, i, d)
			}
			h.clock.Advance(d[0])
			h.poller.last(t).done(nil, "", statusError(409))
		}
	}
}

// TestElsewhereFromTheSnapshot: a page that starts while another Helm
// holds the address (its snapshot answers 409) checks too, and a
// snapshot-less list from its own Helm on return goes through a snapshot.
func TestElsewhereFromTheSnapshot(t *testing.T) {
	h := newListHarness(t, func(o *Options) { o.SnapshotURL = snapURL; o.Instance = "abc123" })
	h.m.Start()
	h.poller.last(t).done(nil, "", statusError(409))
	h.wantState(Elsewhere)
	h.wantPending(time.Second)
	h.clock.Advance(time.Second)
	// An answer without an id: the list, then a snapshot for a cursor.
	h.poller.last(t).done([]byte(`[]`), "", nil)
	if p := h.poller.last(t); !strings.HasPrefix(p.url, snapURL) || h.tr.count() != 0 {
		t.Fatalf("after the return: request %q, %d streams", p.url, h.tr.count())
	}
	h.poller.last(t).done(snapBody(t, fixIt), "9-1", nil)
	h.tr.last(t).h.Open()
	h.wantState(Live)
	if h.resumedFrom() != "9-1" {
		t.Fatalf("resumed from %q", h.resumedFrom())
	}
}

// TestCloseWhileElsewhere: Close ends the checks too.
func TestCloseWhileElsewhere(t *testing.T) {
	h := newElsewhereHarness(t, 0.5)
	otherHelm(t, h)
	h.m.Close()
	h.wantPending()
	polls := h.poller.count()
	h.clock.Advance(time.Hour)
	h.m.Retry()
	if h.poller.count() != polls {
		t.Fatal("a check after Close")
	}
}
