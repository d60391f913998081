package stream

import (
	"context"
	"errors"
	"iter"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"vibecraft.sh/helm/server/internal/httperr"
	"vibecraft.sh/helm/shared"
)

// maxBatch bounds how many queued events one write carries before a flush.
const maxBatch = 64

// view is one stream endpoint: the hub seen through a filter.
type view struct {
	hub  *Hub
	keep func(*shared.Session) bool // nil: every session
	// epoch is the first part of this view's event ids. An id names a
	// position in one view's sequence of frames: resumed on another view
	// (another filter, another framing) it would apply that view's events
	// to a list the client never had, so each view has its own epoch and
	// a foreign id gets an init, never a replay.
	epoch string
	// full, when set, makes this a full-list view (fulllist.go).
	full *fullList

	// The init frame of the last seq asked for (initID): a reconnect storm
	// after a restart encodes the snapshot once, not once per client. It
	// is reused for initFresh only, so its timestamp stays close to the
	// truth, and let go once that has passed.
	mu     sync.Mutex
	initID string
	init   reusedFrame
	// longInits counts the long inits (longInit) being written.
	longInits int
}

// initFresh is how long an encoded init frame may be reused.
const initFresh = time.Second

// Endpoint is one stream path: the stream, and the published state a
// client may start from instead of an init.
type Endpoint interface {
	http.Handler
	// Snapshot returns the sessions this view has published, newest
	// first, and the id of the last event they include: a stream resumed
	// from that id, applied to them, gives the view's state.
	Snapshot() (sessions []shared.Session, lastEventID string)
	// Published is Snapshot without the copy: the sessions this view
	// keeps, in the hub's own read-only list, lent until release is
	// called, which the caller must do once done with them.
	Published() (sessions iter.Seq[*shared.Session], lastEventID string, release func())
	// StateAt returns the view's state as of an event id ("" now),
	// read-only and not copied until release is called, which the caller
	// must do once done with it (stateat.go).
	StateAt(id string) (sessions []shared.Session, sorted bool, at string, release func(), err error)
	// Since returns the events a stream resumed from id would replay,
	// and the id of the view's state now (since.go).
	Since(id string) (events []Sent, at string, ok bool)
}

// Handler serves one stream endpoint. keep filters sessions (nil keeps
// all): a change event none of whose sessions is kept is not sent, while
// init and refresh are always sent, possibly empty. session-updated
// events carry changes (shared.AppendChange), so keep must judge only what
// never changes in a session (its source): a client must have had every
// earlier state of a session it gets a change of. Call it once per
// endpoint: filtered encodings are cached per handler.
func (h *Hub) Handler(keep func(*shared.Session) bool) Endpoint {
	return h.newView(keep, false)
}

// newView returns a view with its own epoch, except the unfiltered change
// view, which is the hub's: every such view sends the same frames, so
// their ids are interchangeable (and the frame encoded at Publish serves
// them all).
func (h *Hub) newView(keep func(*shared.Session) bool, ownEpoch bool) *view {
	v := &view{hub: h, keep: keep, epoch: h.epoch}
	if keep != nil || ownEpoch {
		h.mu.Lock()
		h.nviews++
		n := h.nviews
		h.mu.Unlock()
		// The hub's epoch is hex, so a "v" cannot make another hub's.
		v.epoch = h.epoch + "v" + strconv.FormatUint(n, 10)
	}
	return v
}

// Snapshot returns the published state v keeps and the id of the last
// event it includes, read together under the hub's lock.
func (v *view) Snapshot() ([]shared.Session, string) {
	h := v.hub
	h.mu.Lock()
	state, release := h.lendLocked()
	seq := h.seq
	h.mu.Unlock()
	defer release()
	kept, _ := v.filter(state, nil) // not modified while lent
	if v.keep == nil {
		kept = slices.Clone(kept)
	}
	return kept, formatEventID(v.epoch, seq)
}

