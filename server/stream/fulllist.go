package stream

import (
	"fmt"
	"sync"
	"time"

	"vibecraft.sh/helm/shared"
)

// A full-list view sends, in every event, the whole list of the sessions it
// keeps, newest first, rather than what changed: the original Helm server
// did, and its client replaces its list with each event's sessions. Sent
// event by event, that would be one whole list per published change, so
// each connection's writer coalesces what it is woken with and writes at
// most one list per Options.Debounce: the first change after a quiet
// period at once, later ones when the window ends, the last state always.
//
// A frame carries the published state at some seq S, with the id of S and
// the type of the latest event the connection was woken with; events up to
// S still in its queue are then already sent and are skipped. The frame of
// a (seq, type) is encoded once per view and shared by all its clients.
//
// A new connection gets the list as init. One that resumes from an id the
// history still covers gets, at once, the current list typed as the latest
// event it missed, or nothing when it missed nothing it keeps: every frame
// being the whole list, what it missed needs no replay.

// FullListHandler serves a full-list stream of the sessions keep accepts
// (nil: all). newShape (nil: the sessions as they are) returns what turns
// each kept session into the value sent for it in the event's "sessions"
// array; it must not modify the session. Each encoding of a list calls
// newShape once and its result for each session, the value encoded
// before the next call (so it may reuse one): encodings run at once, one
// per writer of a large list (fullLong), so a shape must not be shared
// between them. Session by session: the list shaped whole, then
// marshalled whole, allocated five times the frame (544 MB at 100,000
// sessions). Call it once per endpoint.
func (h *Hub) FullListHandler(keep func(*shared.Session) bool, newShape func() func(*shared.Session) any) Endpoint {
	v := h.newView(keep, true) // its frames are not the change view's, so neither are its ids
	v.full = &fullList{newShape: newShape}
	return v
}

// fullList is what a full-list view keeps: its shape and its last frame.
type fullList struct {
	newShape func() func(*shared.Session) any

	mu    sync.Mutex // held while encoding, so a frame is encoded once
	size  int        // the last frame's length, to size the next one
	seq   uint64
	typ   shared.EventType
	frame reusedFrame // the list at (seq, typ); once let go, the next client encodes anew
	longs int         // long lists (fullLong) being written
}

// shape returns a shape for one encoding of v's list, nil for none.
func (fl *fullList) shape() func(*shared.Session) any {
	if fl.newShape == nil {
		return nil
	}
	return fl.newShape()
}

// fullStart is how a full-list connection begins, decided when it
// subscribes.
type fullStart struct {
	resumed bool
	sent    uint64           // resumed: the seq the client's list is at
	missed  shared.EventType // resumed: the latest event it lacks, "" if none
}

// fullStart reads what subscribe collected for a client of v that sent
// lastID: a resume holds no records, only the seq and the latest type.
func (v *view) fullStart(st start, lastID string) fullStart {
	if !st.resumed {
		return fullStart{}
	}
	_, seq, _ := ParseEventID(lastID) // resumed, so it parsed
	fs := fullStart{resumed: true, sent: seq}
	for _, rec := range st.replay {
		fs.sent = rec.seq
		if rec.sendsTo(v) {
			fs.missed = rec.typ
		}
	}
	return fs
}

