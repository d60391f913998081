// Package stream fans session events out to Server-Sent Events clients
// (DESIGN.md §3): an init snapshot on connect, then created, updated,
// deleted and refresh events, each with an id "<epoch>-<seq>" that a
// reconnecting client sends back to get exactly what it missed.
//
// Publish never waits for a client: it appends the event to a bounded
// history and offers it to every client's queue. A client whose queue is
// full is disconnected rather than allowed to slow the others; it comes
// back with Last-Event-ID and the history fills the gap. Each connection is
// written by one goroutine only (view.serve). Over HTTP/1 the connection is
// taken over from net/http once the request is read, which keeps an idle
// stream small (conn.go says why).
package stream

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"slices"
	"sync"

	"vibecraft.sh/helm/server/internal/closed"
	"vibecraft.sh/helm/shared"
)

// Hub holds the published state, the history and the connected clients.
type Hub struct {
	opts  Options
	log   *slog.Logger
	epoch string
	// ctx is cancelled by Close: every handler returns, and a
	// WebSocket's pending write or ping ends with it.
	ctx  context.Context
	stop context.CancelFunc

	mu     sync.Mutex
	closed bool
	seq    uint64 // of the last published event; 0 before any
	// The published state, what the events so far imply, is kept once:
	// sorted holds each session, newest first (shared.Newer), and state
	// the ListTime of each by Key, which finds it in sorted by binary
	// search. A change moves one session within sorted, so order costs a
	// search and a short shift per change, never a sort of every session;
	// a change that would shift many waits in pend instead.
	state  *byKey[int64]
	sorted []shared.Session
	// pend holds, by key, changes that would have shifted many sessions
	// of sorted: they wait for the next reader, which merges them all in
	// one pass (order.go). state and sorted are the list without them;
	// lookupLocked sees them. cheapShift is the most sessions a change
	// shifts in place (tests lower it).
	pend       map[string]pendingChange
	cheapShift int
	// loans counts the readers holding sorted, who read it without the
	// lock (lendLocked; a refresh's record, for good): a change works on a
	// copy while any does, so what was handed out is never modified, and
	// in place once every reader gave it back: a list read at each page
	// load no longer costs a copy of the list (33 MB at 100,000 sessions)
	// at the next change. gen counts the lists sorted has been, so that a
	// loan of one since replaced is given back to nothing.
	loans    int
	gen      uint64
	hist     *history
	views    map[*view]map[*client]struct{} // clients by the handler that serves them
	nclients int
	// waiting counts the streams opened before ready that wait for it
	// (reserve): each holds a slot of MaxClients from its head on, as a
	// subscribed one does. Taken over from net/http, they are in
	// connlimit's count no more; uncounted here too, a reconnect storm
	// during a long first scan kept every connection it opened, a
	// descriptor each.
	waiting int
	nviews  uint64 // views made so far: the suffix of the next view's epoch
	// watchers are the channels Watch handed out, by session key.
	watchers map[string]map[chan struct{}]struct{}
	stats    Stats // counters only; the rest is filled in by Stats

	// Connections taken over from net/http, which http.Server.Shutdown
	// neither closes nor waits for: Close does both.
	taken   map[*rawConn]struct{}
	writers sync.WaitGroup

	// ready, when not nil, is closed once the published list is the
	// files' (HoldStreams): a stream opened before waits for it.
	ready <-chan struct{}
}

var (
	errClosed     = errors.New("the server is shutting down")
	errTooMany    = errors.New("too many stream clients")
	errBadPublish = errors.New("not a publishable event type")
)

// NewHub returns a hub with a new random epoch. Close it at shutdown.
func NewHub(opts Options) *Hub {
	opts = opts.withDefaults()
	ctx, stop := context.WithCancel(context.Background())
	return &Hub{
		opts:       opts,
		log:        opts.Logger,
		epoch:      newEpoch(),
		ctx:        ctx,
		stop:       stop,
		state:      newByKey[int64](nil),
		cheapShift: cheapShift,
		hist:       newHistory(opts.HistoryCount, opts.HistoryBytes),
		views:      make(map[*view]map[*client]struct{}),
		taken:      make(map[*rawConn]struct{}),
	}
}

