package ui

import (
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
	_ "time/tzdata" // the zones these tests name, on any machine

	"vibecraft.sh/helm/shared"
)

func TestUsageURL(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 30, 2, 0, 0, 0, time.UTC) // 22:00 on the 29th in New York
	u, _ := url.Parse(usageURL("day", now, ny, "America/New_York"))
	v := u.Query()
	from, _ := strconv.ParseInt(v.Get("from"), 10, 64)
	if got := time.UnixMilli(from).In(ny); got.Format(time.DateTime) != "2026-02-28 00:00:00" {
		t.Errorf("from %s, want midnight 29 days before the 29th, New York time", got)
	}
	if u.Path != "/api/usage" || v.Get("by") != "day" || v.Get("tz") != "America/New_York" {
		t.Errorf("url %s", u)
	}
	// Chile's summer time begins at 24:00: 2026-09-05 23:59 -04, then
	// 01:00 -03. The 30 days from the 6th start then, not an hour into
	// the 5th, which the page would chart under no day.
	santiago, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	u, _ = url.Parse(usageURL("day", time.Date(2026, 10, 5, 12, 0, 0, 0, santiago), santiago, "America/Santiago"))
	from, _ = strconv.ParseInt(u.Query().Get("from"), 10, 64)
	if got := time.UnixMilli(from).In(santiago); got.Format(time.DateTime) != "2026-09-06 01:00:00" {
		t.Errorf("from %s in Santiago, want 2026-09-06 01:00:00 (the 6th's first instant)", got)
	}
}

func TestFillDays(t *testing.T) {
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	rep := usageReport{Buckets: []usageBucket{
		{Key: "2026-03-01", CostUSD: 3, ByModel: map[string]float64{"opus": 1, "sonnet": 2}},
		{Key: "2026-03-03", CostUSD: 5, ByModel: map[string]float64{"opus": 5}},
	}}
	rows, models := fillDays(rep, now, time.UTC, 4)
	var days []string
	for _, r := range rows {
		days = append(days, r.Day)
	}
	if want := []string{"2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03"}; !slices.Equal(days, want) {
		t.Errorf("days %v, want %v (every day, spent or not)", days, want)
	}
	if !slices.Equal(models, []string{"opus", "sonnet"}) {
		t.Errorf("models %v, want by total cost", models)
	}
	if got := rows[1].Models; len(got) != 2 || got[0] != (modelPart{"opus", 1}) || got[1] != (modelPart{"sonnet", 2}) {
		t.Errorf("the 1st's stack %v, in legend order", got)
	}
}

// TestFillDaysTokens: the tokens chart's stacks follow the legend of the
// cost chart, and a model with tokens but no price still gets a color
// (after the priced ones) and its segment.
func TestFillDaysTokens(t *testing.T) {
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	rep := usageReport{Buckets: []usageBucket{
		{Key: "2026-03-02", CostUSD: 1, ByModel: map[string]float64{"opus": 1},
			TokensByModel: map[string]int{"opus": 500, "local": 9000}},
		{Key: "2026-03-03", CostUSD: 3, ByModel: map[string]float64{"opus": 1, "sonnet": 2},
			TokensByModel: map[string]int{"opus": 100, "sonnet": 40_000}},
	}}
	rows, models := fillDays(rep, now, time.UTC, 2)
	if !slices.Equal(models, []string{"sonnet", "opus", "local"}) {
		t.Errorf("models %v: want by cost, then the unpriced one", models)
	}
	want := [][]modelPart{
		{{"opus", 500}, {"local", 9000}},
		{{"sonnet", 40_000}, {"opus", 100}},
	}
	for i, r := range rows {
		if !slices.Equal(r.TokenModels, want[i]) {
			t.Errorf("%s: tokens stack %v, want %v", r.Day, r.TokenModels, want[i])
		}
	}
	if got := modelsText(rows[1].TokenModels, tokenCount); got != "sonnet: 40k · opus: 100" {
		t.Errorf("table text %q", got)
	}
}

func TestTopN(t *testing.T) {
	var bs []usageBucket
	for i := range 13 {
		bs = append(bs, usageBucket{Key: strconv.Itoa(i), CostUSD: float64(13 - i), Tokens: shared.Tokens{Input: 1}})
	}
	got, rest := topN(bs, 10)
	if len(got) != 10 || got[9].Key != "9" || rest.N != 3 || rest.CostUSD != 3+2+1 || rest.Tokens.Input != 3 || rest.name() != "3 other projects" {
		t.Errorf("top 10 %d, last %q; rest %+v (%q)", len(got), got[len(got)-1].Key, rest, rest.name())
	}
	if got, rest := topN(bs[:11], 10); len(got) != 10 || rest.N != 1 || rest.name() != "1 other project" {
		t.Errorf("11 buckets: %d and %+v (%q)", len(got), rest, rest.name())
	}
	if got, rest := topN(bs[:5], 10); len(got) != 5 || rest.N != 0 {
		t.Errorf("%d buckets and %+v from 5", len(got), rest)
	}
}

