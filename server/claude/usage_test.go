package claude

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	spent "vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/shared"
)

// TestUsageCells: a session's cells fall in the slots of its responses'
// times, sum to its tokens and cost exactly (a replayed response counted
// once, id-less usage and subagents included), and are the same after a
// restart from the scan cache, which must keep every response's time.
func TestUsageCells(t *testing.T) {
	root := t.TempDir()
	_, pathB := replayTree(t, root)
	// Session B's subagent and an id-less response of B's.
	write(t, root, projectRel("/home/dev/shop", sidCostB+"/subagents/agent-x.jsonl"),
		sidechain(assistantLine(sidCostB, "2026-03-02T11:20:00Z", "s1", opus46, `{"input_tokens":2000,"output_tokens":0}`)))
	appendTo(t, pathB, `{"type":"assistant","sessionId":"`+sidCostB+`","timestamp":"2026-03-02T10:40:00Z","message":{"model":"`+sonnet45+`","role":"assistant","content":[],"stop_reason":"end_turn","usage":{"input_tokens":0,"output_tokens":1000}}}`+"\n")
	cache := filepath.Join(t.TempDir(), "scan.cache")

	slot := func(s string) int64 { return spent.SlotOf(ms(s)) }
	wantSlots := map[string][]int64{
		sidCostA: {slot("2026-03-02T09:00:00Z")},                                                             // r1, r2
		sidCostB: {slot("2026-03-02T10:00:00Z"), slot("2026-03-02T10:30:00Z"), slot("2026-03-02T11:15:00Z")}, // r3; id-less; subagent
	}
	check := func(t *testing.T, src *Source, list []shared.Session) {
		t.Helper()
		for _, sess := range list {
			cells := src.Usage(sess.ID)
			var tk shared.Tokens
			var nano int64
			var slots []int64
			for _, c := range cells {
				tk, nano = tk.Add(c.Tokens), nano+c.Nano
				if !slices.Contains(slots, c.At) {
					slots = append(slots, c.At)
				}
			}
			slices.Sort(slots)
			if tk != sess.Tokens || spentDollars(nano) != sess.CostUSD {
				t.Errorf("%s: cells sum to %+v $%v, session says %+v $%v", sess.ID, tk, spentDollars(nano), sess.Tokens, sess.CostUSD)
			}
			if !slices.Equal(slots, wantSlots[sess.ID]) {
				t.Errorf("%s: slots %v, want %v", sess.ID, slots, wantSlots[sess.ID])
			}
		}
	}
	src := New(Options{Roots: []string{root}, Now: clock("2026-03-02T12:00:00Z"), CacheFile: cache})
	list, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d sessions, want 2", len(list))
	}
	check(t, src, list)
	if err := src.Save(); err != nil {
		t.Fatal(err)
	}
	again := New(Options{Roots: []string{root}, Now: clock("2026-03-02T12:00:00Z"), CacheFile: cache})
	list2, err := again.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if again.Stats().FromCache == 0 {
		t.Fatal("the restart did not load the cache")
	}
	check(t, again, list2)
}

func spentDollars(nano int64) float64 { return float64(nano) / 1e9 }