// appendFull appends the frame of a full-list event to b: shared.Event's
// JSON, {"type":…,"sessions":[…],"timestamp":ms}, with the sessions of
// state that v keeps, each as v's shape gives it, encoded one at a time
// (no copy of the list, shaped or not): the bytes a long list (fullLong)
// writes piece by piece, gathered in b.
func (v *view) appendFull(b []byte, typ shared.EventType, id string, state []shared.Session, at time.Time) ([]byte, error) {
	b, err := appendHead(b, typ, id)
	if err != nil {
		return nil, err
	}
	err = emitData(typ, v.kept(state), v.full.shape(), at, func(p []byte) error {
		b = append(b, p...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stream: %s list: %w", typ, err)
	}
	return append(b, "\n\n"...), nil
}

// publishedState returns the published seq and the state at it, newest
// first, lent until release is called (see lendLocked): a change made
// while it is lent copies the whole list, so a frame gives it back as
// soon as it is encoded.
func (h *Hub) publishedState() (uint64, []shared.Session, func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	state, release := h.lendLocked()
	return h.seq, state, release
}

// fullFrame returns the frame of v's list as published now, of type typ,
// and the seq it is at, encoded whole. Clients of v asking for the same
// seq and type share one encoding.
func (v *view) fullFrame(typ shared.EventType) ([]byte, uint64, error) {
	fl := v.full
	fl.mu.Lock()
	defer fl.mu.Unlock()
	// Read under fl.mu (the hub's lock is never held while taking it), so
	// the cached frame only moves forward.
	seq, state, release := v.hub.publishedState()
	defer release() // encoded below, or the cached frame returned: nothing keeps state
	f, err := v.wholeLocked(typ, seq, state)
	return f, seq, err
}

// wholeLocked returns the frame of state, v's list at seq, of type typ,
// encoded whole, or the cached one of the same seq and type. fl.mu is
// held.
func (v *view) wholeLocked(typ shared.EventType, seq uint64, state []shared.Session) ([]byte, error) {
	fl := v.full
	if fl.frame.data != nil && fl.seq == seq && fl.typ == typ {
		return fl.frame.data, nil
	}
	// Sized as the last frame, a little more: a buffer grown by doubling
	// to 100 MB allocates 200 MB more on the way. The first is sized
	// from the sessions, with room for a shape's extra fields (the
	// original's five: a quarter more).
	size := fl.size + fl.size/16 + 4096
	if fl.size == 0 {
		size = dataSize(state, nil) * 5 / 4
	}
	id := formatEventID(v.epoch, seq)
	f, err := v.appendFull(make([]byte, 0, size), typ, id, state, v.hub.opts.Now())
	if err != nil {
		return nil, err
	}
	fl.seq, fl.typ, fl.size = seq, typ, len(f)
	fl.frame.keep(f, v.hub.opts.Now(), &fl.mu, v.hub.opts.Now)
	return f, nil
}

// A long list is a full-list frame large enough that encoding it whole
// costs memory worth saving: the original's Claude list is 85 MB of JSON
// at 100,000 sessions, held while every client read it and kept for
// initFresh after; a Refresh with one such stream open peaked at 338 MB
// of RSS. As a long refresh or init (long.go), it is encoded by the
// client's writer as it writes it, in pieces of about longPiece bytes:
// the same bytes go on the wire. The writer reads the published state
// meanwhile, lent (a change then costs the hub a copy of the list, 33 MB
// at 100,000 sessions, which is less, and only if one comes). Each such
// client costs an encoding (CPU); while longClients of them are under
// way, or the whole frame of the same seq and type is cached, a client
// shares one whole encoding, as a reconnect storm does.
//
// Whether a list is long is judged from the published state, before
// filtering: a view that keeps few of many sessions may write a small
// list in pieces, which costs nothing more than the CPU of an unshared
// encoding.

// listFrame is one frame of a full-list view as a writer sends it:
// whole, shared, or long, encoded as it is written.
type listFrame struct {
	whole []byte
	long  *longFrame
	done  func() // gives back what long reads; always set, called once written or not
}

// write sends before and f through s: in one write when f is whole.
func (f listFrame) write(s sink, before [][]byte) error {
	defer f.done()
	if f.long == nil {
		return s.write(append(before, f.whole))
	}
	if len(before) > 0 {
		if err := s.write(before); err != nil {
			return err
		}
	}
	return s.writeLong(*f.long)
}

// nextList returns v's list as published now, of type typ, and the seq
// it is at: long when it is large and few long lists are being written,
// else whole (fullFrame's).
func (v *view) nextList(typ shared.EventType) (listFrame, uint64, error) {
	fl := v.full
	fl.mu.Lock()
	defer fl.mu.Unlock()
	seq, state, release := v.hub.publishedState()
	if len(state)*minSessionJSON() < longInitBytes || fl.longs >= longClients ||
		(fl.frame.data != nil && fl.seq == seq && fl.typ == typ) {
		defer release()
		f, err := v.wholeLocked(typ, seq, state)
		return listFrame{whole: f, done: noRelease}, seq, err
	}
	fl.longs++
	at := v.hub.opts.Now()
	f := &longFrame{
		typ: typ,
		id:  formatEventID(v.epoch, seq),
		data: func(emit func([]byte) error) error {
			// Its own shape: other writers encode their lists meanwhile.
			return emitData(typ, v.kept(state), fl.shape(), at, emit)
		},
	}
	var once sync.Once
	return listFrame{long: f, done: func() {
		once.Do(func() {
			release()
			fl.mu.Lock()
			fl.longs--
			fl.mu.Unlock()
		})
	}}, seq, nil
}

// serveFull is the writer of a full-list connection, in place of serve: the
// only goroutine that writes to s. first is the retry field; the opening
// list (c.full) follows it, in the same write when it is whole.
func (v *view) serveFull(c *client, s sink, first [][]byte, remote string) {
	h := v.hub
	defer h.unsubscribe(c)
	defer s.finish()
	// When the last change list went out; an init list does not count, so
	// a change right after connecting goes out at once.
	var lastList time.Time
	sent, typ := c.full.sent, c.full.missed
	if !c.full.resumed {
		typ = shared.EventInit
	}
	opening := listFrame{done: noRelease}
	if typ != "" {
		var err error
		if opening, sent, err = v.nextList(typ); err != nil {
			h.log.Error("stream: list not sent", "type", typ, "err", err)
			return
		}
		if typ != shared.EventInit {
			lastList = time.Now()
		}
	}
	if err := opening.write(s, first); err != nil {
		h.logEnd(remote, "write failed", err)
		return
	}
	first, opening = nil, listFrame{}

	var recs []*record
	// pending is the type of the latest event after sent, "" when the
	// client has the published list.
	var pending shared.EventType
	note := func() {
		recs = c.take(recs)
		for _, rec := range recs {
			if rec.seq > sent {
				pending = rec.typ
			}
		}
		clear(recs) // hold no record while idle
	}
	keepalive := time.NewTimer(h.opts.Keepalive)
	defer keepalive.Stop()
	window := time.NewTimer(time.Hour)
	window.Stop()
	defer window.Stop()
	var due <-chan time.Time // window.C while a list waits for its window
	for {
		var err error
		list := listFrame{done: noRelease}
		select {
		case <-s.gone():
			h.logEnd(remote, "client gone", nil)
			return
		case <-h.ctx.Done():
			return
		case <-c.done:
			h.dropSlow(s, remote)
			return
		case <-c.wake:
			note()
			if pending == "" || due != nil {
				continue
			}
			if wait := h.opts.Debounce - time.Since(lastList); wait > 0 {
				window.Reset(wait)
				due = window.C
				continue
			}
		case <-due:
			due = nil
		case <-keepalive.C:
			if list.whole, err = encodeFrame(shared.EventKeepalive, "", nil, nil, h.opts.Now()); err != nil {
				h.logEnd(remote, "keepalive not encoded", err)
				return
			}
		}
		if list.whole == nil {
			// The list is due. Events published since the wake are in it:
			// take them now so their type counts and they are not sent again.
			note()
			if pending == "" {
				continue
			}
			if list, sent, err = v.nextList(pending); err != nil {
				h.log.Error("stream: list not sent", "err", err)
				return
			}
			pending, lastList = "", time.Now()
		}
		if err = list.write(s, nil); err != nil {
			h.logEnd(remote, "write failed", err)
			return
		}
		// Go ≥ 1.23 timers: Reset after the timer fired needs no drain.
		keepalive.Reset(h.opts.Keepalive)
	}
}