// TestBucketNameShowsControls: a project's path and a model's id come
// from transcripts; a bidi override or a terminal escape in one is shown
// (md.Clean), as the list shows it, never obeyed.
func TestBucketNameShowsControls(t *testing.T) {
	for _, tc := range []struct{ filter, key, name, full string }{
		{"project", "/w/\u202egnp.exe", "/w/[U+202E]gnp.exe", "/w/[U+202E]gnp.exe"},
		{"model", "claude-\u2066x\x1b", "[U+2066]x␛", "claude-[U+2066]x␛"}, // "claude-" goes, as ModelWords says a model
		{"model", "claude-sonnet-4-5-20250929", "sonnet 4.5", "claude-sonnet-4-5-20250929"},
	} {
		if name, full := bucketName(tc.filter, tc.key); name != tc.name || full != tc.full {
			t.Errorf("bucketName(%q, %q) = %q, %q; want %q, %q", tc.filter, tc.key, name, full, tc.name, tc.full)
		}
	}
}

func TestWeeksAndCacheRate(t *testing.T) {
	rows := make([]dayRow, 15)
	cents := make([]int64, 15)
	for i := range rows {
		rows[i].Cost = float64(i) // the last day (today) costs 14
		cents[i] = int64(i * 100)
	}
	this, last, thisC, lastC := weeks(rows, cents)
	if this != 8+9+10+11+12+13+14 || last != 1+2+3+4+5+6+7 || thisC != 7700 || lastC != 2800 {
		t.Errorf("this week %v (%d cents), last week %v (%d cents)", this, thisC, last, lastC)
	}
	tests := []struct {
		t    shared.Tokens
		want float64
		ok   bool
	}{
		{shared.Tokens{Input: 10, CacheRead: 80, CacheWrite: 10, Output: 500}, 0.8, true},
		{shared.Tokens{Output: 5}, 0, false},
	}
	for _, tc := range tests {
		if got, ok := cacheHitRate(tc.t); got != tc.want || ok != tc.ok {
			t.Errorf("cacheHitRate(%+v) = %v %v, want %v %v", tc.t, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStack(t *testing.T) {
	segs := stack([]modelPart{{"a", 5}, {"b", 0.001}}, 10)
	if len(segs) != 2 || segs[0].Y != 50 || segs[0].H != 50 || segs[1].H != 0.4 || segs[1].Y != 49.6 {
		t.Errorf("segments %+v", segs)
	}
	if stack([]modelPart{{"a", 1}}, 0) != nil {
		t.Error("nothing to stack on a zero scale")
	}
}

func TestListURL(t *testing.T) {
	if got := listURL("project", "/home/dev/a b&c"); got != "/?project=%2Fhome%2Fdev%2Fa+b%26c" {
		t.Errorf("listURL = %s", got)
	}
}

// The block's time left reads as the rest of the page does, to the
// nearest minute, never as Go's "4h53m0s"; it counts down from when the
// block was read (since), not frozen at that moment.
func TestProjectedTimeLeft(t *testing.T) {
	end := time.Date(2026, 3, 2, 12, 0, 0, 0, time.Local)
	tests := []struct {
		left, since time.Duration
		want        string
	}{
		{4*time.Hour + 52*time.Minute + 40*time.Second, 0, "(4 h 53 min left)"},
		{4*time.Hour + 53*time.Minute + 10*time.Second, 0, "(4 h 53 min left)"},
		{12*time.Minute + 29*time.Second, 0, "(12 min left)"},
		{40 * time.Second, 0, "(40 s left)"},
		{-time.Second, 0, "(0 s left)"}, // computed just after its end
		{1*time.Hour + 50*time.Minute, 10 * time.Minute, "(1 h 40 min left)"},
		{40 * time.Second, time.Minute, "(0 s left)"},
		{12 * time.Minute, -time.Minute, "(12 min left)"}, // a clock set back
	}
	for _, tc := range tests {
		b := usageBlock{UsageSpan: shared.UsageSpan{End: end.UnixMilli()}, Now: end.Add(-tc.left).UnixMilli(), ProjectedUSD: 5.912}
		if got, want := projected(b, tc.since), "$5.91 at "+end.Format("Mon 15:04")+" "+tc.want; got != want {
			t.Errorf("%v before the end, read %v ago: %q, want %q", tc.left, tc.since, got, want)
		}
	}
}
