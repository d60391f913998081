package feed

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// modelServer is the server side of the interleaving test: a history of
// published events, each session-updated entry a change from the state
// published before it (as the hub sends them), the REST list answered
// from the published state with its id, and streams that resume from an
// id (replay) or start with an init.
type modelServer struct {
	rng     *rand.Rand
	state   map[string]shared.Session
	history []frameRec // history[i] has id "1-(i+1)"
	conns   []*conn
	known   map[*fakeStream]bool
	served  []*pollRec
}

type frameRec struct{ typ, data string }

type conn struct {
	s        *fakeStream
	accepted bool
	opened   bool
	init     *frameRec // pending init, delivered first
	initID   string
	next     int // index in history of the next event to deliver
}

type pollRec struct {
	p        *fakePoll
	computed bool
	body     []byte
	id       string
	err      error // a 304
}

// answer is the REST list's answer to a poll now: to one that names a
// state of the history (?since=), 304 or the events after it, as helmd
// answers, but now and then the whole list, as an older helmd does.
func (srv *modelServer) answer(t *testing.T, p *pollRec) {
	p.computed, p.err = true, nil
	p.body, p.id = mustMarshal(t, srv.list()), srv.id(len(srv.history))
	u, err := url.Parse(p.p.url)
	if err != nil {
		t.Fatal(err)
	}
	seq, ok := strings.CutPrefix(u.Query().Get("since"), "1-")
	n, err := strconv.Atoi(seq)
	if !ok || err != nil || n < 0 || n > len(srv.history) || srv.rng.IntN(4) == 0 {
		return
	}
	if n == len(srv.history) {
		p.body, p.err = nil, statusError(statusNotModified)
		return
	}
	b := []byte(`{"events":[`)
	for i, f := range srv.history[n:] {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"event":%q,"id":%q,"data":%s}`, f.typ, srv.id(n+i+1), f.data)
	}
	p.body = append(b, "]}"...)
}

func (srv *modelServer) id(n int) string { return "1-" + strconv.Itoa(n) }

func (srv *modelServer) list() []shared.Session {
	out := slices.Collect(maps.Values(srv.state))
	shared.SortNewestFirst(out)
	return out
}

func (srv *modelServer) publish(typ shared.EventType, data []byte) {
	srv.history = append(srv.history, frameRec{string(typ), string(data)})
}

// mutate changes the state as a busy machine does, and publishes it.
func (srv *modelServer) mutate(t *testing.T) {
	keys := []string{"a", "b", "c", "d"}
	id := keys[srv.rng.IntN(len(keys))]
	k := "claude:" + id
	n := int64(len(srv.history) + 1)
	old, had := srv.state[k]
	switch {
	case !had:
		s := shared.Session{ID: id, Source: shared.SourceClaude, Title: "t" + id, Model: "sonnet",
			Status: shared.StatusWorking, CreatedAt: n, UpdatedAt: n}
		srv.state[k] = s
		if srv.rng.IntN(2) == 0 {
			srv.publish(shared.EventSessionCreated, mustMarshal(t, shared.Event{Type: shared.EventSessionCreated, Sessions: []shared.Session{s}, Timestamp: n}))
		} else { // a session the stream never sent, as a change from nothing
			srv.publishChange(t, shared.Session{}, s, n)
		}
	case srv.rng.IntN(8) == 0:
		delete(srv.state, k)
		srv.publish(shared.EventSessionDeleted, mustMarshal(t, shared.Event{Type: shared.EventSessionDeleted, Sessions: []shared.Session{old}, Timestamp: n}))
	case srv.rng.IntN(12) == 0:
		srv.publish(shared.EventRefresh, mustMarshal(t, shared.Event{Type: shared.EventRefresh, Sessions: srv.list(), Timestamp: n}))
	default: // fields that go back and forth, often without a new time
		cur := old
		switch srv.rng.IntN(4) {
		case 0:
			cur.Model = map[string]string{"sonnet": "opus", "opus": "sonnet"}[cur.Model]
		case 1:
			cur.Status = []shared.Status{shared.StatusWorking, shared.StatusWaiting, shared.StatusIdle}[srv.rng.IntN(3)]
		case 2:
			cur.Active = !cur.Active
		case 3:
			cur.Title += "+"
		}
		if srv.rng.IntN(2) == 0 {
			cur.UpdatedAt = n
		}
		srv.state[k] = cur
		srv.publishChange(t, old, cur, n)
	}
}

func (srv *modelServer) publishChange(t *testing.T, old, cur shared.Session, n int64) {
	b, err := shared.AppendChange([]byte(`{"type":"session-updated","sessions":[`), &old, &cur)
	if err != nil {
		t.Fatal(err)
	}
	srv.publish(shared.EventSessionUpdated, append(b, `],"timestamp":`+strconv.FormatInt(n, 10)+`}`...))
}

// accept is the server reading a new connection's request: it resumes
// from a known id, or sends an init of the state now.
func (srv *modelServer) accept(t *testing.T, c *conn) {
	c.accepted = true
	u, err := url.Parse(c.s.url)
	if err != nil {
		t.Fatal(err)
	}
	from := u.Query().Get("lastEventId")
	if seq, ok := strings.CutPrefix(from, "1-"); ok {
		if n, err := strconv.Atoi(seq); err == nil && n >= 0 && n <= len(srv.history) {
			c.next = n
			return
		}
	}
	c.init = &frameRec{"init", string(mustMarshal(t, shared.Event{Type: shared.EventInit, Sessions: srv.list()}))}
	c.initID = srv.id(len(srv.history))
	c.next = len(srv.history)
}

// deliver sends c's next event, if it has one; false when it has none.
func (srv *modelServer) deliver(c *conn) bool {
	if !c.opened {
		c.opened = true
		c.s.h.Open()
		return true
	}
	if c.init != nil {
		f := c.init
		c.init = nil
		c.s.h.Event(f.typ, c.initID, f.data)
		return true
	}
	if c.next >= len(srv.history) {
		return false
	}
	f := srv.history[c.next]
	c.next++
	c.s.h.Event(f.typ, srv.id(c.next), f.data)
	return true
}

// discover registers the streams and polls the machine started.
func (srv *modelServer) discover(h *listHarness) {
	h.tr.mu.Lock()
	streams := slices.Clone(h.tr.streams)
	h.tr.mu.Unlock()
	for _, s := range streams {
		if !srv.known[s] {
			srv.known[s] = true
			srv.conns = append(srv.conns, &conn{s: s})
		}
	}
	h.poller.mu.Lock()
	for _, p := range h.poller.calls[len(srv.served):] {
		srv.served = append(srv.served, &pollRec{p: p})
	}
	h.poller.mu.Unlock()
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// interleavingRuns is how many seeds TestInterleavings tries; raise it
// for a long run: go test ./app/feed -run TestInterleavings -interleavings=5000
var interleavingRuns = flag.Int("interleavings", 80, "runs of TestInterleavings, 400 steps each")

// TestInterleavings drives the machine with random interleavings of
// server changes (fields flipping back and forth), stream opens, events,
// cuts and stale callbacks, REST answers computed at one moment and
// delivered later (or failing, or without the id header), timer firings
// and manual retries; with bad events injected in half the runs. After
// each quiet point (every answer delivered, a stream open and caught up)
// the client's list must equal the server's, and only injected bad
// events may have caused resyncs.
func TestInterleavings(t *testing.T) {
	runs := *interleavingRuns
	if testing.Short() {
		runs = min(runs, 20)
	}
	for seed := range uint64(runs) {
		inject := seed%2 == 1
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			h := newListHarness(t, nil)
			srv := &modelServer{rng: rand.New(rand.NewPCG(seed, 7)), state: map[string]shared.Session{}, known: map[*fakeStream]bool{}}
			for range 3 {
				srv.mutate(t)
			}
			h.m.Start()
			injected := 0
			for step := range 400 {
				srv.discover(h)
				srv.act(t, h, inject, &injected)
				if step%50 == 49 {
					srv.settle(t, h)
					if got, want := slices.Collect(maps.Values(h.held)), srv.list(); !sameSessions(got, want) {
						t.Fatalf("step %d: the client's list\n%+v\nis not the server's\n%+v", step, sorted(got), want)
					}
					if st := h.m.Stats(); st.Resyncs > injected {
						t.Fatalf("step %d: %d resyncs with %d bad events injected: %+v", step, st.Resyncs, injected, st)
					}
				}
			}
		})
	}
}

// act does one random thing.
func (srv *modelServer) act(t *testing.T, h *listHarness, inject bool, injected *int) {
	r := srv.rng
	switch x := r.IntN(100); {
	case x < 25:
		srv.mutate(t)
	case x < 55: // the newest stream makes progress
		if c := srv.newest(); c != nil && !c.s.isClosed() {
			if !c.accepted {
				srv.accept(t, c)
			} else {
				srv.deliver(c)
			}
		}
	case x < 60: // an old stream's late callback (the machine must ignore it)
		if len(srv.conns) > 1 {
			c := srv.conns[r.IntN(len(srv.conns)-1)]
			[]func(){c.s.h.Open, c.s.h.Error, func() { c.s.h.Event("init", "1-0", `{"type":"init","sessions":[]}`) }}[r.IntN(3)]()
		}
	case x < 65: // the connection drops
		if c := srv.newest(); c != nil && !c.s.isClosed() {
			c.s.h.Error()
		}
	case x < 75: // the server computes a REST answer now
		for _, p := range srv.served {
			if !p.computed && p.p != nil {
				srv.answer(t, p)
				if r.IntN(6) == 0 && p.body != nil && p.body[0] == '[' {
					p.id = "" // a list without the header
				}
				break
			}
		}
	case x < 85: // a computed answer reaches the client, or the request fails
		for _, p := range srv.served {
			if p.p != nil {
				switch {
				case p.computed:
					p.p.done(p.body, p.id, p.err)
				case r.IntN(3) == 0:
					p.p.done(nil, "", fmt.Errorf("connection refused"))
				default:
					continue
				}
				p.p = nil
				break
			}
		}
	case x < 97:
		h.clock.Advance(time.Duration(r.IntN(20_000)) * time.Millisecond)
	case x < 98:
		h.m.Retry()
	default: // the next event arrives mangled: the client cannot decode it
		if c := srv.newest(); inject && c != nil && c.opened && c.init == nil && c.next < len(srv.history) && !c.s.isClosed() {
			*injected++
			f := srv.history[c.next]
			c.next++
			c.s.h.Event(f.typ, srv.id(c.next), f.data[:len(f.data)/2])
		}
	}
}

func (srv *modelServer) newest() *conn {
	if len(srv.conns) == 0 {
		return nil
	}
	return srv.conns[len(srv.conns)-1]
}

// settle brings the system to a quiet point: every REST request answered
// and delivered, and a stream open with every event delivered.
func (srv *modelServer) settle(t *testing.T, h *listHarness) {
	t.Helper()
	for range 2000 {
		srv.discover(h)
		for _, p := range srv.served {
			if p.p != nil {
				if !p.computed {
					srv.answer(t, p)
				}
				done := p.p.done
				p.p = nil
				done(p.body, p.id, p.err)
			}
		}
		c := srv.newest()
		if c == nil || c.s.isClosed() {
			h.clock.Advance(time.Second)
			continue
		}
		if !c.accepted {
			srv.accept(t, c)
		}
		for srv.deliver(c) {
			if c.s.isClosed() {
				break
			}
		}
		if !c.s.isClosed() && h.m.Status().State == Live {
			return
		}
	}
	t.Fatalf("no quiet point: %+v, %+v", h.m.Status(), h.m.Stats())
}

func sorted(ss []shared.Session) []shared.Session {
	ss = slices.Clone(ss)
	shared.SortNewestFirst(ss)
	return ss
}

func sameSessions(a, b []shared.Session) bool { return slices.Equal(sorted(a), sorted(b)) }
