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