// Published returns the sessions v keeps of the published state, newest
// first, as pointers into the hub's list, and the id of the last event
// it includes, read together under the hub's lock. A filtered view's
// Snapshot copies what it keeps (36 MB at 100,000 sessions, for the
// original Helm's list); a caller that encodes the sessions at once, as
// appendFull does, need not. keep sees a copy, as in filter.
func (v *view) Published() (iter.Seq[*shared.Session], string, func()) {
	seq, state, release := v.hub.publishedState()
	return v.kept(state), formatEventID(v.epoch, seq), release
}

// kept yields the sessions of state v keeps, in order, as pointers into
// state (read-only): no copy of what it keeps, where filter makes one.
// keep sees a copy, as in filter: one, reused.
func (v *view) kept(state []shared.Session) iter.Seq[*shared.Session] {
	return func(yield func(*shared.Session) bool) {
		var c shared.Session
		for i := range state {
			if v.keep != nil {
				if c = state[i]; !v.keep(&c) {
					continue
				}
			}
			if !yield(&state[i]) {
				return
			}
		}
	}
}

// filter returns the sessions v keeps, and the entries of prev (when set)
// in step with them. keep sees a copy, so a filter with a side effect
// cannot change what other clients get.
func (v *view) filter(ss, prev []shared.Session) (kept, keptPrev []shared.Session) {
	if v.keep == nil {
		return ss, prev
	}
	kept = make([]shared.Session, 0, len(ss))
	// keep's copy, one for all: the loop variable, its address given to
	// keep, went to the heap each turn (34 MB at 100,000 sessions).
	var c shared.Session
	for i := range ss {
		if c = ss[i]; v.keep(&c) {
			kept = append(kept, ss[i])
			if prev != nil {
				keptPrev = append(keptPrev, prev[i])
			}
		}
	}
	return kept, keptPrev
}

func (v *view) initFrame(id string, state []shared.Session) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.hub.opts.Now()
	if v.initID == id && v.init.fresh(now) {
		return v.init.data, nil
	}
	kept, _ := v.filter(state, nil)
	f, err := encodeFrame(shared.EventInit, id, kept, nil, now)
	if err != nil {
		return nil, err
	}
	v.initID = id
	v.init.keep(f, now, &v.mu, v.hub.opts.Now)
	return f, nil
}

// lastEventID is the client's cursor: the header EventSource sends on a
// reconnect, else the query parameter a new EventSource can carry.
func lastEventID(r *http.Request) string {
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		return id
	}
	return r.URL.Query().Get("lastEventId")
}

func (v *view) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httperr.Write(w, http.StatusMethodNotAllowed, r.Method+" "+r.URL.Path+": a stream is read with GET")
		return
	}
	h := v.hub
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // nginx would otherwise buffer the stream
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	if ready := h.notReady(); ready != nil {
		v.serveBeforeReady(w, r, ready)
		return
	}
	last := lastEventID(r)
	c, st, err := h.subscribe(v, last)
	if err != nil {
		refuse(w, err)
		return
	}
	if v.full != nil {
		c.full = v.fullStart(st, last) // fulllist.go
	}
	remote := r.RemoteAddr
	if h.log.Enabled(r.Context(), slog.LevelDebug) {
		h.log.LogAttrs(r.Context(), slog.LevelDebug, "stream client connected",
			slog.String("remote", remote), slog.String("path", r.URL.Path),
			slog.Bool("resumed", st.resumed), slog.Int("replay", len(st.replay)))
	}
	op, err := v.opening(st)
	if err != nil {
		h.unsubscribe(c)
		h.log.Error("stream: init not sent", "err", err)
		httperr.Write(w, http.StatusInternalServerError, "the session list could not be encoded; see the server log")
		return
	}

	s, taken, err := hijack(w, r, hdr, h.opts.WriteTimeout)
	switch {
	case err != nil:
		op.done()
		h.unsubscribe(c)
		h.logEnd(remote, "could not take the connection over", err)
	case taken:
		// The handler returns, and with it net/http's hold on the
		// connection; the stream lives on in a goroutine of its own.
		rc := s.(*rawConn)
		if !h.adopt(rc) {
			op.done()
			rc.finish()
			h.unsubscribe(c)
			return
		}
		go func() {
			defer h.release(rc)
			v.serve(c, rc, op, remote)
		}()
	default:
		w.WriteHeader(http.StatusOK)
		v.serve(c, newResponse(w, r.Context(), h.opts.WriteTimeout), op, remote)
	}
}