// HoldStreams makes the streams opened before ready is closed wait for
// it, after their answer's head (serveBeforeReady): until then the
// published list is not the files' (helmd's first scan runs). Call it
// before serving.
func (h *Hub) HoldStreams(ready <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ready = ready
}

// notReady returns the channel a new stream waits for, nil once it is
// closed or when there is none.
func (h *Hub) notReady() <-chan struct{} {
	h.mu.Lock()
	ready := h.ready
	h.mu.Unlock()
	if ready == nil || closed.Is(ready) {
		return nil
	}
	return ready
}

// Epoch is the first part of the event ids of the unfiltered change view
// (Handler(nil)); other views append their own suffix to it.
func (h *Hub) Epoch() string { return h.epoch }

// Publish records an event and offers it to every client; it never blocks
// on clients. t is session-created, session-updated or session-deleted
// with the sessions concerned (deleted: their last known state), or
// refresh with every session, which replaces the state. Other types, and
// changes without sessions, are ignored.
func (h *Hub) Publish(t shared.EventType, sessions []shared.Session) {
	h.publish(t, sessions, false)
}

// PublishOwned is Publish of a list the caller gives up: the hub keeps
// sessions itself, sorts it, and may write to it, where Publish copies
// it (a refresh's copy was 33 MB at 100,000 sessions, with the list it
// copied from still alive). The caller must not write to it afterwards;
// reading it is safe.
func (h *Hub) PublishOwned(t shared.EventType, sessions []shared.Session) {
	h.publish(t, sessions, true)
}

func (h *Hub) publish(t shared.EventType, sessions []shared.Session, owned bool) {
	switch t {
	case shared.EventSessionCreated, shared.EventSessionUpdated, shared.EventSessionDeleted:
		if len(sessions) == 0 {
			return
		}
	case shared.EventRefresh:
	default:
		h.ignore(t, errBadPublish)
		return
	}
	own := sessions
	if !owned {
		own = make([]shared.Session, len(sessions))
		copy(own, sessions) // the caller may reuse its slice
	}
	for i := range own {
		// encoding/json refuses NaN and ±Inf; one odd price must not cost the
		// whole event.
		if c := own[i].CostUSD; math.IsNaN(c) || math.IsInf(c, 0) {
			own[i].CostUSD = 0
		}
	}
	var next *byKey[int64]
	if t == shared.EventRefresh {
		own, next = newestFirst(own)
	}
	at := h.opts.Now()
	// The data does not depend on the seq, so the costly part is done
	// before taking the lock, except for updates: they are encoded as
	// changes from the published state, read under the lock.
	var data []byte
	var err error
	// A refresh too large for the history is written only to the clients
	// subscribed now. With none, it is not encoded at all (at 100,000
	// sessions, 100 MB of JSON made to be dropped, and a heap twice that
	// while it is), and the history is emptied, as pushing it would have
	// done. With a few, each writer encodes it as it writes it (long.go).
	long := isLong(t, len(own), h.opts.HistoryBytes) && h.clientCount() <= longClients
	room := headRoom(t, h.epoch) // the frame's head goes before the data, once the id is known
	if t != shared.EventSessionUpdated && !long {
		if data, err = encodeDataAfter(room, t, own, nil, at); err != nil {
			h.ignore(t, err)
			return
		}
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	rec := &record{seq: h.seq + 1, typ: t, id: formatEventID(h.epoch, h.seq+1), at: at, sessions: own}
	if long && h.nclients == 0 {
		h.seq = rec.seq
		h.stats.PublishedByType.add(t)
		h.state, h.sorted, h.loans = next, own, 0 // no record holds own
		clear(h.pend)
		h.gen++
		h.hist.reset()
		h.signalLocked(true, nil)
		return
	}
	if long && h.nclients > longClients { // clients came in meanwhile
		long = false
		data, err = encodeDataAfter(room, t, own, nil, at)
	}
	if t == shared.EventSessionUpdated {
		rec.prev = h.previousLocked(own)
		data, err = encodeDataAfter(room, t, own, rec.prev, at)
	}
	if err == nil && !long {
		rec.frame, err = frameAround(data, room, t, rec.id)
	}
	if err != nil {
		h.stats.Ignored++
		h.log.Error("stream: event not sent", "type", t, "err", err)
		return
	}
	h.seq = rec.seq
	h.stats.PublishedByType.add(t)
	if next != nil {
		h.state, h.sorted, h.loans = next, own, 1 // own is the record's too, for good
		clear(h.pend)
		h.gen++
	} else if t == shared.EventSessionDeleted {
		h.removeAllLocked(own)
	} else {
		h.putAllLocked(own)
	}
	if long {
		// What pushing it would do: it is larger than the history.
		rec.long = true
		h.hist.reset()
	} else {
		h.hist.push(rec)
	}
	h.signalLocked(t == shared.EventRefresh, own)
	for v, clients := range h.views {
		if !rec.sendsTo(v) {
			continue
		}
		for c := range clients {
			if !c.offer(rec, h.opts.QueueSize) {
				// Too slow: drop the connection, not the message. The client
				// resumes from its last id and the history fills the gap.
				delete(clients, c)
				h.nclients--
				h.stats.SlowDisconnects++
				c.kick()
			}
		}
	}
}

// previousLocked returns, for each of the sessions of an update, the state
// the stream sent before it (the zero Session for one it never sent), the
// base its change is encoded against. A session twice in one event has the
// first as the base of the second, as a client applies them in order.
func (h *Hub) previousLocked(sessions []shared.Session) []shared.Session {
	prev := make([]shared.Session, len(sessions))
	var earlier map[string]int // of sessions in this event, when there are several
	if len(sessions) > 1 {
		earlier = make(map[string]int, len(sessions))
	}
	for i, s := range sessions {
		k := s.Key()
		if j, ok := earlier[k]; ok {
			prev[i] = sessions[j]
		} else {
			prev[i], _ = h.lookupLocked(k)
		}
		if earlier != nil {
			earlier[k] = i
		}
	}
	return prev
}

func (h *Hub) clientCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.nclients
}

