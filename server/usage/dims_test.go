package usage

import (
	"fmt"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// TestDeletedProjectsLeaveNothing: helmd runs for weeks while sessions of
// short-lived projects (each git worktree is one) come and are deleted.
// What the store keeps of them must go with them, not pile up for every
// project ever seen; and a project met after them must be reported under
// its own name, not one of theirs.
func TestDeletedProjectsLeaveNothing(t *testing.T) {
	st := NewStore()
	at := SlotOf(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixMilli())
	for i := range 1000 {
		s := sess(fmt.Sprint("k", i), fmt.Sprint("/home/dev/worktrees/wt-", i))
		st.Set(s, []Cell{{At: at, Model: "claude-sonnet-4-5", Nano: 5}, {At: at, Model: "claude-opus-4-1", Nano: 7}})
		st.Delete(s.Source, s.ID)
	}
	st.Set(sess("last", "/home/dev/webapp"), []Cell{{At: at, Model: "claude-sonnet-4-5", Nano: 3}})
	if n := len(st.dimIDs); n != 1 {
		t.Errorf("%d (model, project, source) combinations held, want 1: the deleted sessions' are kept", n)
	}
	if n := len(st.dims); n > 2 {
		t.Errorf("%d dim slots after 1,000 deleted projects, want at most 2 (their ids reused)", n)
	}
	rep := st.Query(Query{From: 0, To: at + time.Hour.Milliseconds(), By: ByProject, Loc: time.UTC})
	if len(rep.Buckets) != 1 || rep.Buckets[0].Key != "/home/dev/webapp" || rep.Total.CostUSD != 3e-9 {
		t.Errorf("by project after the deletions: %+v", rep)
	}
}

// TestProjectsGoneAtARescanLeaveNothing: sessions a full scan no longer
// finds (Keep, a refresh) let go of their combinations as a deletion does.
func TestProjectsGoneAtARescanLeaveNothing(t *testing.T) {
	st := NewStore()
	at := SlotOf(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixMilli())
	kept := sess("kept", "/home/dev/webapp")
	st.Set(kept, []Cell{{At: at, Model: "claude-sonnet-4-5", Nano: 3}})
	for i := range 100 {
		st.Set(sess(fmt.Sprint("k", i), fmt.Sprint("/home/dev/worktrees/wt-", i)), []Cell{{At: at, Model: "claude-opus-4-1", Nano: 7}})
	}
	st.Keep(kept.Source, []shared.Session{*kept})
	if n := len(st.dimIDs); n != 1 {
		t.Errorf("%d (model, project, source) combinations held after the rescan, want 1", n)
	}
}
