package usage

import (
	"math"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

func sess(key, project string) *shared.Session {
	return &shared.Session{ID: key, Source: shared.SourceClaude, ProjectPath: project}
}

// TestBlock walks ccusage's rule: a block starts, floored to the hour, at
// the first activity after a gap of 5 hours or more or after the last
// block's end.
func TestBlock(t *testing.T) {
	day := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	h := func(hh, mm int) int64 {
		return day.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute).UnixMilli()
	}
	const dollar = 1_000_000_000
	tests := []struct {
		name      string
		cells     []Cell
		now       int64
		active    bool
		start     int64
		costCents int64
		burnCents int64 // per hour
		projCents int64
	}{
		{name: "nothing spent", now: h(12, 0)},
		{
			name:  "one block: $2 from 09:10 to 10:10, now 10:10",
			cells: []Cell{{At: h(9, 0) + 15*60_000, Nano: dollar}, {At: h(10, 15), Nano: dollar}},
			now:   h(10, 15), active: true, start: h(9, 0), costCents: 200,
			burnCents: 200, projCents: 200 + 200*375/100, // $2/h for the 3 h 45 min left
		},
		{
			name:  "a 5-hour gap starts a new block",
			cells: []Cell{{At: h(1, 0), Nano: 5 * dollar}, {At: h(6, 30), Nano: dollar}},
			now:   h(7, 30), active: true, start: h(6, 0), costCents: 100, burnCents: 100, projCents: 100 + 350,
		},
		{
			name:  "continuous use: the block ends 5 h after its start and the next starts at its first slot",
			cells: []Cell{{At: h(1, 0), Nano: dollar}, {At: h(3, 0), Nano: dollar}, {At: h(6, 15), Nano: dollar}},
			now:   h(7, 15), active: true, start: h(6, 0), costCents: 100, burnCents: 100, projCents: 100 + 375,
		},
		{
			name:  "the block ended: none now",
			cells: []Cell{{At: h(1, 0), Nano: dollar}},
			now:   h(6, 1),
		},
		{
			name:  "5 hours quiet: none now",
			cells: []Cell{{At: h(1, 0), Nano: dollar}, {At: h(3, 0), Nano: dollar}},
			now:   h(8, 0) + 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := NewStore()
			st.Set(sess("a", "/p"), tc.cells)
			b := st.Block(time.UnixMilli(tc.now))
			if b.Active != tc.active {
				t.Fatalf("active %v, want %v (%+v)", b.Active, tc.active, b)
			}
			if !tc.active {
				return
			}
			c := func(usd float64) int64 { return int64(math.Round(usd * 100)) }
			if b.Start != tc.start || b.End != tc.start+BlockLength.Milliseconds() {
				t.Errorf("block %s–%s, want start %s", time.UnixMilli(b.Start).UTC(), time.UnixMilli(b.End).UTC(), time.UnixMilli(tc.start).UTC())
			}
			if c(b.CostUSD) != tc.costCents || c(b.BurnUSDPerHour) != tc.burnCents || c(b.ProjectedUSD) != tc.projCents {
				t.Errorf("cost %.4f burn %.4f/h projected %.4f, want %d %d %d cents", b.CostUSD, b.BurnUSDPerHour, b.ProjectedUSD,
					tc.costCents, tc.burnCents, tc.projCents)
			}
		})
	}
}

// TestModelTotals: each model's total is the sum of its cells over every
// session, a session on two models adding to both; setting a session
// again replaces its part, and a deleted session's part leaves.
func TestModelTotals(t *testing.T) {
	st := NewStore()
	tok := func(n int) shared.Tokens { return shared.Tokens{Input: n} }
	st.Set(sess("a", "/p"), []Cell{{At: 0, Model: "opus", Tokens: tok(10), Nano: 100}, {At: Slot.Milliseconds(), Model: "sonnet", Tokens: tok(1), Nano: 7}})
	st.Set(sess("b", "/q"), []Cell{{At: 0, Model: "sonnet", Tokens: tok(2), Nano: 20}})
	totals := func() map[string]ModelTotal {
		out := map[string]ModelTotal{}
		for _, m := range st.ModelTotals() {
			out[m.Model] = m
		}
		return out
	}
	got := totals()
	if len(got) != 2 || got["opus"].Nano != 100 || got["opus"].Tokens.Input != 10 || got["sonnet"].Nano != 27 || got["sonnet"].Tokens.Input != 3 {
		t.Fatalf("totals %+v: want opus 100 (10 tokens), sonnet 27 (3 tokens)", got)
	}
	st.Set(sess("a", "/p"), []Cell{{At: 0, Model: "sonnet", Tokens: tok(5), Nano: 50}})
	st.Delete(shared.SourceClaude, sess("b", "/q").ID)
	got = totals()
	if len(got) != 1 || got["sonnet"].Nano != 50 || got["sonnet"].Tokens.Input != 5 {
		t.Fatalf("after a's new cells and b's removal: %+v, want sonnet 50 only", got)
	}
}

// TestSameIDTwoSources: sessions of two sources that share an ID are two
// sessions: each counts, and one's removal leaves the other's spend.
func TestSameIDTwoSources(t *testing.T) {
	st := NewStore()
	tok := func(n int) shared.Tokens { return shared.Tokens{Input: n} }
	claude := &shared.Session{ID: "s1", Source: shared.SourceClaude, ProjectPath: "/p"}
	oc := &shared.Session{ID: "s1", Source: shared.SourceOpenCode, ProjectPath: "/p"}
	st.Set(claude, []Cell{{At: 0, Model: "opus", Tokens: tok(10), Nano: 100}})
	st.Set(oc, []Cell{{At: 0, Model: "opus", Tokens: tok(1), Nano: 7}})
	if got := st.ModelTotals(); len(got) != 1 || got[0].Nano != 107 {
		t.Fatalf("both sources: %+v, want opus 107", got)
	}
	st.Delete(shared.SourceClaude, "s1")
	if got := st.ModelTotals(); len(got) != 1 || got[0].Nano != 7 || got[0].Tokens.Input != 1 {
		t.Fatalf("after claude's s1 left: %+v, want opencode's 7 alone", got)
	}
	if ids := st.IDs(shared.SourceOpenCode); len(ids) != 1 || ids[0] != "s1" || len(st.IDs(shared.SourceClaude)) != 0 {
		t.Errorf("IDs: opencode %v, claude %v", ids, st.IDs(shared.SourceClaude))
	}
}
