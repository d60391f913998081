package feed

import (
	"errors"
	"fmt"
	"testing"

	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/shared/snapshot"
)

const snapURL = "/api/sessions/snapshot"

func snapBody(t *testing.T, sessions ...shared.Session) []byte {
	t.Helper()
	b, err := snapshot.Marshal(sessions)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newSnapHarness(t *testing.T) *listHarness {
	return newListHarness(t, func(o *Options) { o.SnapshotURL = snapURL })
}

var fixIt = shared.Session{ID: "a", Source: "claude", Title: "Fix it", Model: "sonnet", CreatedAt: 1, UpdatedAt: 5}

// Without a cursor the machine fetches the snapshot first, hands it on
// as the init, and resumes the stream from its id: the stream's changes
// apply to it.
func TestSnapshotThenResume(t *testing.T) {
	h := newSnapHarness(t)
	h.m.Start()
	h.wantState(Connecting)
	if h.tr.count() != 0 || h.poller.count() != 1 || h.poller.last(t).url != snapURL {
		t.Fatalf("first request: %d streams, polls %d", h.tr.count(), h.poller.count())
	}
	h.poller.last(t).done(snapBody(t, fixIt), "3-7", nil)
	if len(h.events) != 1 || h.events[0].Type != shared.EventInit || h.cursors[0] != "3-7" {
		t.Fatalf("events %+v, cursors %q", h.events, h.cursors)
	}
	if h.tr.count() != 1 || h.resumedFrom() != "3-7" {
		t.Fatalf("the stream resumes from %q", h.resumedFrom())
	}
	s := h.tr.last(t)
	s.h.Open()
	h.wantState(Live)
	s.h.Event("session-updated", "3-8", toOpus)
	if got := h.held["claude:a"]; got.Model != "opus" || got.Title != "Fix it" {
		t.Fatalf("the change did not apply to the snapshot's copy: %+v", got)
	}
	if st := h.m.Stats(); st.Snapshots != 1 || st.BadEvents != 0 || st.Resyncs != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// A snapshot that fails leaves nothing applied and the stream opens
// without a cursor, so its init brings the list, as without snapshots.
func TestSnapshotFailureFallsBackToTheInit(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		id   string
		err  error
		bad  int
	}{
		{"an older helmd: 404", nil, "", statusError(404), 0},
		{"a network error", nil, "", errors.New("network error"), 0},
		{"not a snapshot", []byte(`[{"id":"a"}]`), "3-7", nil, 1},
		{"cut short", []byte("HLS1\x05"), "3-7", nil, 1},
		{"no id to resume from", []byte("HLS1\x00"), "", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newSnapHarness(t)
			h.m.Start()
			h.poller.last(t).done(tc.body, tc.id, tc.err)
			if len(h.events) != 0 {
				t.Fatalf("applied %+v", h.events)
			}
			if h.tr.count() != 1 || h.resumedFrom() != "" {
				t.Fatalf("%d streams, resumed from %q", h.tr.count(), h.resumedFrom())
			}
			s := h.tr.last(t)
			s.h.Open()
			s.h.Event("init", "3-9", initA)
			h.wantState(Live)
			if _, ok := h.held["claude:a"]; !ok || h.m.LastEventID() != "3-9" {
				t.Fatalf("the init did not bring the list: %v %q", h.held, h.m.LastEventID())
			}
			if st := h.m.Stats(); st.SnapshotFailures != 1 || st.BadEvents != tc.bad {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestSnapshotFromAnotherHelm(t *testing.T) {
	h := newSnapHarness(t)
	h.m.Start()
	h.poller.last(t).done(nil, "", statusError(409))
	h.wantState(Elsewhere)
	if h.tr.count() != 0 || len(h.events) != 0 {
		t.Fatalf("%d streams, %d events after a 409", h.tr.count(), len(h.events))
	}
}

// A cursor (the page's, the cache's, or one from events) means no
// snapshot: the stream resumes. A resync drops the cursor, so the next
// attempt starts from a snapshot again.
func TestSnapshotOnlyWithoutACursor(t *testing.T) {
	h := newListHarness(t, func(o *Options) { o.SnapshotURL = snapURL; o.LastEventID = "3-1" })
	h.m.Start()
	if h.poller.count() != 0 || h.tr.count() != 1 || h.resumedFrom() != "3-1" {
		t.Fatalf("with a cursor: %d polls, %d streams from %q", h.poller.count(), h.tr.count(), h.resumedFrom())
	}
	s := h.tr.last(t)
	s.h.Open()
	s.h.Event("session-updated", "3-2", `{"type":"session-updated","sessions":[{"id":"zz","source":"claude","model":"x"}],"timestamp":1}`)
	if h.m.Stats().Resyncs != 1 || !s.isClosed() {
		t.Fatalf("a change to an unknown session: stats %+v", h.m.Stats())
	}
	if h.poller.count() != 1 || h.poller.last(t).url != snapURL || h.tr.count() != 1 {
		t.Fatalf("the resync did not fetch a snapshot: %d polls, %d streams", h.poller.count(), h.tr.count())
	}
	h.poller.last(t).done(snapBody(t, fixIt), "3-5", nil)
	if h.tr.count() != 2 || h.resumedFrom() != "3-5" {
		t.Fatalf("after the resync's snapshot: %d streams from %q", h.tr.count(), h.resumedFrom())
	}
}

// Closing the machine, or the watchdog giving up on a snapshot that
// never answers, cancels the request; a late answer changes nothing.
func TestSnapshotCancelled(t *testing.T) {
	h := newSnapHarness(t)
	h.m.Start()
	first := h.poller.last(t)
	h.clock.Advance(2 * DefaultKeepalive) // the watchdog: nothing arrived
	if h.poller.canceled != 1 {
		t.Fatalf("the watchdog did not cancel the snapshot: %d cancels", h.poller.canceled)
	}
	first.done(snapBody(t, fixIt), "3-7", nil) // late
	if len(h.events) != 0 || h.tr.count() != 0 {
		t.Fatalf("a cancelled snapshot applied: %d events, %d streams", len(h.events), h.tr.count())
	}
	h.clock.Advance(2 * DefaultBackoff) // the reconnect: a snapshot again (after the probe)
	if n := h.poller.count(); n < 2 || h.poller.last(t).url != snapURL {
		t.Fatalf("no new snapshot after the backoff: %d requests", n)
	}
	h.m.Close()
	h.poller.last(t).done(snapBody(t, fixIt), "3-8", nil)
	if len(h.events) != 0 || h.tr.count() != 0 {
		t.Fatalf("applied after Close: %d events, %d streams", len(h.events), h.tr.count())
	}
}

// A probe that answers after the snapshot, while the stream resumed from
// the snapshot connects, replaces the list: the stream is rebased onto
// the probe's id, so the list and the cursor always belong together.
func TestSnapshotOvertakenByAProbe(t *testing.T) {
	h := newSnapHarness(t)
	h.m.Start()
	h.poller.last(t).done(nil, "", statusError(404)) // no snapshot: a stream without a cursor
	h.tr.last(t).h.Error()                           // fails: a probe and a backoff
	probe := h.poller.last(t)
	if probe.url != DefaultPollURL {
		t.Fatalf("no probe: %q", probe.url)
	}
	h.clock.Advance(2 * DefaultBackoff)
	snap := h.poller.last(t)
	if snap == probe || snap.url != snapURL {
		t.Fatal("the reconnect did not fetch a snapshot")
	}
	snap.done(snapBody(t, fixIt), "3-7", nil)
	if h.resumedFrom() != "3-7" {
		t.Fatalf("resumed from %q", h.resumedFrom())
	}
	probe.done([]byte(restSonet), "3-9", nil)
	if got := h.held["claude:a"]; got.UpdatedAt != 6 || h.m.LastEventID() != "3-9" {
		t.Fatalf("the probe's list: %+v at %q", got, h.m.LastEventID())
	}
	h.tr.last(t).h.Open()
	if h.m.Stats().Rebases != 1 || h.resumedFrom() != "3-9" {
		t.Fatalf("the stream was not rebased onto the probe's id: %+v, from %q", h.m.Stats(), h.resumedFrom())
	}
	h.tr.last(t).h.Open()
	h.wantState(Live)
}

// With the snapshot's headers the stream opens at once, resumed from its
// id, and is Live while the body still loads; what it sends meanwhile is
// applied after the snapshot, in order.
func TestSnapshotHeadOpensTheStreamEarly(t *testing.T) {
	h := newSnapHarness(t)
	h.m.Start()
	snap := h.poller.last(t)
	snap.head("3-7")
	if h.tr.count() != 1 || h.resumedFrom() != "3-7" || h.m.LastEventID() != "" {
		t.Fatalf("after the headers: %d streams from %q, cursor %q", h.tr.count(), h.resumedFrom(), h.m.LastEventID())
	}
	s := h.tr.last(t)
	s.h.Open()
	h.wantState(Live)
	if h.m.Stats().Rebases != 0 {
		t.Fatal("the early stream was rebased")
	}
	s.h.Event("session-updated", "3-8", toOpus)
	s.h.Event("keepalive", "", `{"type":"keepalive","sessions":[],"timestamp":1}`)
	s.h.Event("session-created", "3-9", event(shared.EventSessionCreated, shared.Session{ID: "b", Source: "claude", UpdatedAt: 9}))
	if len(h.events) != 0 {
		t.Fatalf("applied before the snapshot: %+v", h.events)
	}
	snap.done(snapBody(t, fixIt), "3-7", nil)
	if len(h.events) != 3 || h.events[0].Type != shared.EventInit {
		t.Fatalf("events %+v", h.events)
	}
	if got := h.held["claude:a"]; got.Model != "opus" || got.Title != "Fix it" {
		t.Fatalf("the held change did not apply to the snapshot: %+v", got)
	}
	if _, ok := h.held["claude:b"]; !ok || h.m.LastEventID() != "3-9" || h.cursors[0] != "3-7" {
		t.Fatalf("held %v, cursor %q, cursors %q", h.held, h.m.LastEventID(), h.cursors)
	}
	if s.isClosed() || h.tr.count() != 1 {
		t.Fatal("the early stream did not stay")
	}
	// Later events apply at once.
	s.h.Event("session-deleted", "3-10", event(shared.EventSessionDeleted, shared.Session{ID: "b", Source: "claude"}))
	if _, ok := h.held["claude:b"]; ok {
		t.Fatal("a later event was not applied")
	}
}

// A body that fails after the stream opened early closes that stream:
// it resumed from a list the client does not hold.
func TestSnapshotBodyFailsAfterTheHead(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		id   string
	}{
		{"cut short", []byte("HLS1\x05"), "3-7"},
		{"another id than the headers'", snapBody(t, fixIt), "3-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newSnapHarness(t)
			h.m.Start()
			snap := h.poller.last(t)
			snap.head("3-7")
			early := h.tr.last(t)
			early.h.Open()
			early.h.Event("session-updated", "3-8", toOpus)
			snap.done(tc.body, tc.id, nil)
			if !early.isClosed() || h.tr.count() != 2 || h.resumedFrom() != "" || len(h.events) != 0 {
				t.Fatalf("early closed %v, %d streams, from %q, %d events", early.isClosed(), h.tr.count(), h.resumedFrom(), len(h.events))
			}
			early.h.Event("session-updated", "3-9", toOpus) // late: ignored
			s := h.tr.last(t)
			s.h.Open()
			s.h.Event("init", "3-9", initA)
			if got := h.held["claude:a"]; got.Model != "sonnet" || len(h.events) != 1 {
				t.Fatalf("after the init: %+v, %d events", got, len(h.events))
			}
		})
	}
}

// A stream that sends more than the machine holds while the snapshot
// loads resyncs: a fresh snapshot, the old request cancelled.
func TestSnapshotHoldsBoundedEvents(t *testing.T) {
	h := newSnapHarness(t)
	h.m.Start()
	h.poller.last(t).head("3-7")
	s := h.tr.last(t)
	s.h.Open()
	for i := range maxHeld + 1 {
		s.h.Event("session-updated", fmt.Sprintf("3-%d", 8+i), toOpus)
	}
	if !s.isClosed() || h.m.Stats().Resyncs != 1 || h.poller.canceled != 1 {
		t.Fatalf("closed %v, stats %+v, cancels %d", s.isClosed(), h.m.Stats(), h.poller.canceled)
	}
	if h.poller.last(t).url != snapURL || h.poller.count() != 2 {
		t.Fatalf("no fresh snapshot: %d requests", h.poller.count())
	}
}

// A probe that answers while the snapshot loads beside its early stream
// is replaced by the snapshot: the list and the cursor stay a pair.
func TestSnapshotHeadThenProbe(t *testing.T) {
	h := newSnapHarness(t)
	h.m.Start()
	h.poller.last(t).done(nil, "", statusError(404))
	h.tr.last(t).h.Error() // a probe and a backoff
	probe := h.poller.last(t)
	h.clock.Advance(2 * DefaultBackoff)
	snap := h.poller.last(t)
	snap.head("3-7")
	probe.done([]byte(restSonet), "3-9", nil)
	s := h.tr.last(t)
	s.h.Open()
	s.h.Event("session-updated", "3-8", toOpus)
	snap.done(snapBody(t, fixIt), "3-7", nil)
	if got := h.held["claude:a"]; got.Model != "opus" || got.UpdatedAt != 5 || h.m.LastEventID() != "3-8" {
		t.Fatalf("held %+v at %q", got, h.m.LastEventID())
	}
	h.wantState(Live)
}

// A big snapshot is decoded in parts, the page running between them
// (a timer each): nothing is applied until the last part, events the
// stream sends meanwhile are held and applied after it, in order, and
// the list holds every session of the snapshot.
func TestBigSnapshotDecodesInParts(t *testing.T) {
	h := newSnapHarness(t)
	h.m.Start()
	snap := h.poller.last(t)
	snap.head("3-7")
	s := h.tr.last(t)
	s.h.Open()
	h.wantState(Live)
	n := 2*decodeStep + 10
	sessions := make([]shared.Session, n)
	for i := range sessions {
		sessions[i] = shared.Session{ID: fmt.Sprintf("s%d", i), Source: "claude", Title: "t", UpdatedAt: int64(n - i)}
	}
	sessions[n-1] = fixIt // the oldest, in the last part
	snap.done(snapBody(t, sessions...), "3-7", nil)
	parts := 1
	for len(h.events) == 0 && parts < 10 {
		s.h.Event("session-updated", fmt.Sprintf("3-%d", 7+parts), toOpus)
		h.clock.Advance(stepPause)
		parts++
	}
	if parts != 3 {
		t.Fatalf("applied after %d parts, want 3", parts)
	}
	if len(h.events) != 3 || h.events[0].Type != shared.EventInit || len(h.events[0].Sessions) != n {
		t.Fatalf("%d events; the first %s of %d sessions", len(h.events), h.events[0].Type, len(h.events[0].Sessions))
	}
	if got := h.held["claude:a"]; len(h.held) != n || got.Model != "opus" || got.Title != "Fix it" {
		t.Fatalf("held %d sessions; the oldest %+v", len(h.held), got)
	}
	if h.m.LastEventID() != "3-9" || h.m.Stats().BadEvents != 0 {
		t.Fatalf("cursor %q, stats %+v", h.m.LastEventID(), h.m.Stats())
	}
}
