package main

import (
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/feed/feedtest"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// cutter is an http.RoundTripper that lets a test break every open stream
// the way a dropped connection does: the client's read fails mid-stream.
type cutter struct {
	mu     sync.Mutex
	bodies []io.Closer
}

func (c *cutter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && r.Header.Get("Accept") == "text/event-stream" {
		c.mu.Lock()
		c.bodies = append(c.bodies, resp.Body)
		c.mu.Unlock()
	}
	return resp, err
}

func (c *cutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.bodies {
		b.Close()
	}
	c.bodies = nil
}

// TestReviewerSequenceThroughTheClient is the reviewer's sequence driven
// through the real client state machine (app/feed) against a real helmd:
// the model goes sonnet → opus (held in the debounce window), the stream
// drops, the client's probe replaces its list from REST and takes the
// reply's X-Helm-Event-Id, the model goes back to sonnet, and the client
// reconnects from that id. It must end holding exactly the server's list.
func TestReviewerSequenceThroughTheClient(t *testing.T) {
	t.Parallel() // it mostly waits (debounces, quiet periods): beside the others that do
	root := t.TempDir()
	const sid = "7e57a11e-0000-4000-8000-00000000feed"
	const cwd = "/w/reviewer-feed"
	key := shared.Session{Source: shared.SourceClaude, ID: sid}.Key()
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, record(sid, cwd, "main", "", 1, now)+record(sid, cwd, "main", sonnet, 2, now))
	srv := startHelmd(t, root, "--debounce", "5s")

	cut := &cutter{}
	client := &feedtest.Client{Base: srv.URL, HTTP: &http.Client{Transport: cut}}
	list := feedtest.NewList()
	clock := feedtest.NewClock(now)
	m := feed.New(feed.Options{
		Transport: client, Poller: client, Clock: clock, Rand: func() float64 { return 0.5 },
		Base: list.Base, OnEvent: list.Apply,
	})
	m.Start()
	defer client.Wait()
	defer m.Close()

	holds := func(what string, cond func(shared.Session) bool) {
		t.Helper()
		if !list.Wait(10*time.Second, func(ss []shared.Session) bool {
			for _, s := range ss {
				if s.Key() == key {
					return cond(s)
				}
			}
			return false
		}) {
			t.Fatalf("the client never held %s; it holds %s", what, describe(list.Sessions()))
		}
	}
	holds("the init", func(s shared.Session) bool { return s.Model == sonnet })

	lines := claudeStats(t, srv.URL).Lines
	readLine := func() {
		t.Helper()
		lines++
		waitFor(t, "the line read", func() bool { return claudeStats(t, srv.URL).Lines >= lines })
	}
	fixture.Append(t, path, record(sid, cwd, "main", "", 3, now)) // first change after quiet: at once
	readLine()
	holds("the first change", func(s shared.Session) bool { return s.MessageCount == 3 })
	fixture.Append(t, path, record(sid, cwd, "main", opus, 4, now)) // held: inside the window
	readLine()

	polls := m.Stats().Polls
	cut.cut() // the stream drops: the machine probes REST and schedules a reconnect
	waitFor(t, "the probe's answer", func() bool { return m.Stats().Polls > polls })
	restID := m.LastEventID()
	if _, _, id := (&world{t: t, srv: srv}).rest(); restID != id {
		t.Fatalf("after the REST probe the cursor is %q, want the reply's %s %q", restID, feed.EventIDHeader, id)
	}
	holds("the published model after REST", func(s shared.Session) bool { return s.Model == sonnet })

	fixture.Append(t, path, record(sid, cwd, "main", sonnet, 5, now)) // back, still inside the window
	readLine()
	clock.Advance(time.Minute) // the backoff elapses: reconnect from the REST reply's id
	holds("the window's flush", func(s shared.Session) bool { return s.MessageCount == 5 })

	_, want, wantID := (&world{t: t, srv: srv}).rest()
	if !list.Wait(5*time.Second, func(got []shared.Session) bool { return equalSlices(got, want) }) {
		t.Fatalf("client (cursor %s) holds %s; server at %s: %s", m.LastEventID(), describe(list.Sessions()), wantID, describe(want))
	}
	if st := m.Stats(); st.BadEvents != 0 || st.Resyncs != 0 {
		t.Fatalf("the client needed no resync, yet counted %+v", st)
	}
	if m.Status().State != feed.Live {
		t.Fatalf("state %s after the reconnect, want live", m.Status().State)
	}
}

func equalSlices(a, b []shared.Session) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
