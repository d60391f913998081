package feed

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// listHarness is a harness whose client keeps a list the way the UI
// does: snapshots replace it, changes apply to it, deletes remove. It
// also records the cursor as OnEvent saw it, for persistence.
type listHarness struct {
	*harness
	held    map[string]shared.Session
	cursors []string // LastEventID as each OnEvent saw it
}

func newListHarness(t *testing.T, mod func(*Options)) *listHarness {
	lh := &listHarness{held: map[string]shared.Session{}}
	lh.harness = newHarness(t, 0.5, func(o *Options) {
		o.Base = func(k string) (shared.Session, bool) { s, ok := lh.held[k]; return s, ok }
		o.OnEvent = func(e shared.Event) {
			lh.events = append(lh.events, e)
			lh.cursors = append(lh.cursors, lh.m.LastEventID())
			if e.Type.IsSnapshot() {
				clear(lh.held)
			}
			for _, s := range e.Sessions {
				if e.Type == shared.EventSessionDeleted {
					delete(lh.held, s.Key())
				} else {
					lh.held[s.Key()] = s
				}
			}
		}
		if mod != nil {
			mod(o)
		}
	})
	return lh
}

// resumedFrom is the lastEventId the latest stream was opened with.
func (h *harness) resumedFrom() string {
	h.t.Helper()
	u, err := url.Parse(h.tr.last(h.t).url)
	if err != nil {
		h.t.Fatal(err)
	}
	return u.Query().Get("lastEventId")
}

const (
	initA     = `{"type":"init","sessions":[{"id":"a","source":"claude","title":"Fix it","model":"sonnet","createdAt":1,"updatedAt":5}],"timestamp":1}`
	toOpus    = `{"type":"session-updated","sessions":[{"id":"a","source":"claude","model":"opus"}],"timestamp":2}`
	restSonet = `[{"id":"a","source":"claude","title":"Fix it","model":"sonnet","createdAt":1,"updatedAt":6}]`
)

// The reviewer's sequence: after a REST reply replaced the list, the
// stream resumes from that reply's id, not from the last event's; a reply
// without the header drops the cursor, so the next stream starts fresh.
func TestRESTThenResumeUsesTheRESTID(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   string // lastEventId of the reconnect
	}{
		{"the reply's id", "7-9", "7-9"},
		{"no header: a fresh init", "", ""},
		{"a header no server sends: a fresh init", "7-9\r\nSet-Cookie: x", ""},
		{"an id of absurd length: a fresh init", strings.Repeat("9", 1000), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newListHarness(t, nil)
			h.m.Start()
			s := h.tr.last(t)
			s.h.Event("init", "7-1", initA)
			s.h.Event("session-updated", "7-2", toOpus)
			s.h.Error()
			h.poller.last(t).done([]byte(restSonet), tc.header, nil)
			if got := h.held["claude:a"].Model; got != "sonnet" {
				t.Fatalf("the REST reply did not replace the list: model %q", got)
			}
			if got := h.m.LastEventID(); got != tc.want {
				t.Fatalf("cursor after the reply = %q, want %q", got, tc.want)
			}
			if got := h.cursors[len(h.cursors)-1]; got != tc.want {
				t.Fatalf("OnEvent saw cursor %q, want %q", got, tc.want)
			}
			h.clock.Advance(time.Second)
			if got := h.resumedFrom(); got != tc.want {
				t.Fatalf("resumed from %q, want %q (url %s)", got, tc.want, h.tr.last(t).url)
			}
		})
	}
}

// The cursor names the list OnEvent is making, so the UI can save the
// two together; it starts from Options.LastEventID.
func TestCursorFollowsTheList(t *testing.T) {
	h := newListHarness(t, func(o *Options) { o.LastEventID = "3-40" })
	h.m.Start()
	if got := h.resumedFrom(); got != "3-40" {
		t.Fatalf("first stream resumed from %q, want the cached list's id", got)
	}
	s := h.tr.last(t)
	s.h.Event("session-created", "3-41", `{"type":"session-created","sessions":[{"id":"b","source":"claude","createdAt":1,"updatedAt":2}],"timestamp":1}`)
	s.h.Event("keepalive", "3-41", `{}`)
	s.h.Event("session-deleted", "", `{"type":"session-deleted","sessions":[{"id":"b","source":"claude"}],"timestamp":1}`)
	if want := []string{"3-41", ""}; strings.Join(h.cursors, ",") != strings.Join(want, ",") {
		t.Fatalf("cursors seen by OnEvent = %q, want %q (an event without an id names no list)", h.cursors, want)
	}
}