// minSessionJSON is fewer bytes than any session takes in an event: the
// encoding of the zero Session (every string empty, every number 0),
// less a margin for its booleans, which "true" writes shorter.
var minSessionJSON = sync.OnceValue(func() int {
	b, err := json.Marshal(shared.Session{})
	if err != nil {
		return 0
	}
	return len(b) - 16
})

func (h *Hub) ignore(t shared.EventType, err error) {
	h.mu.Lock()
	h.stats.Ignored++
	h.mu.Unlock()
	h.log.Warn("stream: publish ignored", "type", t, "err", err)
}

// Lookup returns the published state of one session, by shared.Session.Key.
func (h *Hub) Lookup(key string) (shared.Session, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lookupLocked(key)
}

// EachLocal calls fn, under the hub's lock, with each published session
// of this machine (not Remote), which fn must neither keep nor modify:
// the index reads what it need not hold itself through it (index.Base),
// without lending the list (a loan makes the next change copy it).
func (h *Hub) EachLocal(fn func(*shared.Session)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.flushLocked()
	for i := range h.sorted {
		if !h.sorted[i].Remote {
			fn(&h.sorted[i])
		}
	}
}

// Snapshot returns the published state, newest first (shared.Newer).
func (h *Hub) Snapshot() []shared.Session {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.flushLocked()
	return slices.Clone(h.sorted) // a copy: nothing lent
}

// lendLocked returns the published state, newest first, for reading
// without the lock until release is called (once or more; from any
// goroutine, without the lock held): it is not modified until then.
func (h *Hub) lendLocked() (sessions []shared.Session, release func()) {
	h.flushLocked()
	h.loans++
	gen := h.gen
	var once sync.Once
	return h.sorted, func() {
		once.Do(func() {
			h.mu.Lock()
			if h.gen == gen {
				h.loans--
			}
			h.mu.Unlock()
		})
	}
}

// noRelease is the release of nothing lent.
func noRelease() {}

// Close ends every stream promptly and refuses later connections with 503.
// Publish does nothing afterwards. It returns once every connection taken
// over from net/http is closed and its goroutines have ended.
func (h *Hub) Close() {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		h.stop()
		clear(h.views)
		h.nclients = 0
		for rc := range h.taken {
			// Safe from any goroutine, and it unblocks a writer stuck in a
			// write to a stalled peer.
			rc.conn.Close()
		}
	}
	h.mu.Unlock()
	h.writers.Wait()
}

