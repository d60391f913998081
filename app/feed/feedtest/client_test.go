package feedtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/shared"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scripted is a server written by hand: each stream connection gets the
// next script, and the REST list answers with a fixed body and id.
type scripted struct {
	t       *testing.T
	mu      sync.Mutex
	resumed []string // the lastEventId of each stream connection
	scripts []func(w http.ResponseWriter, r *http.Request)
	polls   int
	list    string
	listID  string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer t0ken" {
		http.Error(w, "a token is required", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	switch r.URL.Path {
	case "/api/sessions":
		s.polls++
		body, id := s.list, s.listID
		s.mu.Unlock()
		if id != "" {
			w.Header().Set(feed.EventIDHeader, id)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	case "/api/sessions/stream":
		n := len(s.resumed)
		s.resumed = append(s.resumed, r.URL.Query().Get("lastEventId"))
		s.mu.Unlock()
		if n >= len(s.scripts) {
			http.Error(w, "no more scripts", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		s.scripts[n](w, r)
	default:
		s.mu.Unlock()
		http.NotFound(w, r)
	}
}

func frame(w http.ResponseWriter, typ, id, data string) {
	fmt.Fprintf(w, "event: %s\nid: %s\ndata: %s\n\n", typ, id, data)
	w.(http.Flusher).Flush()
}

// The reviewer's sequence over real HTTP: a stream that ends, a REST
// reply that replaces the list and names its state, a resume from that
// reply's id, then a change the client cannot apply, which drops the
// cursor for a fresh init. The list ends as the server's.
func TestResumeFromTheRESTReplyOverHTTP(t *testing.T) {
	const (
		a0    = `{"id":"a","source":"claude","title":"Fix it","model":"sonnet","status":"working","createdAt":1,"updatedAt":5}`
		aREST = `{"id":"a","source":"claude","title":"Fix it","model":"sonnet","status":"waiting","createdAt":1,"updatedAt":6}`
		aNew  = `{"id":"a","source":"claude","title":"Renamed","model":"sonnet","status":"waiting","createdAt":1,"updatedAt":7}`
		b     = `{"id":"ses_b","source":"opencode","title":"<b>bold</b>","createdAt":2,"updatedAt":8}`
	)
	srv := &scripted{t: t, list: "[" + aREST + "]", listID: "1-5"}
	srv.scripts = []func(http.ResponseWriter, *http.Request){
		func(w http.ResponseWriter, _ *http.Request) { // then the stream ends
			fmt.Fprint(w, "retry: 3000\n\n")
			frame(w, "init", "1-1", `{"type":"init","sessions":[`+a0+`],"timestamp":1}`)
			frame(w, "session-updated", "1-2", `{"type":"session-updated","sessions":[{"id":"a","source":"claude","model":"opus"}],"timestamp":2}`)
		},
		func(w http.ResponseWriter, _ *http.Request) { // resumed from 1-5; CRLF, a comment and an unnamed event on the way
			fmt.Fprint(w, ": resumed\r\ndata: not for the feed\r\n\r\n")
			frame(w, "session-updated", "1-6", `{"type":"session-updated","sessions":[{"id":"a","source":"claude","title":"Renamed","updatedAt":7}],"timestamp":3}`)
			frame(w, "session-updated", "1-7", `{"type":"session-updated","sessions":[{"id":"ghost","source":"claude","model":"opus"}],"timestamp":4}`)
		},
		func(w http.ResponseWriter, r *http.Request) { // the resync's fresh init; then quiet until the client leaves
			frame(w, "init", "1-8", `{"type":"init","sessions":[`+aNew+`,`+b+`],"timestamp":5}`)
			frame(w, "keepalive", "", `{"type":"keepalive","sessions":[],"timestamp":6}`)
			<-r.Context().Done()
		},
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := &Client{Base: hs.URL, HTTP: hs.Client(), Header: http.Header{"Authorization": {"Bearer t0ken"}}}
	l := NewList()
	clock := NewClock(time.Unix(1_700_000_000, 0))
	m := feed.New(feed.Options{
		Transport: c, Poller: c, Clock: clock, Rand: func() float64 { return 0.5 },
		Base: l.Base, OnEvent: l.Apply,
	})
	m.Start()
	closed := false
	stop := func() {
		if !closed {
			closed = true
			m.Close()
			c.Wait()
			hs.Client().CloseIdleConnections()
		}
	}
	defer stop()

	// The stream ended; its probe's list replaced the client's, opus
	// and all, and the cursor is the reply's.
	if !l.Wait(10*time.Second, func(ss []shared.Session) bool {
		return len(ss) == 1 && ss[0].UpdatedAt == 6
	}) {
		t.Fatalf("the REST reply never replaced the list: %+v", l.Sessions())
	}
	if got := l.Sessions()[0].Model; got != "sonnet" {
		t.Fatalf("model %q after the REST reply", got)
	}
	if got := m.LastEventID(); got != "1-5" {
		t.Fatalf("cursor %q after the REST reply, want its header's", got)
	}

	clock.Advance(2 * time.Second) // the backoff: reconnect from 1-5
	want := []shared.Session{
		{ID: "ses_b", Source: shared.SourceOpenCode, Title: "<b>bold</b>", CreatedAt: 2, UpdatedAt: 8},
		{ID: "a", Source: shared.SourceClaude, Title: "Renamed", Model: "sonnet", Status: shared.StatusWaiting, CreatedAt: 1, UpdatedAt: 7},
	}
	if !l.Wait(10*time.Second, func(ss []shared.Session) bool { return slices.Equal(ss, want) }) {
		t.Fatalf("list %+v, want %+v", l.Sessions(), want)
	}
	stop() // the machine is quiet from here: its figures are final

	srv.mu.Lock()
	resumed, polls := srv.resumed, srv.polls
	srv.mu.Unlock()
	if strings.Join(resumed, ",") != ",1-5," {
		t.Errorf("streams resumed from %q, want a fresh start, the REST reply's id, then a fresh init", resumed)
	}
	if polls != 1 {
		t.Errorf("%d polls, want the one probe", polls)
	}
	st := m.Stats()
	if st.Resyncs != 1 || st.BadEvents != 1 || st.Rebases != 0 {
		t.Errorf("stats = %+v", st)
	}
	if s := m.Status(); s.State != feed.Live || m.LastEventID() != "1-8" {
		t.Errorf("status %+v, cursor %q", s, m.LastEventID())
	}
}

// A server that refuses the stream or answers something else is a stream
// error, and a refused REST list a poll failure; nothing hangs.
func TestRefusedOverHTTP(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/sessions/stream" {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>not a stream</html>")
			return
		}
		http.Error(w, "no token", http.StatusUnauthorized)
	}))
	defer hs.Close()
	c := &Client{Base: hs.URL, HTTP: hs.Client()}
	states := make(chan feed.State, 16)
	m := feed.New(feed.Options{Transport: c, Poller: c, Clock: NewClock(time.Unix(0, 0)),
		OnStatus: func(s feed.Status) {
			select {
			case states <- s.State:
			default:
			}
		}})
	m.Start()
	deadline := time.After(10 * time.Second)
	for done := false; !done; {
		select {
		case s := <-states:
			done = s == feed.Offline
		case <-deadline:
			t.Fatal("a refused stream and list never showed Offline")
		}
	}
	m.Close()
	c.Wait()
	hs.Client().CloseIdleConnections()
	if st := m.Stats(); st.PollFailures != 1 {
		t.Fatalf("stats = %+v", st)
	}
}