// A change that cannot be decoded or applied drops the cursor, closes the
// stream and reopens it at once for a fresh init; it is counted, and it
// never reaches the list.
func TestBadEventResyncs(t *testing.T) {
	tests := []struct {
		name, typ, data string
	}{
		{"undecodable change", "session-updated", `{not json`},
		{"a partial change to a session not held", "session-updated",
			`{"type":"session-updated","sessions":[{"id":"ghost","source":"claude","model":"opus"}],"timestamp":2}`},
		{"a wrong field type", "session-updated", `{"sessions":[{"id":"a","source":"claude","messageCount":"many"}]}`},
		{"undecodable delete", "session-deleted", `[]`},
		{"undecodable init", "init", `{"sessions":7}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newListHarness(t, nil)
			h.m.Start()
			s := h.tr.last(t)
			s.h.Event("init", "5-1", initA)
			n := len(h.events)
			s.h.Event(tc.typ, "5-2", tc.data)
			if len(h.events) != n {
				t.Fatalf("the bad event reached the list: %+v", h.events[n:])
			}
			if !s.isClosed() || h.tr.count() != 2 {
				t.Fatalf("stream closed %v, %d streams: want the stream reopened at once", s.isClosed(), h.tr.count())
			}
			if got := h.resumedFrom(); got != "" || h.m.LastEventID() != "" {
				t.Fatalf("resynced from %q, cursor %q: want a fresh init", got, h.m.LastEventID())
			}
			if st := h.m.Stats(); st.Resyncs != 1 || st.BadEvents != 1 {
				t.Fatalf("stats = %+v", st)
			}
			if h.poller.count() != 0 {
				t.Fatal("a first resync went through the failure path (probe)")
			}
			h.wantPending(time.Minute) // the new stream's watchdog; no backoff timer
			h.wantState(Connecting)

			// The fresh init replaces the diverged copy; the feed is Live.
			h.tr.last(t).h.Event("init", "5-3", initA)
			h.wantState(Live)
			if h.m.LastEventID() != "5-3" || h.held["claude:a"].Model != "sonnet" {
				t.Fatalf("after the init: cursor %q, list %+v", h.m.LastEventID(), h.held)
			}
		})
	}
}

// A bad event again before the stream proved healthy goes through the
// backoff, and opens do not reset it: a server that keeps sending what
// the client cannot read ends in polling, not a reconnect loop. Once a
// stream proves healthy, the next bad event resyncs at once again.
func TestRepeatedBadEventsSpendTheBudget(t *testing.T) {
	h := newListHarness(t, nil)
	h.m.Start()
	bad := func() {
		s := h.tr.last(t)
		s.h.Event("init", "5-1", initA)
		s.h.Event("session-updated", "5-2", `{garbage`)
	}
	bad() // a resync, at once
	for i := range 5 {
		bad() // again, before anything proved the stream healthy
		if h.tr.last(t).isClosed() == false {
			t.Fatalf("repeat %d: the stream was not closed", i+1)
		}
		if got := h.clock.pending(); len(got) != 1 || got[0] >= time.Minute {
			t.Fatalf("repeat %d: pending %v, want a backoff timer", i+1, got)
		}
		if !strings.Contains(h.m.Status().Reason, "reconnecting") {
			t.Fatalf("repeat %d: %+v", i+1, h.m.Status())
		}
		h.poller.last(t).done([]byte(restSonet), "5-9", nil)
		h.clock.Advance(20 * time.Second)
	}
	bad()
	if st := h.m.Status(); st.State != Connecting || !strings.Contains(st.Reason, "5 reconnects failed") {
		t.Fatalf("budget spent: %+v", st)
	}
	h.poller.last(t).done([]byte(restSonet), "5-9", nil)
	h.wantState(Polling)
	if st := h.m.Stats(); st.Resyncs != 7 || st.BadEvents != 7 {
		t.Fatalf("stats = %+v", st)
	}

	// The 60 s retry opens a stream that works: a keepalive proves it.
	h.clock.Advance(time.Minute)
	s := h.tr.last(t)
	s.h.Event("init", "5-10", initA)
	h.wantState(Live)
	s.h.Event("keepalive", "", `{}`)
	streams := h.tr.count()
	s.h.Event("session-updated", "5-11", `{garbage`)
	if h.tr.count() != streams+1 || h.resumedFrom() != "" {
		t.Fatalf("after a healthy stream, a bad event did not resync at once: %d streams", h.tr.count())
	}
}

// No answer from the REST list can move the cursor behind what the
// stream delivered: whatever the order of opens, events, errors and
// answers, the one that arrives late is ignored, or the stream that would
// replay from an older id is reopened from the list's.
func TestStalePollDoesNotMoveTheCursor(t *testing.T) {
	tests := []struct {
		name       string
		run        func(h *listHarness)
		wantCursor string
		wantFrom   string // lastEventId of the latest stream
		wantModel  string
		rebases    int
	}{
		{"probe answers after the new stream opened", func(h *listHarness) {
			probe := h.poller.last(h.t)
			h.clock.Advance(time.Second)
			h.tr.last(h.t).h.Open()
			h.tr.last(h.t).h.Event("session-updated", "1-3", toOpus)
			probe.done([]byte(restSonet), "1-2", nil)
		}, "1-3", "1-2", "opus", 0},
		{"probe answers after an event, before any open", func(h *listHarness) {
			probe := h.poller.last(h.t)
			h.clock.Advance(time.Second)
			h.tr.last(h.t).h.Event("session-updated", "1-3", toOpus)
			probe.done([]byte(restSonet), "1-2", nil)
		}, "1-3", "1-2", "opus", 0},
		{"probe answers after a manual retry", func(h *listHarness) {
			probe := h.poller.last(h.t)
			h.m.Retry()
			probe.done([]byte(restSonet), "1-9", nil)
		}, "1-2", "1-2", "opus", 0},
		{"probe fails: the cursor stays", func(h *listHarness) {
			h.poller.last(h.t).done(nil, "", errors.New("Failed to fetch"))
			h.clock.Advance(time.Second)
		}, "1-2", "1-2", "opus", 0},
		{"probe answers garbage: the cursor stays", func(h *listHarness) {
			h.poller.last(h.t).done([]byte(`<html>`), "1-9", nil)
			h.clock.Advance(time.Second)
		}, "1-2", "1-2", "opus", 0},
		{"probe answers while the reconnect connects: rebased on open", func(h *listHarness) {
			probe := h.poller.last(h.t)
			h.clock.Advance(time.Second) // the reconnect, from 1-2
			connecting := h.tr.last(h.t)
			probe.done([]byte(restSonet), "1-5", nil)
			connecting.h.Open()
			if !connecting.isClosed() {
				h.t.Fatal("a stream replaying from 1-2 onto the list of 1-5 was kept")
			}
			h.tr.last(h.t).h.Open()
		}, "1-5", "1-5", "sonnet", 1},
		{"an answer without the header while the reconnect connects: rebased fresh", func(h *listHarness) {
			probe := h.poller.last(h.t)
			h.clock.Advance(time.Second)
			connecting := h.tr.last(h.t)
			probe.done([]byte(restSonet), "", nil)
			connecting.h.Event("session-updated", "1-3", toOpus) // replayed onto the wrong base: must not apply
			h.tr.last(h.t).h.Event("init", "1-3", initA)
		}, "1-3", "", "sonnet", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newListHarness(t, nil)
			h.m.Start()
			s := h.tr.last(t)
			s.h.Event("init", "1-1", initA)
			s.h.Event("session-updated", "1-2", toOpus)
			s.h.Error() // a probe goes out
			tc.run(h)
			if got := h.m.LastEventID(); got != tc.wantCursor {
				t.Errorf("cursor = %q, want %q", got, tc.wantCursor)
			}
			if got := h.resumedFrom(); got != tc.wantFrom {
				t.Errorf("latest stream resumed from %q, want %q", got, tc.wantFrom)
			}
			if got := h.held["claude:a"].Model; got != tc.wantModel {
				t.Errorf("model = %q, want %q", got, tc.wantModel)
			}
			if got := h.m.Stats().Rebases; got != tc.rebases {
				t.Errorf("rebases = %d, want %d", got, tc.rebases)
			}
		})
	}
}

// In the fallback, a poll that answers while a stream retry connects
// rebases that retry, and the machine still goes Live.
func TestPollDuringRetryRebases(t *testing.T) {
	h := newListHarness(t, nil)
	fallback(t, h.harness)
	h.poller.last(t).done([]byte(restSonet), "2-1", nil)
	h.wantState(Polling)
	h.clock.Advance(55 * time.Second)
	for h.tr.last(t).isClosed() {
		h.poller.last(t).done([]byte(restSonet), "2-1", nil)
		h.clock.Advance(time.Second)
	}
	retry := h.tr.last(t)
	if h.resumedFrom() != "2-1" {
		t.Fatalf("retry resumed from %q", h.resumedFrom())
	}
	h.clock.Advance(4 * time.Second) // a poll goes out while the retry connects
	h.poller.last(t).done([]byte(restSonet), "2-4", nil)
	retry.h.Open()
	h.wantState(Polling)
	if h.resumedFrom() != "2-4" || !retry.isClosed() {
		t.Fatalf("not rebased: resumed from %q", h.resumedFrom())
	}
	h.tr.last(t).h.Open()
	h.wantState(Live)
	if st := h.m.Stats(); st.Rebases != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

// A hostile event's text reaches the indicator's reason bounded.
func TestBadEventReasonIsBounded(t *testing.T) {
	h := newListHarness(t, nil)
	h.m.Start()
	s := h.tr.last(t)
	s.h.Event("init", "1-1", initA)
	long := strings.Repeat("x", 1<<20)
	s.h.Event("session-updated", long, `{"type":"session-updated","sessions":[{"id":"`+long+`","source":"claude","model":"opus"}]}`)
	if st := h.m.Stats(); st.Resyncs != 1 {
		t.Fatalf("stats = %+v", st)
	}
	if r := h.m.Status().Reason; len(r) > 400 {
		t.Fatalf("reason of %d bytes", len(r))
	}
}

// A stream opened without a cursor starts with an init, which replaces
// whatever a REST answer put in the list meanwhile: it is kept.
func TestFreshStreamIsNotRebased(t *testing.T) {
	h := newListHarness(t, nil)
	h.m.Start()
	s := h.tr.last(t)
	s.h.Event("init", "1-1", initA)
	s.h.Event("session-updated", "1-2", `{garbage`) // resync: a fresh stream
	fresh := h.tr.last(t)
	if h.resumedFrom() != "" {
		t.Fatalf("resync resumed from %q", h.resumedFrom())
	}
	fresh.h.Error() // a repeat would go through the backoff; this is a plain failure
	h.poller.last(t).done([]byte(restSonet), "1-5", nil)
	h.clock.Advance(time.Second)
	if h.resumedFrom() != "1-5" {
		t.Fatalf("after the probe, resumed from %q", h.resumedFrom())
	}

	// Now the other order: the fresh attempt connects, then a poll answers.
	h2 := newListHarness(t, nil)
	h2.m.Start()
	first := h2.tr.last(t)
	first.h.Error()
	probe := h2.poller.last(t)
	h2.clock.Advance(time.Second) // the reconnect, without a cursor
	connecting := h2.tr.last(t)
	probe.done([]byte(restSonet), "1-5", nil)
	connecting.h.Event("init", "1-6", initA)
	if connecting.isClosed() || h2.m.Stats().Rebases != 0 {
		t.Fatalf("a fresh stream was rebased: %+v", h2.m.Stats())
	}
	h2.wantState(Live)
	if h2.m.LastEventID() != "1-6" || h2.held["claude:a"].UpdatedAt != 5 {
		t.Fatalf("cursor %q, list %+v: the init should have replaced the REST list", h2.m.LastEventID(), h2.held)
	}
}
