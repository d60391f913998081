package ui

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/shared"
)

// keepStreams is a feed.Transport whose streams the test drives.
type keepStreams struct{ opened []keepStream }

type keepStream struct {
	url string
	h   feed.StreamHandler
}

func (k *keepStreams) Open(url string, h feed.StreamHandler) feed.Stream {
	k.opened = append(k.opened, keepStream{url, h})
	return keepClose{}
}

type keepClose struct{}

func (keepClose) Close() {}

// keepPolls counts the requests of the list (a snapshot, a poll).
type keepPolls struct{ n int }

func (p *keepPolls) Poll(string, func([]byte, string, error)) func() { p.n++; return func() {} }

// feedOf starts h's feed as OnMount does, on the test's goroutine.
func feedOf(h *Home, tr feed.Transport, p feed.Poller) *feed.Machine {
	opts := h.feedOptions()
	opts.Transport, opts.Poller = tr, p
	m := feed.New(opts)
	m.Start()
	return m
}

func resumedFrom(t *testing.T, s keepStream) string {
	t.Helper()
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("lastEventId")
}

// Back from a session's page, the list is the page that was left, with
// every event that came meanwhile applied once: its stream resumes from
// the list it holds, not from a new snapshot of 100,000 sessions.
func TestKeptListAppliesWhatCameWhileAway(t *testing.T) {
	t.Cleanup(func() { keptHome = nil })
	seed := Seed{At: 1, EventID: "1-3", Instance: "i1", Sessions: []shared.Session{
		{ID: "a", Source: "claude", Title: "Alpha", Status: shared.StatusWorking, UpdatedAt: 3},
		{ID: "b", Source: "claude", Title: "Beta", Status: shared.StatusIdle, UpdatedAt: 2},
		{ID: "c", Source: "claude", Title: "Gamma", Status: shared.StatusIdle, UpdatedAt: 1},
	}}
	h := listPage(func() Seed { return seed })
	h.query, h.typed, h.limit, h.selected = shared.Query{Search: "a"}, "a ", 100, "claude:b"
	tr, polls := &keepStreams{}, &keepPolls{}

	m := feedOf(h, tr, polls)
	if len(tr.opened) != 1 || resumedFrom(t, tr.opened[0]) != "1-3" {
		t.Fatalf("first stream %+v, want one resumed from the seed's 1-3", tr.opened)
	}
	s := tr.opened[0].h
	s.Open()
	s.Event("session-updated", "1-4", `{"type":"session-updated","sessions":[{"id":"b","source":"claude","title":"Beta 2","updatedAt":4}],"timestamp":4}`)
	// To a session's page.
	cursor := m.LastEventID()
	m.Close()
	h.leave(cursor)

	back := listPage(func() Seed { t.Fatal("back on the list, a new page was made"); return Seed{} })
	if back != h {
		t.Fatal("back on the list, not the page that was left")
	}
	if back.query.Search != "a" || back.typed != "a " || back.limit != 100 || back.selected != "claude:b" {
		t.Fatalf("the view came back as query %+v typed %q limit %d selected %q", back.query, back.typed, back.limit, back.selected)
	}
	m = feedOf(back, tr, polls)
	defer m.Close()
	if len(tr.opened) != 2 || resumedFrom(t, tr.opened[1]) != "1-4" || polls.n != 0 {
		t.Fatalf("back, streams %d (last from %q) and %d list requests: want a stream resumed from 1-4 and no snapshot",
			len(tr.opened), resumedFrom(t, tr.opened[len(tr.opened)-1]), polls.n)
	}
	// What helmd replays: a session that appeared, one that ended its
	// turn, one removed.
	s = tr.opened[1].h
	s.Open()
	s.Event("session-created", "1-5", `{"type":"session-created","sessions":[{"id":"d","source":"claude","title":"Delta","status":"working","updatedAt":5}],"timestamp":5}`)
	s.Event("session-updated", "1-6", `{"type":"session-updated","sessions":[{"id":"a","source":"claude","status":"waiting","updatedAt":6}],"timestamp":6}`)
	s.Event("session-deleted", "1-7", `{"type":"session-deleted","sessions":[{"id":"c","source":"claude","title":"Gamma","updatedAt":1}],"timestamp":7}`)

	var got []string
	for _, s := range back.sessions.Sessions() {
		got = append(got, s.ID+":"+s.Title+":"+string(s.Status))
	}
	if want := "a:Alpha:waiting d:Delta:working b:Beta 2:idle"; strings.Join(got, " ") != want {
		t.Fatalf("list back %q, want %q", strings.Join(got, " "), want)
	}
	if m.LastEventID() != "1-7" {
		t.Fatalf("cursor %q after the replay", m.LastEventID())
	}
	if back.waitingCount() != 1 {
		t.Fatalf("%d waiting, want a (turned waiting while away)", back.waitingCount())
	}
	if keptHome != nil {
		t.Fatal("the page is kept twice")
	}
}

