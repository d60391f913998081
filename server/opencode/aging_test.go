package opencode

import (
	"context"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// Aged, called at NextChange, brings each session to the status Sessions
// gives at that moment, rebuilding only those due; past the last window
// nothing is due.
func TestAgedFollowsSessions(t *testing.T) {
	dir, _ := buildFixture(t, "WAL")
	now := testNow
	src := New(Options{DataDir: dir, Now: func() time.Time { return now }, WaitingWindow: fixtureWaiting})
	defer src.Close()
	scanned, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cur := map[string]shared.Session{}
	for _, s := range scanned {
		cur[s.ID] = s
	}
	for wakes := 0; ; wakes++ {
		next := src.NextChange()
		if next.IsZero() {
			break
		}
		if wakes > 3*len(cur) {
			t.Fatalf("still due after %d wakes", wakes)
		}
		if !next.After(now) {
			t.Fatalf("NextChange %v is not after now %v", next, now)
		}
		now = next
		changed, _ := src.Aged()
		if len(changed) == 0 || len(changed) == len(cur) && len(cur) > 1 {
			t.Errorf("at %v: Aged rebuilt %d of %d sessions; want the due ones only", now, len(changed), len(cur))
		}
		for _, s := range changed {
			cur[s.ID] = s
		}
		for _, want := range src.Sessions() {
			if got := cur[want.ID]; got.Status != want.Status || got.Active != want.Active {
				t.Errorf("at %v: %s is %s/%v by Aged, %s/%v by Sessions", now, want.ID, got.Status, got.Active, want.Status, want.Active)
			}
		}
	}
	for _, s := range cur {
		if s.Status != shared.StatusIdle || s.Active {
			t.Errorf("%s past every window: %s/%v, want idle", s.ID, s.Status, s.Active)
		}
	}
}