// scanning is the comment a stream opened before the hub's ready sends
// with its head: clients pass it over; a person reading the stream
// (curl) learns why no list follows yet.
var scanning = []byte(": helmd is still reading its transcripts (its first scan since it started); the list follows once it is done\n\n")

// serveBeforeReady serves a stream opened before ready is closed: its
// answer's head at once, marked with httperr.FirstScanHeader (helmd
// watch says it waits on it), then a keepalive event each period, and
// the stream proper once ready is closed, whose first event is the
// scanned list, as the WebSocket does (serveBeforeReady there). Held
// before its head instead, a stream ran into every bound a client or a
// proxy sets on the wait for one: helmd watch gave up after 15 s on a
// first scan over tens of GB. A refusal the subscription would make (a
// closed hub, too many streams) is a 503 when it holds before the head;
// one that comes of the wait closes the stream, which its client's
// reconnection retries. The stream holds its slot of MaxClients from
// its head on (reserve), which awaitReady passes on or gives back.
func (v *view) serveBeforeReady(w http.ResponseWriter, r *http.Request, ready <-chan struct{}) {
	h := v.hub
	if err := h.reserve(); err != nil {
		refuse(w, err)
		return
	}
	hdr := w.Header()
	hdr.Set(httperr.FirstScanHeader, "1")
	remote, last := r.RemoteAddr, lastEventID(r)
	s, taken, err := hijack(w, r, hdr, h.opts.WriteTimeout)
	switch {
	case err != nil:
		h.unreserve()
		h.logEnd(remote, "could not take the connection over", err)
	case taken:
		// As a ready stream's: the handler returns, the wait goes on in
		// a goroutine of its own, and the hub's Close ends it.
		rc := s.(*rawConn)
		if !h.adopt(rc) {
			h.unreserve()
			rc.finish()
			return
		}
		go func() {
			defer h.release(rc)
			v.awaitReady(s, ready, remote, last)
		}()
	default:
		w.WriteHeader(http.StatusOK)
		v.awaitReady(newResponse(w, r.Context(), h.opts.WriteTimeout), ready, remote, last)
	}
}

// awaitReady writes the head (with the retry field and scanning), a
// keepalive each period until ready is closed, then serves the stream
// from its subscription then, which is what it would have been had it
// connected then. It ends the stream if the peer leaves or the hub
// closes first. It owns the stream's slot (reserve).
func (v *view) awaitReady(s sink, ready <-chan struct{}, remote, last string) {
	h := v.hub
	reserved := true
	defer func() {
		if reserved {
			h.unreserve()
		}
	}()
	out := [][]byte{retryField(h.opts.Retry), scanning}
	keepalive := time.NewTimer(h.opts.Keepalive)
	defer keepalive.Stop()
	for waiting := true; waiting; {
		if out != nil {
			if err := s.write(out); err != nil {
				h.logEnd(remote, "write failed", err)
				s.finish()
				return
			}
			out = nil
		}
		select {
		case <-ready:
			waiting = false
		case <-s.gone():
			h.logEnd(remote, "gone before the first list", nil)
			s.finish()
			return
		case <-h.ctx.Done():
			s.finish()
			return
		case <-keepalive.C:
			// A named event, as a quiet stream's (serve): a client
			// that ends a silent stream (helmd watch's idleLimit) sees
			// helmd alive (its reader passes comments over unseen).
			f, err := encodeFrame(shared.EventKeepalive, "", nil, nil, h.opts.Now())
			if err != nil {
				h.logEnd(remote, "keepalive not encoded", err)
				s.finish()
				return
			}
			out = [][]byte{f}
			keepalive.Reset(h.opts.Keepalive)
		}
	}
	reserved = false // join takes the slot over, or gives it back
	c, st, err := h.join(v, last, true)
	if err != nil {
		h.logEnd(remote, "refused after the first list", err)
		s.finish()
		return
	}
	if v.full != nil {
		c.full = v.fullStart(st, last)
	}
	op, err := v.opening(st)
	if err != nil {
		h.unsubscribe(c)
		h.log.Error("stream: init not sent", "err", err)
		s.finish()
		return
	}
	op.first = op.first[1:] // its retry field went out with the head
	v.serve(c, s, op, remote)
}

