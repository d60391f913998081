package feed

import (
	"errors"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// pollingWith brings a machine whose list is fixIt at 3-7 to Polling and
// returns the first poll, unanswered. Each probe on the way is answered
// 304 (nothing changed) when notModified, after checking that it asks
// since the list held; else with the whole list, as an older helmd does.
func pollingWith(t *testing.T, notModified bool) (*listHarness, *fakePoll) {
	t.Helper()
	h := newListHarness(t, nil)
	h.m.Start()
	h.tr.last(t).h.Open()
	list := shared.Event{Type: shared.EventInit, Sessions: []shared.Session{fixIt}}
	h.tr.last(t).h.Event("init", "3-7", string(mustMarshal(t, list)))
	for i := range 6 {
		h.tr.last(t).h.Error()
		if i == 5 {
			break
		}
		probe := h.poller.last(t)
		switch {
		case !notModified:
			probe.done(mustMarshal(t, list.Sessions), "3-7", nil)
		case probe.url != "/api/sessions?since=3-7":
			t.Fatalf("probe %d asks %q: want what changed since the list held, 3-7", i+1, probe.url)
		default:
			probe.done(nil, "3-7", statusError(304))
		}
		h.wantState(Connecting) // the server answers: not Offline
		h.clock.Advance(20 * time.Second)
	}
	h.wantState(Connecting) // Polling once the first poll answers
	return h, h.poller.last(t)
}

// A poll while nothing changed costs a 304, not the list: the list and
// its cursor stay, and polling goes on every 5 s, asking since the same
// list.
func TestPollNotModifiedKeepsTheList(t *testing.T) {
	h, p := pollingWith(t, true)
	if p.url != "/api/sessions?since=3-7" {
		t.Fatalf("poll asks %q", p.url)
	}
	p.done(nil, "3-7", statusError(304))
	h.wantState(Polling)
	if len(h.events) != 1 || h.m.LastEventID() != "3-7" || h.held["claude:a"] != fixIt {
		t.Fatalf("after a 304: events %+v, cursor %q, held %+v; want the init alone, 3-7", h.events, h.m.LastEventID(), h.held)
	}
	h.clock.Advance(DefaultPollEvery)
	if n := h.poller.count(); n != 7 || h.poller.last(t).url != "/api/sessions?since=3-7" {
		t.Fatalf("%d polls, the last %q: want the next poll 5 s later, since 3-7", n, h.poller.last(t).url)
	}
	if st := h.m.Stats(); st.Polls != 6 || st.PollFailures != 0 {
		t.Fatalf("stats %+v: every 304 is an answer", st)
	}
}

// While Offline, a 304 is the server back like any answer: the stream
// reopens at once, from the list held.
func TestNotModifiedEndsOffline(t *testing.T) {
	h := newListHarness(t, nil)
	h.m.Start()
	h.tr.last(t).h.Open()
	h.tr.last(t).h.Event("init", "3-7", string(mustMarshal(t, shared.Event{Type: shared.EventInit, Sessions: []shared.Session{fixIt}})))
	h.tr.last(t).h.Error()
	h.poller.last(t).done(nil, "", errors.New("connection refused"))
	h.wantState(Offline)
	h.clock.Advance(DefaultOfflinePollEvery)
	streams := h.tr.count()
	h.poller.last(t).done(nil, "3-7", statusError(304))
	h.wantState(Connecting)
	if h.tr.count() != streams+1 || h.resumedFrom() != "3-7" || len(h.events) != 1 {
		t.Fatalf("%d new streams, resumed from %q, events %+v: want the stream reopened from 3-7 and the list kept", h.tr.count()-streams, h.resumedFrom(), h.events)
	}
}

// A poll after changes gets the stream's events since the list held: they
// apply in order, as the stream's do, each moving the cursor, and the
// next poll (and the stream, when it returns) goes on from the last.
func TestPollAppliesTheEventsSince(t *testing.T) {
	h, p := pollingWith(t, false)
	p.done([]byte(`{"events":[`+
		`{"event":"session-updated","id":"3-8","data":`+toOpus+`},`+
		`{"event":"session-created","id":"3-9","data":`+event(shared.EventSessionCreated, shared.Session{ID: "b", Source: "claude", UpdatedAt: 8})+`}]}`), "3-9", nil)
	h.wantState(Polling)
	if a, b := h.held["claude:a"]; a.Model != "opus" || a.Title != "Fix it" || !b {
		t.Fatalf("held %+v: want a's change applied to the copy held, and b", h.held)
	}
	if got := h.cursors[len(h.cursors)-2:]; got[0] != "3-8" || got[1] != "3-9" {
		t.Fatalf("cursors seen by OnEvent %q: want 3-8, then 3-9", got)
	}
	h.clock.Advance(DefaultPollEvery)
	if u := h.poller.last(t).url; u != "/api/sessions?since=3-9" {
		t.Fatalf("next poll %q: want since 3-9", u)
	}
	h.clock.Advance(DefaultRetryEvery)
	if h.resumedFrom() != "3-9" {
		t.Fatalf("the stream retry resumes from %q", h.resumedFrom())
	}
}

// An event of the answer that does not apply (a change to a session the
// client does not hold) drops the cursor: the next poll asks for the
// whole list, which replaces what diverged.
func TestPollEventsThatDoNotApplyAskForTheList(t *testing.T) {
	h, p := pollingWith(t, false)
	p.done([]byte(`{"events":[{"event":"session-updated","id":"3-8","data":{"type":"session-updated","sessions":[{"id":"z","source":"claude","model":"opus"}],"timestamp":2}}]}`), "3-8", nil)
	h.wantState(Polling)
	if h.m.LastEventID() != "" || h.m.Stats().BadEvents != 1 {
		t.Fatalf("cursor %q, stats %+v: want none, one bad event", h.m.LastEventID(), h.m.Stats())
	}
	h.clock.Advance(DefaultPollEvery)
	h.poller.last(t).done([]byte(restSonet), "3-8", nil)
	if u := h.poller.last(t).url; u != "/api/sessions" || h.m.LastEventID() != "3-8" || h.held["claude:a"].UpdatedAt != 6 {
		t.Fatalf("poll %q, cursor %q, held %+v: want the whole list at 3-8", u, h.m.LastEventID(), h.held)
	}
}
