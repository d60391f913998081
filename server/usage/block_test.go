package usage

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
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
		rate      bool  // a burn rate told (HasRate)
		burnCents int64 // per hour
		projCents int64
		// lastStart and lastCents: the block that ended, when none runs
		// (lastStart 0: none in the lookback).
		lastStart, lastCents int64
	}{
		{name: "nothing spent", now: h(12, 0)},
		{
			name:  "one block: $2 from 09:10 to 10:10, now 10:10",
			cells: []Cell{{At: h(9, 0) + 15*60_000, Nano: dollar}, {At: h(10, 15), Nano: dollar}},
			now:   h(10, 15), active: true, start: h(9, 0), costCents: 200,
			rate: true, burnCents: 200, projCents: 200 + 200*375/100, // $2/h for the 3 h 45 min left
		},
		{
			name:  "a 5-hour gap starts a new block",
			cells: []Cell{{At: h(1, 0), Nano: 5 * dollar}, {At: h(6, 30), Nano: dollar}},
			now:   h(7, 30), active: true, start: h(6, 0), costCents: 100, projCents: 100, // one response: no rate
		},
		{
			name:  "continuous use: the block ends 5 h after its start and the next starts at its first slot",
			cells: []Cell{{At: h(1, 0), Nano: dollar}, {At: h(3, 0), Nano: dollar}, {At: h(6, 15), Nano: dollar}},
			now:   h(7, 15), active: true, start: h(6, 0), costCents: 100, projCents: 100, // one response: no rate
		},
		{
			// The reviewer's case: it was "$90.00 per hour" and "$401".
			name:  "one $22.50 response: no rate, the projection the spend so far",
			cells: []Cell{{At: h(9, 0), Nano: 22_500_000_000}},
			now:   h(9, 10), active: true, start: h(9, 0), costCents: 2250, projCents: 2250,
		},
		{
			name:  "one response, hours ago: still no rate",
			cells: []Cell{{At: h(9, 0), Nano: 22_500_000_000}},
			now:   h(12, 0), active: true, start: h(9, 0), costCents: 2250, projCents: 2250,
		},
		{
			name:  "many responses in one slot: no rate",
			cells: []Cell{{At: h(9, 0), Nano: dollar, Model: "a"}, {At: h(9, 0), Nano: dollar, Model: "b"}, {At: h(9, 0), Nano: dollar, Model: "c"}},
			now:   h(9, 14), active: true, start: h(9, 0), costCents: 300, projCents: 300,
		},
		{
			name:  "two slots side by side, maybe a minute apart: no rate",
			cells: []Cell{{At: h(9, 0), Nano: dollar}, {At: h(9, 15), Nano: dollar}},
			now:   h(9, 20), active: true, start: h(9, 0), costCents: 200, projCents: 200,
		},
		{
			name:  "two slots 30 min apart: a rate over the time since the first",
			cells: []Cell{{At: h(9, 0), Nano: dollar}, {At: h(9, 30), Nano: dollar}},
			now:   h(10, 0), active: true, start: h(9, 0), costCents: 200,
			rate: true, burnCents: 200, projCents: 200 + 200*4, // $2/h for the 4 h left
		},
		{
			name:  "nothing spent in the block's responses (an unpriced model): a rate of $0",
			cells: []Cell{{At: h(9, 0), Tokens: shared.Tokens{Input: 5}}, {At: h(10, 0), Tokens: shared.Tokens{Input: 5}}},
			now:   h(10, 0), active: true, start: h(9, 0), rate: true,
		},
		{
			name:  "the block ended: none now, the last one said",
			cells: []Cell{{At: h(1, 0), Nano: dollar}},
			now:   h(6, 1), lastStart: h(1, 0), lastCents: 100,
		},
		{
			name:  "the block ended this very millisecond",
			cells: []Cell{{At: h(1, 15), Nano: dollar}, {At: h(5, 45), Nano: dollar / 2}},
			now:   h(6, 0), lastStart: h(1, 0), lastCents: 150,
		},
		{
			// The reviewer's case: spent within the last 5 hours, in a
			// block that ended before now.
			name:  "spent 1.8 h ago in a block that ended: none now, the last one said",
			cells: []Cell{{At: h(0, 0), Nano: dollar}, {At: h(3, 45), Nano: 1_810_000_000}},
			now:   h(5, 34), lastStart: h(0, 0), lastCents: 281,
		},
		{
			name:  "5 hours quiet: none now, the last one said",
			cells: []Cell{{At: h(1, 0), Nano: dollar}, {At: h(3, 0), Nano: dollar}},
			now:   h(8, 0) + 1, lastStart: h(1, 0), lastCents: 200,
		},
		{
			name:  "continuous use, then quiet: the last block is the latest, not the first",
			cells: []Cell{{At: h(1, 0), Nano: dollar}, {At: h(6, 15), Nano: 3 * dollar}},
			now:   h(12, 0), lastStart: h(6, 0), lastCents: 300,
		},
		{
			name:  "spent over two days ago only: none now, and no last one",
			cells: []Cell{{At: h(1, 0) - 49*time.Hour.Milliseconds(), Nano: dollar}},
			now:   h(1, 0),
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
			c := func(usd float64) int64 { return int64(math.Round(usd * 100)) }
			switch l := b.Last; {
			case tc.lastStart == 0 && l != nil:
				t.Errorf("last block %+v, want none", *l)
			case tc.lastStart != 0 && l == nil:
				t.Errorf("no last block, want one from %s", time.UnixMilli(tc.lastStart).UTC())
			case l != nil && (l.Start != tc.lastStart || l.End != tc.lastStart+BlockLength.Milliseconds() || c(l.CostUSD) != tc.lastCents):
				t.Errorf("last block %s–%s, %.4f; want from %s, %d cents", time.UnixMilli(l.Start).UTC(), time.UnixMilli(l.End).UTC(), l.CostUSD,
					time.UnixMilli(tc.lastStart).UTC(), tc.lastCents)
			}
			if !tc.active {
				if b.Start != 0 || b.End != 0 || b.CostUSD != 0 || b.BurnUSDPerHour != 0 || b.ProjectedUSD != 0 {
					t.Errorf("no block, yet %+v: the old fields say none as they did", b)
				}
				return
			}
			if b.Start != tc.start || b.End != tc.start+BlockLength.Milliseconds() {
				t.Errorf("block %s–%s, want start %s", time.UnixMilli(b.Start).UTC(), time.UnixMilli(b.End).UTC(), time.UnixMilli(tc.start).UTC())
			}
			if b.HasRate != tc.rate {
				t.Errorf("a rate told %v, want %v", b.HasRate, tc.rate)
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

// TestBlockAnswer: GET /api/usage/block keeps every field it had, so an
// old client reads it as before, and adds the block that ended when
// none runs ("last"), which it leaves out while one runs.
func TestBlockAnswer(t *testing.T) {
	day := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) int64 { return day.Add(d).UnixMilli() }
	st := NewStore()
	st.Set(sess("a", "/p"), []Cell{{At: at(0), Nano: 1_000_000_000}, {At: at(3*time.Hour + 45*time.Minute), Nano: 1_810_000_000}})
	clock := day
	mux := http.NewServeMux()
	Install(mux, st, func() time.Time { return clock }, nil)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	get := func() map[string]json.RawMessage {
		t.Helper()
		resp, err := http.Get(srv.URL + "/api/usage/block")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	old := []string{"active", "start", "end", "costUsd", "tokens", "burnUsdPerHour", "projectedUsd", "now"}

	clock = day.Add(5*time.Hour + 34*time.Minute) // the block ran 00:00–05:00
	got := get()
	for _, k := range old {
		if _, ok := got[k]; !ok {
			t.Errorf("ended: no %q in %s", k, got)
		}
	}
	if string(got["active"]) != "false" || string(got["costUsd"]) != "0" {
		t.Errorf("ended: active %s, costUsd %s; want false and 0, as before", got["active"], got["costUsd"])
	}
	var last struct {
		Start, End int64
		CostUSD    float64 `json:"costUsd"`
	}
	if err := json.Unmarshal(got["last"], &last); err != nil || last.Start != at(0) || last.End != at(5*time.Hour) || math.Round(last.CostUSD*100) != 281 {
		t.Errorf("ended: last %s (%v), want 00:00 to 05:00 at $2.81", got["last"], err)
	}

	clock = day.Add(4 * time.Hour)
	got = get()
	for _, k := range old {
		if _, ok := got[k]; !ok {
			t.Errorf("running: no %q in %s", k, got)
		}
	}
	if _, ok := got["last"]; ok || string(got["active"]) != "true" {
		t.Errorf("running: %s; want active, and no last block", got)
	}
	if string(got["hasRate"]) != "true" {
		t.Errorf("running 4 h, spent at 00:00 and 03:45: hasRate %s, want true", got["hasRate"])
	}
}

// TestBlockSaysUnpriced: a block that used a model the price table does
// not know is not as cheap as its cost says: the block, running or
// ended, carries the tokens whose cost it leaves out (unpricedTokens,
// as /api/usage does), and the answer names the field for the page.
func TestBlockSaysUnpriced(t *testing.T) {
	day := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) int64 { return day.Add(d).UnixMilli() }
	st := NewStore()
	st.Set(sess("a", "/p"), []Cell{
		{At: at(9 * time.Hour), Model: "claude-sonnet-4-5", Tokens: shared.Tokens{Input: 1000}, Nano: 1_000_000_000},
		{At: at(9*time.Hour + 30*time.Minute), Model: "claude-nova-9", Tokens: shared.Tokens{Input: 7000, Output: 3000}, Unpriced: true},
	})
	b := st.Block(day.Add(10 * time.Hour))
	if !b.Active || b.UnpricedTokens != 10_000 || math.Round(b.CostUSD*100) != 100 {
		t.Errorf("running: active %v, %d unpriced tokens, $%.2f; want active, 10000, $1.00", b.Active, b.UnpricedTokens, b.CostUSD)
	}
	b = st.Block(day.Add(15 * time.Hour))
	if b.Active || b.Last == nil || b.Last.UnpricedTokens != 10_000 {
		t.Errorf("ended: active %v, last %+v; want the last block with 10000 unpriced tokens", b.Active, b.Last)
	}
	// A priced block says none.
	st.Set(sess("b", "/p"), []Cell{{At: at(20 * time.Hour), Model: "claude-sonnet-4-5", Tokens: shared.Tokens{Input: 5}, Nano: 7}})
	if b := st.Block(day.Add(21 * time.Hour)); !b.Active || b.UnpricedTokens != 0 {
		t.Errorf("a priced block: %+v, want no unpriced tokens", b)
	}

	mux := http.NewServeMux()
	Install(mux, st, func() time.Time { return day.Add(10 * time.Hour) }, nil)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/api/usage/block")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if string(got["unpricedTokens"]) != "10000" {
		t.Errorf("GET /api/usage/block: unpricedTokens %s, want 10000: %s", got["unpricedTokens"], got)
	}
}

// TestModelTotalsUnpriced: a model's total says how many of its tokens
// have no price, as cells come and go, so that /metrics can say it.
func TestModelTotalsUnpriced(t *testing.T) {
	st := NewStore()
	nova := []Cell{{At: 0, Model: "claude-nova-9", Tokens: shared.Tokens{Input: 7000, Output: 3000}, Unpriced: true}}
	st.Set(sess("a", "/p"), append(nova, Cell{At: 0, Model: "opus", Tokens: shared.Tokens{Input: 10}, Nano: 100}))
	st.Set(sess("b", "/p"), nova)
	got := map[string]int{}
	for _, m := range st.ModelTotals() {
		got[m.Model] = m.UnpricedTokens
	}
	if len(got) != 2 || got["claude-nova-9"] != 20_000 || got["opus"] != 0 {
		t.Fatalf("unpriced tokens by model %v, want claude-nova-9 20000, opus 0", got)
	}
	st.Delete(shared.SourceClaude, "b")
	if m := st.ModelTotals(); len(m) != 2 || m[0].UnpricedTokens+m[1].UnpricedTokens != 10_000 {
		t.Errorf("after b left: %+v, want 10000 unpriced tokens", m)
	}
}

// TestKeepForgetsWhatAScanNoLongerLists: a full scan's list keeps its
// sessions' spend; a session it no longer lists leaves the totals, one of
// another source with the same ID stays; and finding that allocates
// nothing (a refresh at 100,000 sessions made ~12 MB of sets for it).
func TestKeepForgetsWhatAScanNoLongerLists(t *testing.T) {
	st := NewStore()
	set := func(src shared.Source, id string, nano int64) {
		st.Set(&shared.Session{ID: id, Source: src, ProjectPath: "/p"}, []Cell{{At: 0, Model: "opus", Tokens: shared.Tokens{Input: 1}, Nano: nano}})
	}
	set(shared.SourceClaude, "a", 1)
	set(shared.SourceClaude, "b", 10)
	set(shared.SourceOpenCode, "b", 100)
	list := []shared.Session{{ID: "a", Source: shared.SourceClaude}}
	for range 2 { // a second Keep of the same list changes nothing
		st.Keep(shared.SourceClaude, list)
		if got := st.ModelTotals(); len(got) != 1 || got[0].Nano != 101 {
			t.Fatalf("after a scan listing only claude's a: %+v, want a's 1 and opencode's b's 100", got)
		}
	}
	if ids := st.IDs(shared.SourceClaude); len(ids) != 1 || ids[0] != "a" {
		t.Errorf("claude's sessions %v, want [a]", ids)
	}
	if n := testing.AllocsPerRun(20, func() { st.Keep(shared.SourceClaude, list) }); n != 0 {
		t.Errorf("Keep allocates %v times, want none", n)
	}
	st.Keep(shared.SourceOpenCode, nil)
	if got := st.ModelTotals(); len(got) != 1 || got[0].Nano != 1 {
		t.Errorf("after an empty opencode scan: %+v, want claude's a's 1 alone", got)
	}
}
