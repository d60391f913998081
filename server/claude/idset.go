package claude

import "hash/maphash"

// idSet is a set of 64-bit id hashes (idHash): the message ids of a file
// (idState.messages). A map[uint64]struct{} pads each slot to 16 bytes
// and keeps its groups from 7/8 down to less than half full, about 30
// bytes a message id; this set keeps 8 bytes a slot, three quarters full
// at most, about 14 bytes a message id, in a file of a million of them.
//
// Slots are found by open addressing from a hash seeded per process, so
// ids written to collide there cannot make a long transcript slow to
// read; two ids with the same idHash are one entry, as in the map.
type idSet struct {
	slots []uint64 // a power of two long; 0 is an empty slot
	n     int      // the entries in slots
	zero  bool     // the set holds 0, which a slot cannot
}

var idSetSeed = maphash.MakeSeed()

// newIDSet is a set with room for n ids.
func newIDSet(n int) *idSet {
	s := &idSet{}
	s.grow(n)
	return s
}

// len is the number of ids in s; 0 for a nil set.
func (s *idSet) len() int {
	if s == nil {
		return 0
	}
	if s.zero {
		return s.n + 1
	}
	return s.n
}

// slot is where h is, or the empty slot where it would go.
func (s *idSet) slot(h uint64) int {
	mask := uint64(len(s.slots) - 1)
	i := maphash.Comparable(idSetSeed, h) & mask
	for s.slots[i] != 0 && s.slots[i] != h {
		i = (i + 1) & mask
	}
	return int(i)
}

func (s *idSet) has(h uint64) bool {
	if h == 0 {
		return s.zero
	}
	return len(s.slots) > 0 && s.slots[s.slot(h)] == h
}

func (s *idSet) add(h uint64) {
	if h == 0 {
		s.zero = true
		return
	}
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow(s.n + 1) // the next power of two: twice the room
	}
	if i := s.slot(h); s.slots[i] == 0 {
		s.slots[i] = h
		s.n++
	}
}

// grow makes room for n ids, keeping those s holds.
func (s *idSet) grow(n int) {
	size := 8
	for 3*size < 4*n {
		size *= 2
	}
	if size <= len(s.slots) {
		return
	}
	old := s.slots
	s.slots = make([]uint64, size)
	for _, h := range old {
		if h != 0 {
			s.slots[s.slot(h)] = h
		}
	}
}

// clear empties s, keeping its room.
func (s *idSet) clear() {
	if s == nil {
		return
	}
	clear(s.slots)
	s.n, s.zero = 0, false
}

// each calls fn with every id of s.
func (s *idSet) each(fn func(h uint64)) {
	if s == nil {
		return
	}
	if s.zero {
		fn(0)
	}
	for _, h := range s.slots {
		if h != 0 {
			fn(h)
		}
	}
}
