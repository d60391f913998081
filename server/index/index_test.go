package index

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"unsafe"

	"vibecraft.sh/helm/shared"
)

func claude(id string, updated int64, count int) shared.Session {
	return shared.Session{ID: id, Source: shared.SourceClaude, UpdatedAt: updated, MessageCount: count}
}

func keys(ss []shared.Session) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Key()
	}
	return out
}

func TestApplyReportsOnlyRealChanges(t *testing.T) {
	x := New()
	ch := x.Apply(shared.SourceClaude, []shared.Session{claude("a", 1, 1), claude("b", 2, 1)}, nil)
	if got := fmt.Sprint(keys(ch.Created), keys(ch.Updated), keys(ch.Deleted)); got != "[claude:a claude:b] [] []" {
		t.Fatalf("first apply: %s", got)
	}
	ch = x.Apply(shared.SourceClaude, []shared.Session{claude("a", 1, 1), claude("b", 3, 2)}, []string{"missing"})
	if got := fmt.Sprint(keys(ch.Created), keys(ch.Updated), keys(ch.Deleted)); got != "[] [claude:b] []" {
		t.Fatalf("second apply: %s", got)
	}
	ch = x.Apply(shared.SourceClaude, nil, []string{"a"})
	if len(ch.Deleted) != 1 || ch.Deleted[0] != claude("a", 1, 1) {
		t.Fatalf("delete should carry the last state, got %+v", ch.Deleted)
	}
	if x.Len() != 1 {
		t.Fatalf("Len = %d, want 1", x.Len())
	}
}

func TestReplaceTouchesOnlyItsSource(t *testing.T) {
	x := New()
	oc := shared.Session{ID: "ses_1", Source: shared.SourceOpenCode, UpdatedAt: 5}
	x.Apply(shared.SourceOpenCode, []shared.Session{oc}, nil)
	x.Apply(shared.SourceClaude, []shared.Session{claude("a", 1, 1), claude("b", 2, 1)}, nil)

	ch := x.Replace(shared.SourceClaude, []shared.Session{claude("b", 2, 1), claude("c", 3, 1)})
	if got := fmt.Sprint(keys(ch.Created), keys(ch.Updated), keys(ch.Deleted)); got != "[claude:c] [] [claude:a]" {
		t.Fatalf("replace: %s", got)
	}
	if got := fmt.Sprint(keys(x.List(nil))); got != "[opencode:ses_1 claude:c claude:b]" {
		t.Fatalf("list newest first: %s", got)
	}
	onlyClaude := x.List(func(s *shared.Session) bool { return s.Source == shared.SourceClaude })
	if got := fmt.Sprint(keys(onlyClaude)); got != "[claude:c claude:b]" {
		t.Fatalf("filtered list: %s", got)
	}
}

func TestListOrderIsStableOnTies(t *testing.T) {
	x := New()
	x.Apply(shared.SourceClaude, []shared.Session{claude("z", 7, 0), claude("m", 7, 0), claude("a", 7, 0)}, nil)
	if got := fmt.Sprint(keys(x.List(nil))); got != "[claude:a claude:m claude:z]" {
		t.Fatalf("ties by key: %s", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	x := New()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				id := fmt.Sprintf("w%d-%d", w, i%20)
				x.Apply(shared.SourceClaude, []shared.Session{claude(id, int64(i), i)}, nil)
				x.List(nil)
				x.Get("claude:" + id)
			}
		}()
	}
	wg.Wait()
	if x.Len() != 80 {
		t.Fatalf("Len = %d, want 80", x.Len())
	}
}

// A list of the few sessions keep accepts allocates about those few: it
// was made the size of the index (a session page of OpenCode's, looking
// for its subagents, allocated 47 MB at 100,000 sessions).
func TestListOfAFewAllocatesAFew(t *testing.T) {
	const n = 10_000
	x := New()
	all := make([]shared.Session, n)
	for i := range all {
		all[i] = claude(fmt.Sprint(i), int64(i), 1)
	}
	all[n/2].ParentID = "parent"
	x.Apply(shared.SourceClaude, all, nil)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got := x.List(func(s *shared.Session) bool { return s.ParentID == "parent" })
	runtime.ReadMemStats(&after)
	if len(got) != 1 || got[0].ID != all[n/2].ID {
		t.Fatalf("got %d sessions, want the one child", len(got))
	}
	list := uint64(n) * uint64(unsafe.Sizeof(shared.Session{}))
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > list/10 {
		t.Errorf("listing 1 session of %d allocated %d bytes (the index is %d)", n, alloc, list)
	}
}

// A full scan needs only what Replace deleted: ReplaceGone reports that,
// and makes no list of the sessions created, which on a first scan is a
// copy of every session at the moment helmd's heap is at its largest.
func TestReplaceGoneListsNoCreatedSessions(t *testing.T) {
	const n = 10_000
	all := make([]shared.Session, n)
	for i := range all {
		all[i] = claude(fmt.Sprint(i), int64(i), 1)
	}
	alloc := func(replace func(*Index)) uint64 {
		x := New()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		replace(x)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	whole := alloc(func(x *Index) { x.Replace(shared.SourceClaude, all) })
	gone := alloc(func(x *Index) { x.ReplaceGone(shared.SourceClaude, all) })
	list := uint64(n) * uint64(unsafe.Sizeof(shared.Session{}))
	if gone+list > whole {
		t.Errorf("ReplaceGone of %d new sessions allocated %d bytes, Replace %d: want a list of them (%d bytes) less", n, gone, whole, list)
	}

	x := New()
	x.Apply(shared.SourceOpenCode, []shared.Session{{ID: "ses_1", Source: shared.SourceOpenCode}}, nil)
	x.Replace(shared.SourceClaude, []shared.Session{claude("a", 1, 1), claude("b", 2, 1)})
	deleted := x.ReplaceGone(shared.SourceClaude, []shared.Session{claude("b", 3, 1), claude("c", 4, 1)})
	if got := fmt.Sprint(keys(deleted)); got != "[claude:a]" {
		t.Errorf("deleted %s, want [claude:a]", got)
	}
	if got := fmt.Sprint(keys(x.List(nil))); got != "[claude:c claude:b opencode:ses_1]" {
		t.Errorf("list after ReplaceGone: %s", got)
	}
}
