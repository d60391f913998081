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

// TestModelChurnLeavesNothing: a transcript that writes a new model name
// per response (hostile, or a buggy proxy's) and is rewritten again and
// again must not grow the store by every name it ever held: the names
// go with their last cell, and the totals by model of what is still
// held stay exact, a name met afterwards under its own name.
func TestModelChurnLeavesNothing(t *testing.T) {
	st := NewStore()
	at := SlotOf(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixMilli())
	kept := sess("kept", "/home/dev/webapp")
	st.Set(kept, []Cell{{At: at, Model: "claude-sonnet-4-5", Tokens: shared.Tokens{Input: 10}, Nano: 3}})
	churn := sess("churn", "/home/dev/shop")
	for i := range 1000 {
		st.Set(churn, []Cell{{At: at, Model: fmt.Sprint("model-", i), Tokens: shared.Tokens{Output: 1}, Nano: 1, Unpriced: true},
			{At: at + Slot.Milliseconds(), Model: "claude-sonnet-4-5", Tokens: shared.Tokens{Input: 1}, Nano: 2}})
	}
	if n := len(st.models); n > 3 {
		t.Errorf("%d model names held after 1,000 rewrites, want at most 3: every name the session ever held is kept", n)
	}
	st.Delete(churn.Source, churn.ID)
	st.Set(sess("new", "/home/dev/api"), []Cell{{At: at, Model: "claude-haiku-4-5", Tokens: shared.Tokens{Output: 4}, Nano: 5}})
	got := map[string]ModelTotal{}
	for _, m := range st.ModelTotals() {
		got[m.Model] = m
	}
	want := map[string]ModelTotal{
		"claude-sonnet-4-5": {Model: "claude-sonnet-4-5", Tokens: shared.Tokens{Input: 10}, Nano: 3},
		"claude-haiku-4-5":  {Model: "claude-haiku-4-5", Tokens: shared.Tokens{Output: 4}, Nano: 5},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("model totals %+v, want %+v", got, want)
	}
	rep := st.Query(Query{From: 0, To: at + time.Hour.Milliseconds(), By: ByModel, Loc: time.UTC})
	if len(rep.Buckets) != 2 || rep.Total.CostUSD != 8e-9 || len(rep.Unpriced) != 0 {
		t.Errorf("by model: %+v", rep)
	}
	for _, b := range rep.Buckets {
		if _, ok := want[b.Key]; !ok || len(b.ByModel) != 1 || b.ByModel[b.Key] == 0 {
			t.Errorf("bucket %+v: not under its own model", b)
		}
	}
	if n := len(st.models); n > 3 {
		t.Errorf("%d model names held, want at most 3", n)
	}
}
