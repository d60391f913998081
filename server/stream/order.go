package stream

import (
	"slices"

	"vibecraft.sh/helm/shared"
)

// The hub keeps its published state in list order (hub.go): these are
// the moves that keep it so, one session at a time.

// compareAt orders s against the session with updatedAt at and key key
// in list order (shared.Newer): negative when s comes first.
func compareAt(s *shared.Session, at int64, key string) int {
	switch {
	case s.UpdatedAt > at:
		return -1
	case s.UpdatedAt < at:
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
	return compareAt(a, b.UpdatedAt, string(shared.AppendKey(buf[:0], b)))
}

// newestFirst sorts a refresh's sessions in list order, the last of two
// with the same key winning, as a map by key would keep; it returns them
// with each one's UpdatedAt by key.
func newestFirst(sessions []shared.Session) ([]shared.Session, *byKey[int64]) {
	// The last of a key is the one kept, so its UpdatedAt is the one at
	// holds; at counts keys, so duplicates show as fewer keys than
	// sessions.
	at := newByKey[int64](sessions)
	for i := range sessions {
		at.set(&sessions[i], sessions[i].UpdatedAt)
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

// findLocked returns where the session with key is in h.sorted.
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

// putLocked adds s to the state, or replaces the session of its key,
// moving it to its place: the sessions between its old place and its new
// one shift by one, and for the usual change (a recent session becomes
// the newest) they are few.
func (h *Hub) putLocked(s shared.Session) {
	h.ownLocked()
	key := s.Key()
	pos, _ := slices.BinarySearchFunc(h.sorted, key, func(e shared.Session, key string) int {
		return compareAt(&e, s.UpdatedAt, key)
	})
	i, had := h.findLocked(key)
	h.state.set(&s, s.UpdatedAt)
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
	i, ok := h.findLocked(key)
	if !ok {
		return
	}
	h.ownLocked()
	h.state.del(key)
	h.sorted = slices.Delete(h.sorted, i, i+1)
}

// manyAtOnce is the size of a change from which it may be merged into
// the list in one pass (putAllLocked, removeAllLocked) rather than moved
// in one session at a time: each move shifts the sessions between two
// places, so a fleet machine's 20,000 sessions arriving at a hub of
// 40,000, their times among the others', took 24 s of moves; merged, a
// batch of 500 takes one pass. The usual change (a few recent sessions
// becoming the newest) moves few, and stays in place.
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
	keys := make([]string, len(ss))
	last := make(map[string]int, len(ss))
	for i := range ss {
		keys[i] = ss[i].Key()
		last[keys[i]] = i
	}
	batch := make([]shared.Session, 0, len(last))
	for i := range ss {
		if last[keys[i]] == i {
			batch = append(batch, ss[i])
		}
	}
	slices.SortFunc(batch, func(a, b shared.Session) int { return compareNewest(&a, &b) })
	// One pass: the list without the sessions batch replaces, merged with
	// batch. A new slice, so a reader holding the old one keeps it whole.
	merged := make([]shared.Session, 0, len(h.sorted)+len(batch))
	var buf [96]byte
	j := 0
	for i := range h.sorted {
		e := &h.sorted[i]
		if _, replaced := last[string(shared.AppendKey(buf[:0], e))]; replaced {
			continue
		}
		for j < len(batch) && compareNewest(&batch[j], e) < 0 {
			merged = append(merged, batch[j])
			j++
		}
		merged = append(merged, *e)
	}
	merged = append(merged, batch[j:]...)
	for i := range batch {
		h.state.set(&batch[i], batch[i].UpdatedAt)
	}
	h.replaceLocked(merged)
}

// removeAllLocked takes every session of ss (by key) out of the state.
func (h *Hub) removeAllLocked(ss []shared.Session) {
	if len(ss) < manyAtOnce || h.removalShiftsLocked(ss, len(h.sorted)) <= len(h.sorted) {
		for _, s := range ss {
			h.removeLocked(s.Key())
		}
		return
	}
	gone := make(map[string]bool, len(ss))
	for i := range ss {
		k := ss[i].Key()
		if _, ok := h.state.get(k); ok {
			gone[k] = true
			h.state.del(k)
		}
	}
	if len(gone) == 0 {
		return
	}
	kept := make([]shared.Session, 0, len(h.sorted)-len(gone))
	var buf [96]byte
	for i := range h.sorted {
		if !gone[string(shared.AppendKey(buf[:0], &h.sorted[i]))] {
			kept = append(kept, h.sorted[i])
		}
	}
	h.replaceLocked(kept)
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

// replaceLocked makes sorted, a new slice, the list: loans of the old
// one stay with it (the next change to sorted works in place).
func (h *Hub) replaceLocked(sorted []shared.Session) {
	h.sorted, h.loans = sorted, 0
	h.gen++
}
