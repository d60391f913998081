package claude

import (
	"math/rand/v2"
	"testing"
)

// An idSet holds what a map of the same ids does, 0 and ids that share
// their slot included, through growth and clear.
func TestIDSetAsMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s, want := newIDSet(0), map[uint64]bool{}
	check := func(when string) {
		t.Helper()
		if s.len() != len(want) {
			t.Fatalf("%s: %d ids, want %d", when, s.len(), len(want))
		}
		for h := range want {
			if !s.has(h) {
				t.Fatalf("%s: %#x missing", when, h)
			}
		}
		n := 0
		s.each(func(h uint64) {
			if !want[h] {
				t.Fatalf("%s: %#x, never added", when, h)
			}
			n++
		})
		if n != len(want) {
			t.Fatalf("%s: each gave %d ids, want %d", when, n, len(want))
		}
	}
	for round := range 2 {
		for i := range 5000 {
			h := r.Uint64()
			switch i % 7 {
			case 0:
				h = 0
			case 1:
				h = uint64(i % 50) // small ids, added again and again
			}
			s.add(h)
			want[h] = true
		}
		if s.has(r.Uint64()|1<<63) && !want[1<<63] {
			t.Fatalf("round %d: has an id never added", round)
		}
		check("filled")
		s.clear()
		clear(want)
		check("cleared")
	}
	var none *idSet
	if none.len() != 0 {
		t.Error("a nil set is not empty")
	}
}
