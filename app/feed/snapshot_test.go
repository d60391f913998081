package feed

import (
	"bufio"
	"bytes"
	"errors"
	"testing"

	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/shared/snapshot"
)

const snapURL = "/api/sessions/snapshot"

func snapBody(t *testing.T, sessions ...shared.Session) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	e := snapshot.NewEncoder(w, len(sessions))
	for i := range sessions {
		if err := e.Write(&sessions[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
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