// opened is what a new connection writes before live events: first, then
// init when set.
type opened struct {
	first [][]byte
	// init is a long init (long.go), written after first as it is
	// encoded; nil when first holds the init or none is sent.
	init *longFrame
	// done gives back what init reads (the lent state); always set, and
	// called once init is written or will not be.
	done func()
}

// opening is what a new connection writes before live events: the retry
// field, then the replay after its cursor or an init snapshot.
func (v *view) opening(st start) (opened, error) {
	op := opened{first: [][]byte{retryField(v.hub.opts.Retry)}, done: noRelease}
	if v.full != nil {
		st.release()
		return op, nil // serveFull writes the list
	}
	if st.resumed {
		st.release()
		op.first = v.appendFrames(op.first, st.replay)
		return op, nil
	}
	if f, done := v.longInit(st); done != nil {
		op.init, op.done = &f, done
		return op, nil
	}
	defer st.release() // the init is encoded, or not needed
	f, err := v.initFrame(st.initID, st.state)
	if err != nil {
		return opened{}, err
	}
	op.first = append(op.first, f)
	return op, nil
}

// A long init is the init of a list large enough that encoding it whole
// costs memory worth saving: 85 MB at 100,000 sessions, held while the
// client reads it and garbage after, on top of the list it encodes. A
// Refresh in the seconds after a start and a stream's init peaked at 320
// to 372 MB of RSS, where it peaked under 300 MB once that was collected.
// As a long refresh, it is encoded by the client's writer as it writes
// it, in pieces of about longPiece bytes: the same bytes go on the wire.
// The writer reads the published state meanwhile, lent (a change then
// costs the hub a copy of the list, 33 MB at 100,000 sessions, which is
// less, and only if one comes). Each such client costs an encoding
// (CPU); while longClients of them are under way, or a whole encoding is
// fresh, a new client shares one, as a reconnect storm after a restart
// does.

// longInitBytes is the size from which an init is certainly long
// enough to be written in pieces: below it, a whole one is cheap. A
// variable only so that a test can make long inits of a few hundred
// sessions rather than encode thousands under -race; nothing else sets
// it.
var longInitBytes = 16 * longPiece

