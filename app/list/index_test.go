package list

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"vibecraft.sh/helm/shared"
)

// TestManyChangesKeepEveryLookupRight drives a list through a long run
// of creates, updates (moving a session up or down) and deletes, and
// checks after each that it shows exactly what a list built from scratch
// would, and that every session is found by its key: a wrong position
// would update or open another session than the one the user sees.
func TestManyChangesKeepEveryLookupRight(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	want := map[string]shared.Session{}
	l := New(nil)
	for step := range 2000 {
		s := sess(shared.SourceClaude, fmt.Sprint(r.IntN(60)), int64(r.IntN(500)))
		switch r.IntN(4) {
		case 0:
			l.Apply(shared.Event{Type: shared.EventSessionDeleted, Sessions: []shared.Session{s}})
			delete(want, s.Key())
		default:
			l.Apply(shared.Event{Type: shared.EventSessionUpdated, Sessions: []shared.Session{s}})
			want[s.Key()] = s
		}
		if step%50 == 0 { // a search now and then keeps texts alongside
			l.Filter(shared.Query{Search: "t-"})
		}
		ref := make([]shared.Session, 0, len(want))
		for _, s := range want {
			ref = append(ref, s)
		}
		shared.SortNewestFirst(ref)
		got := l.Sessions()
		if !slices.EqualFunc(got, ref, func(a, b shared.Session) bool { return a.Key() == b.Key() && a.UpdatedAt == b.UpdatedAt }) {
			t.Fatalf("step %d: list %v, want %v", step, keyList(got), keyList(ref))
		}
		for k, s := range want {
			if g, ok := l.Get(k); !ok || g != s {
				t.Fatalf("step %d: Get(%s) = %v %v, want %v", step, k, g.UpdatedAt, ok, s.UpdatedAt)
			}
		}
		if n := l.Filter(shared.Query{Search: "t-"}).Len(); n != len(want) {
			t.Fatalf("step %d: a search for every title keeps %d of %d", step, n, len(want))
		}
	}
}

// TestReplaceUnsortedWithDuplicates: a list that comes in any order is
// shown newest first, a later duplicate of a key wins, and each is found.
func TestReplaceUnsortedWithDuplicates(t *testing.T) {
	l := New([]shared.Session{
		sess(shared.SourceClaude, "a", 10),
		sess(shared.SourceClaude, "b", 30),
		sess(shared.SourceClaude, "a", 40),
		{Title: "no id"},
	})
	if got := keyList(l.Sessions()); !slices.Equal(got, []string{"claude:a", "claude:b"}) {
		t.Fatalf("list %v", got)
	}
	if s, ok := l.Get("claude:a"); !ok || s.UpdatedAt != 40 {
		t.Fatalf("claude:a = %v %v, want the later one (40)", s.UpdatedAt, ok)
	}
	if s, ok := l.Get("claude:b"); !ok || s.UpdatedAt != 30 {
		t.Fatalf("claude:b = %v %v", s.UpdatedAt, ok)
	}
}

func keyList(ss []shared.Session) []string {
	out := make([]string, len(ss))
	for i := range ss {
		out[i] = ss[i].Key()
	}
	return out
}

// A list that comes newest first is shown before it is indexed; whether
// the index is built a part at a time (as the page does between frames)
// or is finished by a lookup, every session is found, and a key sent
// twice is held once, the later copy.
func TestIndexInParts(t *testing.T) {
	in := []shared.Session{
		sess(shared.SourceClaude, "a", 50),
		sess(shared.SourceClaude, "b", 40),
		sess(shared.SourceClaude, "c", 30),
		sess(shared.SourceClaude, "b", 20), // b again, older: this copy wins
		sess(shared.SourceClaude, "d", 10),
	}
	l := New(in)
	if l.Filter(shared.Query{}).Len() != 5 {
		t.Fatalf("before the index: %d rows", l.Filter(shared.Query{}).Len())
	}
	parts := 1
	for !l.IndexSome(2) {
		parts++
	}
	if parts != 3 {
		t.Fatalf("indexed in %d parts of 2, want 3", parts)
	}
	if got := keyList(l.Sessions()); !slices.Equal(got, []string{"claude:a", "claude:c", "claude:b", "claude:d"}) {
		t.Fatalf("list %v", got)
	}
	if s, ok := l.Get("claude:b"); !ok || s.UpdatedAt != 20 || l.Len() != 4 || l.Filter(shared.Query{}).Len() != 4 {
		t.Fatalf("b = %v %v; %d held, %d rows", s.UpdatedAt, ok, l.Len(), l.Filter(shared.Query{}).Len())
	}

	l = New(in[:3])
	l.IndexSome(1)
	l.Upsert(sess(shared.SourceClaude, "c", 60)) // before the index is whole
	if got := keyList(l.Sessions()); !slices.Equal(got, []string{"claude:c", "claude:a", "claude:b"}) {
		t.Fatalf("after an update mid-index: %v", got)
	}
	for _, k := range []string{"claude:a", "claude:b", "claude:c"} {
		if _, ok := l.Get(k); !ok {
			t.Fatalf("%s lost", k)
		}
	}
	if l.IndexSome(1) != true || l.Len() != 3 {
		t.Fatalf("the index is not whole after an update, or it changed the list (%d)", l.Len())
	}
}