// A page whose list is not a whole one (the server's first screen, still
// waiting for the rest) is not kept: back, the list starts afresh.
func TestPartialListIsNotKept(t *testing.T) {
	t.Cleanup(func() { keptHome = nil })
	h := NewHome(Seed{At: 1, Total: 5000, Sessions: []shared.Session{{ID: "a", Source: "claude"}}})
	h.leave("")
	made := false
	if listPage(func() Seed { made = true; return Seed{} }) == h || !made {
		t.Fatal("a partial list was kept")
	}
	h = NewHome(Seed{At: 1, Sessions: []shared.Session{{ID: "a", Source: "claude"}}})
	h.conn.State = feed.Elsewhere
	h.leave("")
	if keptHome != nil {
		t.Fatal("a list hidden for another Helm was kept")
	}
}

// Back from a session's page, the header keeps the state the list had
// while its stream resumes, rather than "Connecting" (read as a
// connection problem), and says what happens once the stream opens or
// fails. A page made anew says Connecting as it starts, as before.
func TestKeptListResumesWithoutSayingConnecting(t *testing.T) {
	t.Cleanup(func() { keptHome = nil })
	seed := Seed{At: 1, EventID: "1-3", Sessions: []shared.Session{{ID: "a", Source: "claude", Title: "Alpha", UpdatedAt: 3}}}
	tr, polls := &keepStreams{}, &keepPolls{}
	var shown []feed.State
	// As OnMount's OnStatus: what the header shows.
	start := func(h *Home) *feed.Machine {
		opts := h.feedOptions()
		opts.Transport, opts.Poller = tr, polls
		opts.OnStatus = func(s feed.Status) {
			if !h.hideResume(s) {
				h.conn = s
				shown = append(shown, s.State)
			}
		}
		m := feed.New(opts)
		m.Start()
		return m
	}
	h := listPage(func() Seed { return seed })
	m := start(h)
	tr.opened[0].h.Open()
	if fmt.Sprint(shown) != "[connecting live]" {
		t.Fatalf("a new page showed %v, want connecting then live", shown)
	}
	cursor := m.LastEventID()
	m.Close()
	h.leave(cursor)

	for _, tc := range []struct {
		name   string
		stream func(feed.StreamHandler)
		want   string
	}{
		{"opens", func(s feed.StreamHandler) { s.Open() }, "[live]"},
		{"fails", func(s feed.StreamHandler) { s.Error() }, "[connecting]"},
	} {
		shown = nil
		back := listPage(func() Seed { t.Fatal("not the kept page"); return Seed{} })
		m = start(back)
		if len(shown) != 0 || back.conn.State != feed.Live {
			t.Fatalf("%s: back on the list, the header says %q (shown %v) before the stream answers, want Live as it was", tc.name, back.conn.State, shown)
		}
		tc.stream(tr.opened[len(tr.opened)-1].h)
		if fmt.Sprint(shown) != tc.want {
			t.Fatalf("stream %s: the header showed %v, want %s", tc.name, shown, tc.want)
		}
		if tc.name == "fails" && !strings.Contains(back.conn.Reason, "reconnecting") {
			t.Fatalf("stream failed: the header's reason %q does not say it reconnects", back.conn.Reason)
		}
		cursor = m.LastEventID()
		m.Close()
		// The failed one was left Connecting: kept with that state.
		back.conn.State = feed.Live
		back.leave(cursor)
	}
}