// longInit returns the long init of st, and the function that gives it
// back once written (nil when the init is not long: then initFrame
// makes it whole, and st is still the caller's to release).
func (v *view) longInit(st start) (longFrame, func()) {
	if len(st.state)*minSessionJSON() < longInitBytes {
		return longFrame{}, nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.hub.opts.Now()
	if v.longInits >= longClients || (v.initID == st.initID && v.init.fresh(now)) {
		return longFrame{}, nil
	}
	v.longInits++
	state := st.state
	f := longFrame{
		typ: shared.EventInit,
		id:  st.initID,
		data: func(emit func([]byte) error) error {
			return emitData(shared.EventInit, v.kept(state), nil, now, emit)
		},
	}
	var once sync.Once
	return f, func() {
		once.Do(func() {
			st.release()
			v.mu.Lock()
			v.longInits--
			v.mu.Unlock()
		})
	}
}

// appendFrames appends the frames of recs that clients of v get.
func (v *view) appendFrames(out [][]byte, recs []*record) [][]byte {
	for _, rec := range recs {
		if f := rec.frameFor(v); f != nil {
			out = append(out, f)
		}
	}
	return out
}

// serve is the connection's writer: the only goroutine that writes to s.
// It writes op, then every queued event and a keepalive whenever the
// stream has been quiet for a period, until the peer leaves, the hub
// closes or the client falls too far behind.
func (v *view) serve(c *client, s sink, op opened, remote string) {
	if v.full != nil {
		op.done() // nothing lent: a full-list opening has no init
		v.serveFull(c, s, op.first, remote)
		return
	}
	h := v.hub
	defer h.unsubscribe(c)
	defer s.finish()
	err := s.write(op.first)
	if err == nil && op.init != nil {
		err = s.writeLong(*op.init)
	}
	op.done()
	op = opened{} // a replay may be long: do not hold it while idle
	if err != nil {
		h.logEnd(remote, "write failed", err)
		return
	}

	var recs []*record
	var batch [][]byte
	keepalive := time.NewTimer(h.opts.Keepalive)
	defer keepalive.Stop()
	var replies <-chan wsReplyOut // nil, never ready, unless the sink takes requests (ws.go)
	var pages <-chan wsPage
	rp, _ := s.(replier)
	if rp != nil {
		replies, pages = rp.pending(), rp.followed()
	}
	for {
		var err error
		select {
		case msg := <-replies:
			err = rp.reply(msg)
		case p := <-pages:
			err = rp.page(p)
		case <-s.gone():
			h.logEnd(remote, "client gone", nil)
			return
		case <-h.ctx.Done():
			return
		case <-c.done:
			h.dropSlow(s, remote)
			return
		case <-c.wake:
			recs = c.take(recs)
			batch, err = writeRecords(s, v, recs, batch)
		case <-keepalive.C:
			var f []byte
			if f, err = encodeFrame(shared.EventKeepalive, "", nil, nil, h.opts.Now()); err == nil {
				err = s.write([][]byte{f})
			}
		}
		if err != nil {
			h.logEnd(remote, "write failed", err)
			return
		}
		// Go ≥ 1.23 timers: Reset after the timer fired needs no drain.
		keepalive.Reset(h.opts.Keepalive)
	}
}

// writeRecords writes the frames of recs that clients of v get, at most
// maxBatch to a write, so that a burst costs few flushes and no single
// write is unbounded. batch is scratch space, returned for reuse; both are
// cleared, so an idle client holds no frame or record.
//
// A long record (long.go) is written on its own, as it is encoded, after
// the frames before it.
func writeRecords(s sink, v *view, recs []*record, batch [][]byte) ([][]byte, error) {
	defer clear(recs)
	var err error
	for rest := recs; len(rest) > 0 && err == nil; {
		n := 0
		batch = batch[:0]
		for _, rec := range rest {
			if n == maxBatch || rec.long {
				break
			}
			n++
			if f := rec.frameFor(v); f != nil {
				batch = append(batch, f)
			}
		}
		if len(batch) > 0 {
			err = s.write(batch)
		}
		rest = rest[n:]
		if err == nil && n == 0 { // rest[0] is long
			err = s.writeLong(rest[0].longFrameFor(v))
			rest = rest[1:]
		}
	}
	clear(batch)
	return batch, err
}

// dropSlow cuts a client whose queue filled up: Publish has already
// unsubscribed it; its writer aborts the connection.
func (h *Hub) dropSlow(s sink, remote string) {
	h.log.LogAttrs(context.Background(), slog.LevelInfo, "stream client too slow; disconnected",
		slog.String("remote", remote), slog.Int("queue", h.opts.QueueSize))
	s.abort()
}

func (h *Hub) logEnd(remote, why string, err error) {
	ctx := context.Background()
	if !h.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("remote", remote), slog.String("why", why)}
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	h.log.LogAttrs(ctx, slog.LevelDebug, "stream client disconnected", attrs...)
}

// refuse answers a connection the hub will not take, with a delay after
// which EventSource (or the client's backoff) may try again.
func refuse(w http.ResponseWriter, err error) {
	w.Header().Set("Retry-After", retryAfterSeconds)
	msg := err.Error() + "; retry in " + retryAfterSeconds + " seconds"
	if errors.Is(err, errTooMany) {
		msg = "too many live-update streams are open on this server; close some tabs or retry in " +
			retryAfterSeconds + " seconds"
	}
	httperr.Write(w, http.StatusServiceUnavailable, msg)
}
