package claude

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

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

// TestUsageOfUndatedResponses: a response with no time to believe (a
// malformed timestamp, or one ahead of this machine's clock) and no
// earlier time in its file is filed when the file was last written, or
// now if that is later: it was filed at time 0, on 1970-01-01, outside
// every usage query, while the session's cost counted it.
func TestUsageOfUndatedResponses(t *testing.T) {
	const now, written = "2026-03-02T12:00:00Z", "2026-03-02T10:05:00Z"
	const undated = "5e551011-0000-4000-8000-0000000000d1"
	const ahead = "5e551011-0000-4000-8000-0000000000d2"
	root := t.TempDir()
	usage := `{"input_tokens":1000,"output_tokens":10}`
	p1 := write(t, root, projectRel("/home/dev/shop", undated+".jsonl"),
		assistantLine(undated, "garbage", "r1", sonnet45, usage)+assistantLine(undated, "2026-03-02T13:00:00Z", "r2", sonnet45, usage))
	p2 := write(t, root, projectRel("/home/dev/shop", ahead+".jsonl"), assistantLine(ahead, "2026-03-02T13:00:00Z", "r3", sonnet45, usage))
	if err := os.Chtimes(p1, at(written), at(written)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p2, at("2026-03-02T13:30:00Z"), at("2026-03-02T13:30:00Z")); err != nil { // its clock is ahead too
		t.Fatal(err)
	}
	src := New(Options{Roots: []string{root}, Now: clock(now)})
	list, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{undated: spent.SlotOf(ms(written)), ahead: spent.SlotOf(ms(now))}
	for _, sess := range list {
		cells := src.Usage(sess.ID)
		var nano int64
		for _, c := range cells {
			nano += c.Nano
			if c.At != want[sess.ID] {
				t.Errorf("%s: a cell at %v, want %v", sess.ID, time.UnixMilli(c.At).UTC(), time.UnixMilli(want[sess.ID]).UTC())
			}
		}
		if nano == 0 || spentDollars(nano) != sess.CostUSD {
			t.Errorf("%s: cells sum to $%v, the session costs $%v", sess.ID, spentDollars(nano), sess.CostUSD)
		}
	}
	if len(list) != 2 {
		t.Errorf("%d sessions, want 2", len(list))
	}
}
