package stream

import (
	"slices"

	"vibecraft.sh/helm/shared"
)

// The hub keeps its published state in list order (hub.go): these are
// the moves that keep it so, one session at a time.

// compareAt orders s against the session with ListTime at and key key
// in list order (shared.Newer): negative when s comes first.
func compareAt(s *shared.Session, at int64, key string) int {
	switch t := s.ListTime(); {
	case t > at:
		return -1
	case t < at:
		return 1
	}
	var buf [96]byte
	k := shared.AppendKey(buf[:0], s)
	switch {
	case string(k) < key:
		return -1
	case string(k) > key:
		return 1
	}
	return 0
}

// compareNewest is shared.Newer as a comparison, without allocating.
func compareNewest(a, b *shared.Session) int {
	var buf [96]byte
	return compareAt(a, b.ListTime(), string(shared.AppendKey(buf[:0], b)))
}

// newestFirst sorts a refresh's sessions in list order, the last of two
// with the same key winning, as a map by key would keep; it returns them
// with each one's ListTime by key.
func newestFirst(sessions []shared.Session) ([]shared.Session, *byKey[int64]) {
	// The last of a key is the one kept, so its ListTime is the one at
	// holds; at counts keys, so duplicates show as fewer keys than
	// sessions.
	at := newByKey[int64](sessions)
	for i := range sessions {
		at.set(&sessions[i], sessions[i].ListTime())
	}
	if at.len() < len(sessions) { // duplicates: rare, keyed again
		last := newByKey[int](sessions)
		for i := range sessions {
			last.set(&sessions[i], i)
		}
		kept := sessions[:0]
		for i := range sessions {
			if j, _ := last.of(&sessions[i]); j == i {
				kept = append(kept, sessions[i])
			}
		}
		clear(sessions[len(kept):])
		sessions = kept
	}
	slices.SortFunc(sessions, func(a, b shared.Session) int { return compareNewest(&a, &b) })
	return sessions, at
}

// findLocked returns where the session with key is in h.sorted, whatever
// h.pend holds of it.
func (h *Hub) findLocked(key string) (int, bool) {
	at, ok := h.state.get(key)
	if !ok {
		return 0, false
	}
	return slices.BinarySearchFunc(h.sorted, key, func(s shared.Session, key string) int {
		return compareAt(&s, at, key)
	})
}

func (h *Hub) lookupLocked(key string) (shared.Session, bool) {
	if c, waiting := h.pend[key]; waiting {
		return c.s, !c.gone // the zero Session when gone
	}
	if i, ok := h.findLocked(key); ok {
		return h.sorted[i], true
	}
	return shared.Session{}, false
}

// ownLocked makes h.sorted safe to modify: a copy when a reader holds it.
// The copy has room for one more, so a creation does not copy again.
func (h *Hub) ownLocked() {
	if h.loans > 0 {
		h.sorted = append(make([]shared.Session, 0, len(h.sorted)+1), h.sorted...)
		h.loans = 0
		h.gen++
	}
}

// A change that would shift many sessions is not made in the list at
// once: it waits in h.pend, by key, and the next reader of the list
// (flushLocked) merges every waiting change in one pass. A fleet hub
// takes another machine's sessions one at a time as its view reads them,
// each among the others by time; moved into place each, they cost a
// shift of half the list (400 bytes a session) apiece, 66 µs each at
// 10,000 and growing with the list, where a merge per reader costs one
// pass. The usual change (a recent session becoming the newest) shifts
// few and is made in place, so a list read after every change costs no
// merge. An event of many changes that shift many is merged at once, as
// it always was.

// pendingChange is a change waiting in h.pend: the session's new state,
// or its removal.
type pendingChange struct {
	s    shared.Session
	gone bool
}

// cheapShift is the most sessions a change shifts in place; beyond, it
// waits for a merge.
const cheapShift = 256

// putLocked adds s to the state, or replaces the session of its key,
// moving it to its place: the sessions between its old place and its new
// one shift by one, and for the usual change (a recent session becomes
// the newest) they are few. A move of more waits in h.pend.
func (h *Hub) putLocked(s shared.Session) {
	key := s.Key()
	if _, waiting := h.pend[key]; waiting {
		h.pend[key] = pendingChange{s: s}
		return
	}
	pos, _ := slices.BinarySearchFunc(h.sorted, key, func(e shared.Session, key string) int {
		return compareAt(&e, s.ListTime(), key)
	})
	i, had := h.findLocked(key)
	shift := len(h.sorted) - pos
	if had {
		shift = max(pos-i, i-pos)
	}
	if shift > h.cheapShift {
		h.deferLocked(key, pendingChange{s: s})
		return
	}
	h.ownLocked()
	h.state.set(&s, s.ListTime())
	switch {
	case !had:
		h.sorted = slices.Insert(h.sorted, pos, s)
	case pos <= i:
		copy(h.sorted[pos+1:i+1], h.sorted[pos:i])
		h.sorted[pos] = s
	default: // pos > i: the old entry is before pos, which shifts down by one
		copy(h.sorted[i:pos-1], h.sorted[i+1:pos])
		h.sorted[pos-1] = s
	}
}