// adopt registers a connection taken over from net/http and counts its
// writer goroutine; false means the hub is closed and will not serve it.
func (h *Hub) adopt(rc *rawConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.taken[rc] = struct{}{}
	h.writers.Add(1)
	return true
}

// release undoes adopt once the writer goroutine is done with rc.
func (h *Hub) release(rc *rawConn) {
	h.mu.Lock()
	delete(h.taken, rc)
	h.mu.Unlock()
	h.writers.Done()
}

// Stats reports the hub's counters and sizes.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.stats
	s.Epoch = h.epoch
	s.Clients = h.nclients
	s.Waiting = h.waiting
	s.Published = h.seq
	s.Sessions = h.lenLocked()
	s.HistoryEvents = h.hist.n
	s.HistoryBytes = h.hist.bytes
	return s
}

// start is what a new connection writes before live events: either the
// replay after its cursor or an init snapshot.
type start struct {
	resumed bool
	replay  []*record
	initID  string
	state   []shared.Session // read-only, until release
	release func()           // gives state back; always set
}

// reserve takes a slot of MaxClients for a stream that waits for ready
// (serveBeforeReady), or says why subscribe would refuse it now. The
// slot is given back by unreserve, or passed on to the subscription by
// subscribe(…, true): a stream that waited is never refused for streams
// that came after it.
func (h *Hub) reserve() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var err error
	switch {
	case h.closed:
		err = errClosed
	case h.nclients+h.waiting >= h.opts.MaxClients:
		err = errTooMany
	}
	if err != nil {
		h.stats.Rejected++
		return err
	}
	h.waiting++
	return nil
}

// unreserve gives back the slot of a stream that ends while it waits.
func (h *Hub) unreserve() {
	h.mu.Lock()
	h.waiting--
	h.mu.Unlock()
}

// subscribe registers a client of v. Under the same lock it collects the
// replay after lastID (or the state for init), so every event is either in
// what the client writes first or in its queue: no gap, no duplicate.
func (h *Hub) subscribe(v *view, lastID string) (*client, start, error) {
	return h.join(v, lastID, false)
}

// join is subscribe for a client that holds a slot (reserve) when
// reserved: it takes the slot over, or gives it back when refused.
func (h *Hub) join(v *view, lastID string, reserved bool) (*client, start, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if reserved {
		h.waiting--
	}
	if h.closed {
		h.stats.Rejected++
		return nil, start{}, errClosed
	}
	if h.nclients+h.waiting >= h.opts.MaxClients {
		h.stats.Rejected++
		return nil, start{}, errTooMany
	}
	st := start{release: noRelease}
	st.replay, st.resumed = h.replayLocked(v, lastID)
	if st.resumed {
		h.stats.Resumed++
	} else {
		h.stats.Inits++
		st.initID = formatEventID(v.epoch, h.seq)
		st.state, st.release = h.lendLocked()
	}
	c := newClient(v)
	if h.views[v] == nil {
		h.views[v] = make(map[*client]struct{})
	}
	h.views[v][c] = struct{}{}
	h.nclients++
	return c, st, nil
}

// replayLocked returns the records a client of v that holds lastID
// missed, when the history still holds every one of them; ok is false
// when lastID names no state of v the history reaches (another epoch or
// view, the future, older than the history): such a client needs the
// whole list. The stream's resume and the list's ?since= (Since) both
// decide with it.
func (h *Hub) replayLocked(v *view, lastID string) (recs []*record, ok bool) {
	epoch, seq, ok := ParseEventID(lastID)
	if !ok || epoch != v.epoch {
		return nil, false
	}
	return h.hist.after(seq, h.seq)
}

// unsubscribe removes c, if Publish or Close has not already.
func (h *Hub) unsubscribe(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	clients := h.views[c.view]
	if _, ok := clients[c]; !ok {
		return
	}
	delete(clients, c)
	h.nclients--
	if len(clients) == 0 {
		delete(h.views, c.view) // a Handler made per request leaves nothing behind
	}
}
