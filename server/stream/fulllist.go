package stream

import (
	"bytes"
	"fmt"
	"strconv"
	"sync"
	"time"

	"vibecraft.sh/helm/server/internal/jsonenc"
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
// (nil: all). shape turns each kept session into the value sent for it in
// the event's "sessions" array (nil: the session as it is); it must not
// modify the session, and is called for each session of each encoded
// frame, never concurrently for one handler, the value encoded before the
// next call (so it may reuse one). Session by session: the list shaped
// whole, then marshalled whole, allocated five times the frame (544 MB at
// 100,000 sessions). Call it once per endpoint.
func (h *Hub) FullListHandler(keep func(*shared.Session) bool, shape func(*shared.Session) any) Endpoint {
	v := h.newView(keep, true) // its frames are not the change view's, so neither are its ids
	v.full = &fullList{shape: shape}
	return v
}

// fullList is what a full-list view keeps: its shape and its last frame.
type fullList struct {
	shape func(*shared.Session) any

	mu    sync.Mutex // held while encoding, so a frame is encoded once
	size  int        // the last frame's length, to size the next one
	seq   uint64
	typ   shared.EventType
	frame reusedFrame // the list at (seq, typ); once let go, the next client encodes anew
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
// into b (no copy of the list, shaped or not, and no buffer but b).
func (v *view) appendFull(b []byte, typ shared.EventType, id string, state []shared.Session, at time.Time) ([]byte, error) {
	b, err := appendHead(b, typ, id)
	if err != nil {
		return nil, err
	}
	start := len(b)
	b = append(b, `{"type":`...)
	b = strconv.AppendQuote(b, string(typ)) // an event type is plain ASCII
	b = append(b, `,"sessions":[`...)
	out := &jsonenc.Appender{B: b}
	enc := jsonenc.New(out)
	n := 0
	for s := range v.kept(state) { // lent: read only
		if n > 0 {
			out.B = append(out.B, ',')
		}
		n++
		var val any = s
		if v.full.shape != nil {
			val = v.full.shape(s)
		}
		if err := enc.Encode(val); err != nil {
			return nil, fmt.Errorf("stream: encode %s list: %w", typ, err)
		}
	}
	b = append(out.B, `],"timestamp":`...)
	b = strconv.AppendInt(b, at.UnixMilli(), 10)
	b = append(b, '}')
	if bytes.ContainsAny(b[start:], "\r\n") {
		return nil, fmt.Errorf("stream: %s data has a line break", typ)
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
// and the seq it is at. Clients of v asking for the same seq and type
// share one encoding.
func (v *view) fullFrame(typ shared.EventType) ([]byte, uint64, error) {
	fl := v.full
	fl.mu.Lock()
	defer fl.mu.Unlock()
	// Read under fl.mu (the hub's lock is never held while taking it), so
	// the cached frame only moves forward.
	seq, state, release := v.hub.publishedState()
	defer release() // encoded below, or the cached frame returned: nothing keeps state
	if fl.frame.data != nil && fl.seq == seq && fl.typ == typ {
		return fl.frame.data, seq, nil
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
		return nil, 0, err
	}
	fl.seq, fl.typ, fl.size = seq, typ, len(f)
	fl.frame.keep(f, v.hub.opts.Now(), &fl.mu, v.hub.opts.Now)
	return f, seq, nil
}

// serveFull is the writer of a full-list connection, in place of serve: the
// only goroutine that writes to s. first is the retry field; the opening
// list (c.full) follows it in the same write.
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
	if typ != "" {
		f, seq, err := v.fullFrame(typ)
		if err != nil {
			h.log.Error("stream: list not sent", "type", typ, "err", err)
			return
		}
		first, sent = append(first, f), seq
		if typ != shared.EventInit {
			lastList = time.Now()
		}
	}
	if err := s.write(first); err != nil {
		h.logEnd(remote, "write failed", err)
		return
	}
	first = nil

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
		var frame []byte
		var err error
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
			if frame, err = encodeFrame(shared.EventKeepalive, "", nil, nil, h.opts.Now()); err != nil {
				h.logEnd(remote, "keepalive not encoded", err)
				return
			}
		}
		if frame == nil {
			// The list is due. Events published since the wake are in it:
			// take them now so their type counts and they are not sent again.
			note()
			if pending == "" {
				continue
			}
			if frame, sent, err = v.fullFrame(pending); err != nil {
				h.log.Error("stream: list not sent", "err", err)
				return
			}
			pending, lastList = "", time.Now()
		}
		if err = s.write([][]byte{frame}); err != nil {
			h.logEnd(remote, "write failed", err)
			return
		}
		// Go ≥ 1.23 timers: Reset after the timer fired needs no drain.
		keepalive.Reset(h.opts.Keepalive)
	}
}
