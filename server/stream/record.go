package stream

import (
	"sync"
	"time"

	"vibecraft.sh/helm/shared"
)

// record is one published event, shared read-only by the history and every
// client queue that holds it.
type record struct {
	seq      uint64
	typ      shared.EventType
	id       string
	at       time.Time
	sessions []shared.Session // the sessions concerned, whole; never modified
	// prev, for session-updated only, is what the stream sent of each
	// session before (in step with sessions): the base of its change.
	prev  []shared.Session
	frame []byte // what an unfiltered Handler sends, encoded once at Publish
	// long: frame is nil, and each writer encodes the event as it writes
	// it (long.go). Such a record is never in the history.
	long bool

	// Filtered views encode their variant on first use, once per view,
	// however many of their clients write it. A nil entry means the view
	// gets nothing from this event.
	mu       sync.Mutex
	variants map[*view][]byte
}

// sendsTo reports whether clients of v get this event: snapshot events
// always (an empty refresh still replaces the client's list), a change only
// if it concerns a session v keeps.
func (r *record) sendsTo(v *view) bool {
	if v.keep == nil || r.typ.IsSnapshot() {
		return true
	}
	for i := range r.sessions {
		if v.keep(&r.sessions[i]) {
			return true
		}
	}
	return false
}

// frameFor returns the frame clients of v get, or nil when they get
// nothing.
func (r *record) frameFor(v *view) []byte {
	if v.keep == nil {
		return r.frame
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.variants[v]; ok {
		return f
	}
	var f []byte
	if r.sendsTo(v) {
		var err error
		kept, keptPrev := v.filter(r.sessions, r.prev)
		if f, err = encodeFrame(r.typ, formatEventID(v.epoch, r.seq), kept, keptPrev, r.at); err != nil {
			// Unreachable: the unfiltered superset encoded fine at Publish.
			v.hub.log.Error("stream: encode filtered event", "id", r.id, "err", err)
			f = nil
		}
	}
	if r.variants == nil {
		r.variants = make(map[*view][]byte, 1)
	}
	r.variants[v] = f
	return f
}

// history is a ring of the latest records, bounded by count and by encoded
// bytes, for clients that resume with Last-Event-ID. Records have
// consecutive seqs, so finding a cursor is arithmetic.
type history struct {
	maxCount, maxBytes int
	ring               []*record
	head, n            int // oldest at ring[head]
	bytes              int
}

func newHistory(maxCount, maxBytes int) *history {
	return &history{maxCount: maxCount, maxBytes: maxBytes, ring: make([]*record, maxCount)}
}

// push appends r (whose seq follows the newest) and drops the oldest
// records until both bounds hold; a record larger than maxBytes is not
// kept at all, so a resume across it falls back to init.
func (h *history) push(r *record) {
	if h.n == h.maxCount {
		h.popOldest()
	}
	h.ring[(h.head+h.n)%len(h.ring)] = r
	h.n++
	h.bytes += len(r.frame)
	for h.n > 0 && h.bytes > h.maxBytes {
		h.popOldest()
	}
}

// reset drops every record, as pushing one larger than maxBytes does.
func (h *history) reset() {
	for h.n > 0 {
		h.popOldest()
	}
}

func (h *history) popOldest() {
	r := h.ring[h.head]
	h.ring[h.head] = nil // let the record go
	h.head = (h.head + 1) % len(h.ring)
	h.n--
	h.bytes -= len(r.frame)
}

// after returns the records after seq when the history still holds every
// one of them (current is the newest seq published); ok is false when seq
// is in the future or older than the history reaches.
func (h *history) after(seq, current uint64) (recs []*record, ok bool) {
	oldest := current + 1 // what the next push will hold, when empty
	if h.n > 0 {
		oldest = h.ring[h.head].seq
	}
	if seq > current || seq+1 < oldest {
		return nil, false
	}
	skip := int(seq + 1 - oldest)
	recs = make([]*record, 0, h.n-skip)
	for i := skip; i < h.n; i++ {
		recs = append(recs, h.ring[(h.head+i)%len(h.ring)])
	}
	return recs, true
}