// removeLocked takes the session with key out of the state.
func (h *Hub) removeLocked(key string) {
	if _, waiting := h.pend[key]; waiting {
		if _, listed := h.state.get(key); listed {
			h.pend[key] = pendingChange{gone: true}
		} else {
			delete(h.pend, key) // a creation still waiting: undone
		}
		return
	}
	i, ok := h.findLocked(key)
	if !ok {
		return
	}
	if len(h.sorted)-i-1 > h.cheapShift {
		h.deferLocked(key, pendingChange{gone: true})
		return
	}
	h.ownLocked()
	h.state.del(key)
	h.sorted = slices.Delete(h.sorted, i, i+1)
}

// deferLocked lets a change wait for the next merge. Past an eighth of
// the list waiting, it merges at once: what waits stays small beside the
// list, and a merge costs an eighth of a pass per change at most.
func (h *Hub) deferLocked(key string, c pendingChange) {
	if h.pend == nil {
		h.pend = make(map[string]pendingChange)
	}
	h.pend[key] = c
	if len(h.pend) > max(64, len(h.sorted)/8) {
		h.flushLocked()
	}
}

// lenLocked counts the sessions of the list, those that wait in h.pend
// included, without merging them: a count (Stats, polled) must not pay
// the merge the wait puts off.
func (h *Hub) lenLocked() int {
	n := h.state.len()
	for k, c := range h.pend {
		if _, listed := h.state.get(k); listed && c.gone {
			n--
		} else if !listed && !c.gone {
			n++
		}
	}
	return n
}

// flushLocked merges the changes waiting in h.pend into the list in one
// pass: every reader of h.sorted or h.state calls it first. A new slice,
// so a reader holding the old one keeps it whole.
func (h *Hub) flushLocked() {
	if len(h.pend) == 0 {
		return
	}
	batch := make([]shared.Session, 0, len(h.pend))
	for _, c := range h.pend {
		if !c.gone {
			batch = append(batch, c.s)
		}
	}
	slices.SortFunc(batch, func(a, b shared.Session) int { return compareNewest(&a, &b) })
	merged := make([]shared.Session, 0, len(h.sorted)+len(batch))
	var buf [96]byte
	j := 0
	for i := range h.sorted {
		e := &h.sorted[i]
		if _, changed := h.pend[string(shared.AppendKey(buf[:0], e))]; changed {
			continue
		}
		for j < len(batch) && compareNewest(&batch[j], e) < 0 {
			merged = append(merged, batch[j])
			j++
		}
		merged = append(merged, *e)
	}
	merged = append(merged, batch[j:]...)
	for k, c := range h.pend {
		if c.gone {
			h.state.del(k)
		}
	}
	for i := range batch {
		h.state.set(&batch[i], batch[i].ListTime())
	}
	clear(h.pend)
	h.replaceLocked(merged)
}

// manyAtOnce is the size of an event from which it may be merged into
// the list in one pass (putAllLocked, removeAllLocked) rather than made
// one session at a time: a fleet machine's 20,000 sessions arriving at a
// hub of 40,000 in batches of 500, their times among the others', merge
// in a pass per batch, where each session waiting (deferLocked) would
// merge the list every eighth of it.
const manyAtOnce = 8

// shiftsLocked estimates how many sessions putting ss one at a time
// would shift: for each, those between its place and its new one (all
// after it for a new one). It stops counting past limit.
func (h *Hub) shiftsLocked(ss []shared.Session, limit int) int {
	n := 0
	for i := range ss {
		s := &ss[i]
		pos, _ := slices.BinarySearchFunc(h.sorted, s, func(e shared.Session, s *shared.Session) int {
			return compareNewest(&e, s)
		})
		if old, had := h.findLocked(s.Key()); had {
			n += max(pos-old, old-pos)
		} else {
			n += len(h.sorted) - pos
		}
		if n > limit {
			break
		}
	}
	return n
}

// putAllLocked puts every session of ss, the last of a key winning.
func (h *Hub) putAllLocked(ss []shared.Session) {
	if len(ss) < manyAtOnce || h.shiftsLocked(ss, len(h.sorted)) <= len(h.sorted) {
		for _, s := range ss {
			h.putLocked(s)
		}
		return
	}
	if h.pend == nil {
		h.pend = make(map[string]pendingChange, len(ss))
	}
	for _, s := range ss {
		h.pend[s.Key()] = pendingChange{s: s}
	}
	h.flushLocked()
}

// removalShiftsLocked estimates how many sessions removing ss one at a
// time would shift (those after each), up to past limit.
func (h *Hub) removalShiftsLocked(ss []shared.Session, limit int) int {
	n := 0
	for i := range ss {
		if at, had := h.findLocked(ss[i].Key()); had {
			n += len(h.sorted) - at - 1
		}
		if n > limit {
			break
		}
	}
	return n
}

// removeAllLocked takes every session of ss (by key) out of the state.
func (h *Hub) removeAllLocked(ss []shared.Session) {
	if len(ss) < manyAtOnce || h.removalShiftsLocked(ss, len(h.sorted)) <= len(h.sorted) {
		for i := range ss {
			h.removeLocked(ss[i].Key())
		}
		return
	}
	if h.pend == nil {
		h.pend = make(map[string]pendingChange, len(ss))
	}
	for i := range ss {
		k := ss[i].Key()
		if _, listed := h.state.get(k); listed {
			h.pend[k] = pendingChange{gone: true}
		} else {
			delete(h.pend, k) // a creation still waiting, if any: undone
		}
	}
	h.flushLocked()
}

// replaceLocked makes sorted, a new slice, the list: loans of the old
// one stay with it (the next change to sorted works in place).
func (h *Hub) replaceLocked(sorted []shared.Session) {
	h.sorted, h.loans = sorted, 0
	h.gen++
}
