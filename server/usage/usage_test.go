package usage_test

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/usage"
)

// TestReportHandComputed checks every grouping against the fixture's
// hand-worked figures, to the cent, with days cut in zones on both sides
// of UTC (one of them half an hour off the hour).
func TestReportHandComputed(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, by, tz string
		want         map[string]int64 // cents by key
	}{
		{"days in UTC", "day", "UTC", map[string]int64{"2026-03-02": 40, "2026-03-03": 203}},
		{"days in New York: A's midnight responses fall on the 2nd", "day", "America/New_York",
			map[string]int64{"2026-03-02": 193, "2026-03-03": 50}},
		{"days in Kolkata (+5:30): the 23:50Z response falls on the 3rd", "day", "Asia/Kolkata",
			map[string]int64{"2026-03-02": 10, "2026-03-03": 233}},
		{"projects", "project", "UTC", map[string]int64{shop: 233, blog: 10}},
		{"models", "model", "UTC", map[string]int64{sonnetKey: 183, opus46: 60}},
		{"sources", "source", "UTC", map[string]int64{"claude": 243}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, rep := e.get(t, allTime(tc.by, url.QueryEscape(tc.tz)))
			if code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			if got := cents(rep); !maps.Equal(got, tc.want) {
				t.Errorf("buckets (cents) = %v, want %v", got, tc.want)
			}
			if got := toCents(rep.Total.CostUSD); got != 243 {
				t.Errorf("total = %d cents, want 243", got)
			}
			if rep.By != tc.by || rep.TZ != tc.tz {
				t.Errorf("by %q tz %q, want %q %q", rep.By, rep.TZ, tc.by, tc.tz)
			}
		})
	}
}

// TestTotalsEqualSessions: one source of truth. The report's total over
// a range holding everything is the sum of the sessions' own costs and
// tokens, to the nano-dollar, with the replayed response billed once.
func TestTotalsEqualSessions(t *testing.T) {
	e := newEnv(t)
	if len(e.sessions) != 3 {
		t.Fatalf("%d sessions, want 3", len(e.sessions))
	}
	var cost float64
	var in, out, read int
	for _, s := range e.sessions {
		cost += s.CostUSD
		in, out, read = in+s.Tokens.Input, out+s.Tokens.Output, read+s.Tokens.CacheRead
	}
	_, rep := e.get(t, allTime("model", "UTC"))
	if d := rep.Total.CostUSD - cost; d > 1e-9 || d < -1e-9 {
		t.Errorf("report total $%.9f, sessions sum $%.9f", rep.Total.CostUSD, cost)
	}
	tk := rep.Total.Tokens
	if tk.Input != in || tk.Output != out || tk.CacheRead != read {
		t.Errorf("report tokens %+v, sessions in %d out %d read %d", tk, in, out, read)
	}
	if tk.Input != 220_000 { // r1 once, r3, r5: the replayed r1 adds nothing
		t.Errorf("input tokens %d, want 220,000", tk.Input)
	}
}

// TestAppendMovesOneBucket: a response appended to a transcript changes
// the bucket it falls in, and no other, in every grouping.
func TestAppendMovesOneBucket(t *testing.T) {
	e := newEnv(t)
	groupings := []string{"day", "project", "model", "source"}
	before := map[string]usage.Report{}
	for _, by := range groupings {
		_, before[by] = e.get(t, allTime(by, "UTC"))
	}
	// r4: 10,000 output tokens on Sonnet 4.5 = $0.15, on the 3rd (UTC).
	e.appendLines(t, e.pathA, assistantLine(sidA, shop, "2026-03-03T00:25:00Z", "r4", sonnet45,
		`{"input_tokens":0,"output_tokens":10000}`))
	wantMoved := map[string]string{"day": "2026-03-03", "project": shop, "model": sonnetKey, "source": "claude"}
	for _, by := range groupings {
		_, after := e.get(t, allTime(by, "UTC"))
		was, now := cents(before[by]), cents(after)
		var moved []string
		for k := range now {
			if now[k] != was[k] {
				moved = append(moved, k)
			}
		}
		if len(moved) != 1 || moved[0] != wantMoved[by] {
			t.Errorf("by %s: buckets that moved %v, want [%s]", by, moved, wantMoved[by])
			continue
		}
		if d := now[wantMoved[by]] - was[wantMoved[by]]; d != 15 {
			t.Errorf("by %s: %s moved by %d cents, want 15", by, wantMoved[by], d)
		}
		if len(now) != len(was) {
			t.Errorf("by %s: %d buckets, had %d", by, len(now), len(was))
		}
	}
}

// TestRangeCuts: a range holds the slots that start in it.
func TestRangeCuts(t *testing.T) {
	e := newEnv(t)
	from := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC).UnixMilli()
	to := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC).UnixMilli() // r3 at 09:00 is out
	code, rep := e.get(t, "by=day&from="+itoa(from)+"&to="+itoa(to))
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if got := toCents(rep.Total.CostUSD); got != 153 {
		t.Errorf("total %d cents, want 153 (r2 and the id-less read)", got)
	}
}

// TestBadQuery: every malformed parameter is a 400 with a message.
func TestBadQuery(t *testing.T) {
	e := newEnv(t)
	for _, qs := range []string{
		"by=week", "by=%3Cscript%3E", "tz=Mars%2FOlympus", "tz=Local", "tz=..%2F..%2Fetc%2Fpasswd",
		"tz=" + strings.Repeat("A", 200), "from=abc", "from=-5", "to=1e12", "from=10&to=5", "from=5&to=5",
		"from=0&to=9007199254740992", "from=99999999999999999999",
	} {
		t.Run(qs, func(t *testing.T) {
			code, _ := e.get(t, qs)
			if code != http.StatusBadRequest {
				t.Errorf("status %d, want 400", code)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestUnpricedModelIsNotFree: a model the price table does not know
// costs nothing in the sums, but the report says its tokens have no
// price (by model, in each bucket holding them, in the total), so that
// no client shows them as $0 spent.
func TestUnpricedModelIsNotFree(t *testing.T) {
	e := newEnv(t)
	const nova = "claude-nova-9-20270101" // not in the table
	e.appendLines(t, e.pathA, assistantLine(sidA, shop, "2026-03-03T00:50:00Z", "r9", nova,
		`{"input_tokens":7000,"output_tokens":3000}`))
	_, rep := e.get(t, allTime("model", "UTC"))
	if want := []string{"claude-nova-9"}; !slices.Equal(rep.Unpriced, want) {
		t.Errorf("unpriced = %q, want %q", rep.Unpriced, want)
	}
	if rep.Total.UnpricedTokens != 10_000 || toCents(rep.Total.CostUSD) != 243 {
		t.Errorf("total: %d unpriced tokens, %d cents; want 10000 and 243", rep.Total.UnpricedTokens, toCents(rep.Total.CostUSD))
	}
	for _, b := range rep.Buckets {
		want := 0
		if b.Key == "claude-nova-9" {
			want = 10_000
		}
		if b.UnpricedTokens != want {
			t.Errorf("%s: %d unpriced tokens, want %d", b.Key, b.UnpricedTokens, want)
		}
	}
	_, days := e.get(t, allTime("day", "UTC"))
	for _, b := range days.Buckets {
		if want := map[string]int{"2026-03-03": 10_000}[b.Key]; b.UnpricedTokens != want {
			t.Errorf("day %s: %d unpriced tokens, want %d", b.Key, b.UnpricedTokens, want)
		}
	}
}
