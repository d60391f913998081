package ui

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/shared"
)

// The usage page's header says which Helm it is of, as the list's and a
// session's do: the machine (text, never markup) and Demo; and its title,
// Usage, is a page name the phone's header keeps (web/helm.css).
func TestUsageHeaderNamesItsHelm(t *testing.T) {
	page := renderUI(t, NewUsagePage(Which{Host: "gamma <b>", Demo: true}).Render())
	header := page.tags("header")
	if len(header) != 1 {
		t.Fatalf("%d headers", len(header))
	}
	if header[0].hasTag("b") {
		t.Error("the machine's name became markup")
	}
	marks := map[string]string{}
	for _, s := range header[0].tags("span") {
		if id := s.attrs["id"]; id != "" {
			marks[id] = s.content()
		}
	}
	if marks["host"] != "gamma <b>" || marks["demo"] != "Demo" {
		t.Errorf("the header's marks %q, want the machine gamma <b> and Demo", marks)
	}
	names := header[0].all("page-name")
	if len(names) != 1 || names[0].content() != "Usage" {
		t.Errorf("the header's page name %q, want Usage", contents(names))
	}

	page = renderUI(t, NewUsagePage(Which{}).Render())
	for _, s := range page.tags("span") {
		if id := s.attrs["id"]; id == "host" || id == "demo" {
			t.Errorf("a page of an unnamed Helm is marked %s", id)
		}
	}
}

// The usage tab is named as the others are: Demo for a demo's, and the
// machine when the page is not opened on it.
func TestUsageTitleNamesItsHelm(t *testing.T) {
	for _, tc := range []struct {
		w       Which
		urlHost string
		want    string
	}{
		{Which{Host: "devbox"}, "127.0.0.1", "Usage · Helm"},
		{Which{Host: "devbox", Demo: true}, "localhost", "Usage · Helm · Demo"},
		{Which{Host: "devbox", Demo: true}, "devbox.lan", "Usage · Helm · Demo · devbox"},
	} {
		if got := tc.w.title("Usage · "+appName, tc.urlHost); got != tc.want {
			t.Errorf("%+v at %s: title %q, want %q", tc.w, tc.urlHost, got, tc.want)
		}
	}
}

// How current the figures are, in words: "Updated just now" for a
// minute, then the time they were read; after a failed reading, that
// they are from then, and why in plain words, never the browser's.
func TestUsageFreshness(t *testing.T) {
	now := time.Date(2026, 3, 2, 14, 5, 30, 0, time.Local)
	offline := &browser.JSError{Name: "TypeError", Message: "Failed to fetch"}
	for _, tc := range []struct {
		readAt  time.Time
		failure error
		want    string
		stale   bool
	}{
		{now.Add(-10 * time.Second), nil, "Updated just now", false},
		{now.Add(-5 * time.Minute), nil, "As of 14:00", false},
		{time.Date(2026, 3, 1, 23, 50, 0, 0, time.Local), nil, "As of Sun 23:50", false},
		{now.Add(-5 * time.Minute), offline,
			"These figures are from 14:00: they could not be read again. The server does not answer. Is helmd running?", true},
		{now.Add(-time.Minute), &browser.HTTPError{Method: "GET", URL: "/api/usage", Status: 502},
			"These figures are from 14:04: they could not be read again. The server had a problem (HTTP 502).", true},
		{now.Add(-time.Minute), errNoAnswer,
			"These figures are from 14:04: they could not be read again. The server does not answer. Is helmd running?", true},
	} {
		got, stale := freshness(tc.readAt, now, tc.failure)
		if got != tc.want || stale != tc.stale {
			t.Errorf("read at %s, failure %v: %q (stale %v), want %q (stale %v)", tc.readAt.Format(time.DateTime), tc.failure, got, stale, tc.want, tc.stale)
		}
	}
}

// A page in view reads its figures again every period, one reading at a
// time; a hidden one does not; a tab shown again reads at once unless
// its figures are under half a period old.
func TestUsageDue(t *testing.T) {
	now := time.Date(2026, 3, 2, 14, 5, 30, 0, time.Local)
	const every = 30 * time.Second
	for _, tc := range []struct {
		inFlight, hidden bool
		ago              time.Duration
		want             bool
	}{
		{false, false, every, true},
		{false, false, every / 2, true},
		{false, false, every/2 - time.Second, false},
		{true, false, time.Hour, false},
		{false, true, time.Hour, false},
	} {
		if got := usageDue(tc.inFlight, tc.hidden, now.Add(-tc.ago), now, every); got != tc.want {
			t.Errorf("in flight %v, hidden %v, last begun %v ago: due %v, want %v", tc.inFlight, tc.hidden, tc.ago, got, tc.want)
		}
	}
}

// The refresh period is half a minute, or what the page URL's ?refresh=
// says within reason.
func TestRefreshEvery(t *testing.T) {
	for q, want := range map[string]time.Duration{
		"": usageRefresh, "refresh=2s": 2 * time.Second, "refresh=10ms": usageRefresh, "refresh=3h": usageRefresh, "refresh=x": usageRefresh,
	} {
		if got := refreshEvery(&url.URL{Path: UsageRoute, RawQuery: q}); got != want {
			t.Errorf("?%s: every %v, want %v", q, got, want)
		}
	}
}

// usagePageWith is a usage page that has read $1.50 today, at readAt,
// and whose last reading failed with failure (nil: it did not).
func usagePageWith(readAt time.Time, failure error) *UsagePage {
	p := NewUsagePage(Which{})
	day := readAt.In(time.Local).Format(time.DateOnly)
	spent := shared.Tokens{Input: 1000, Output: 2000}
	p.shown = usageData{at: readAt, days: usageReport{
		Buckets: []usageBucket{{Key: day, CostUSD: 1.5, Tokens: spent, ByModel: map[string]float64{"claude-opus-4-6": 1.5},
			TokensByModel: map[string]int{"claude-opus-4-6": spent.Total()}}},
		Total: shared.UsageTotals{CostUSD: 1.5, Tokens: spent},
	}}
	p.readAt, p.now, p.failure = readAt, readAt.Add(10*time.Second), failure
	return p
}

// A reading that fails keeps the figures on screen, said to be from
// when they were read; only a page that never read any says it has none.
func TestUsageKeepsItsFiguresWhenAReadingFails(t *testing.T) {
	readAt := time.Date(2026, 3, 2, 14, 5, 0, 0, time.Local)
	offline := &browser.JSError{Name: "TypeError", Message: "Failed to fetch"}

	page := renderUI(t, usagePageWith(readAt, offline).Render())
	if total := page.byID("usage-total"); total == nil || !strings.HasPrefix(total.content(), "$1.50") {
		t.Errorf("after a failed reading, the total is gone or changed: %v", total)
	}
	fresh := page.byID("usage-fresh")
	const want = "These figures are from 14:05: they could not be read again. The server does not answer. Is helmd running? Trying again every 30 s."
	if fresh == nil || fresh.content() != want || !fresh.hasClass("stale") {
		t.Errorf("after a failed reading, the page says %v, want %q (stale)", fresh, want)
	}
	if page.byID("usage-error") != nil {
		t.Error("a failed reading replaced the figures with an error")
	}

	page = renderUI(t, usagePageWith(readAt, nil).Render())
	if fresh := page.byID("usage-fresh"); fresh == nil || fresh.content() != "Updated just now" || fresh.hasClass("stale") {
		t.Errorf("after a reading, the page says %v, want Updated just now", fresh)
	}

	p := NewUsagePage(Which{})
	p.failure = offline
	page = renderUI(t, p.Render())
	if e := page.byID("usage-error"); e == nil || e.content() != "Could not read the usage. The server does not answer. Is helmd running? Trying again every 30 s." {
		t.Errorf("a first reading that failed says %v", e)
	}
}

// Only another Helm's answer hides the figures as another Helm's: a
// 409 that names no other instance is an error of this page's own Helm,
// said as one, the figures kept.
func TestUsageElsewhereIsAnotherHelmsAnswer(t *testing.T) {
	readAt := time.Date(2026, 3, 2, 14, 5, 0, 0, time.Local)
	for _, tc := range []struct {
		name      string
		answer    *browser.HTTPError
		elsewhere bool
	}{
		{"another Helm", &browser.HTTPError{Method: "GET", URL: "/api/usage/block", Status: 409, Instance: "b2b2"}, true},
		{"this Helm", &browser.HTTPError{Method: "GET", URL: "/api/usage/block", Status: 409, Instance: "a1a1"}, false},
		{"no instance said", &browser.HTTPError{Method: "GET", URL: "/api/usage/block", Status: 409}, false},
	} {
		p := usagePageWith(readAt, tc.answer)
		p.which.Instance = "a1a1"
		page := renderUI(t, p.Render())
		if got := page.byID("elsewhere") != nil; got != tc.elsewhere {
			t.Errorf("%s: said another Helm answers %v, want %v", tc.name, got, tc.elsewhere)
		}
		if got := page.byID("usage-total") != nil; got == tc.elsewhere {
			t.Errorf("%s: figures shown %v", tc.name, got)
		}
	}
}

// byID is the element under e with id, or nil.
func (e *elem) byID(id string) *elem {
	for _, k := range e.kids {
		if k.tag != "" && k.attrs["id"] == id {
			return k
		}
		if f := k.byID(id); f != nil {
			return f
		}
	}
	return nil
}

// With no block running, the page says why, truly: the last block ended,
// when and at what cost, though it was spent on within the last 5 hours;
// "nothing spent in the last 5 hours" only when the server knows of no
// block in the time it looks back over.
func TestUsageNoBlockSaysWhy(t *testing.T) {
	readAt := time.Date(2026, 3, 3, 5, 34, 0, 0, time.Local)
	ended := time.Date(2026, 3, 3, 5, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		name  string
		block usageBlock
		want  string
	}{
		{"the last block ended", usageBlock{Now: readAt.UnixMilli(), Last: &shared.UsageSpan{
			Start: ended.Add(-5 * time.Hour).UnixMilli(), End: ended.UnixMilli(), UsageTotals: shared.UsageTotals{CostUSD: 2.81}}},
			"No block running: the last one ended at Tue 05:00 ($2.81)."},
		{"it ended this instant, at no cost (tokens of an unpriced model)", usageBlock{Now: ended.UnixMilli(), Last: &shared.UsageSpan{
			Start: ended.Add(-5 * time.Hour).UnixMilli(), End: ended.UnixMilli()}},
			"No block running: the last one ended at Tue 05:00 ($0.00)."},
		{"nothing known", usageBlock{Now: readAt.UnixMilli()}, "No block running: nothing spent in the last 5 hours."},
	} {
		p := usagePageWith(readAt, nil)
		p.shown.block = tc.block
		page := renderUI(t, p.Render())
		got := page.byID("block-none")
		if got == nil || got.content() != tc.want {
			t.Errorf("%s: the block says %v, want %q", tc.name, got, tc.want)
		}
		if page.byID("block-cost") != nil || page.byID("block-burn") != nil {
			t.Errorf("%s: a block that does not run has figures", tc.name)
		}
	}
}

// A block whose use does not yet span long enough for a rate (one
// response, or a few within minutes) shows no burn rate and no
// projection, only that it is too early and when the block ends; one
// that does shows both.
func TestUsageBlockRate(t *testing.T) {
	readAt := time.Date(2026, 3, 3, 9, 10, 0, 0, time.Local)
	start := time.Date(2026, 3, 3, 9, 0, 0, 0, time.Local)
	block := usageBlock{Active: true, Now: readAt.UnixMilli(), ProjectedUSD: 22.5, UsageSpan: shared.UsageSpan{
		Start: start.UnixMilli(), End: start.Add(5 * time.Hour).UnixMilli(), UsageTotals: shared.UsageTotals{CostUSD: 22.5}}}
	for _, tc := range []struct {
		name                  string
		rate                  bool
		burn, projected, ends string // "": no such figure
	}{
		{"one response", false, noRate, "", "Tue 14:00 (4 h 50 min left)"},
		{"use over an hour", true, "$9.00 per hour", "$60.00 at Tue 14:00 (4 h 50 min left)", ""},
	} {
		b := block
		if b.HasRate = tc.rate; tc.rate {
			b.BurnUSDPerHour, b.ProjectedUSD = 9, 60
		}
		p := usagePageWith(readAt, nil)
		p.shown.block = b
		page := renderUI(t, p.Render())
		text := func(id string) string {
			if e := page.byID(id); e != nil {
				return e.content()
			}
			return ""
		}
		if got := text("block-cost"); got != "$22.50" {
			t.Errorf("%s: spent %q, want $22.50", tc.name, got)
		}
		if got, got2, got3 := text("block-burn"), text("block-projected"), text("block-ends"); got != tc.burn || got2 != tc.projected || got3 != tc.ends {
			t.Errorf("%s: burn %q, projected %q, ends %q; want %q, %q, %q", tc.name, got, got2, got3, tc.burn, tc.projected, tc.ends)
		}
	}
}

// A block that used a model without a price is not as cheap as its
// figures: what it spent, its rate and projection say "+ unpriced" (or
// "unpriced" when nothing in it had a price), and a line under them
// says how many tokens they leave out; an ended block says so too. A
// block of priced models says none of it.
func TestUsageBlockSaysUnpriced(t *testing.T) {
	readAt := time.Date(2026, 3, 3, 10, 0, 0, 0, time.Local)
	start := time.Date(2026, 3, 3, 9, 0, 0, 0, time.Local)
	span := shared.UsageSpan{Start: start.UnixMilli(), End: start.Add(5 * time.Hour).UnixMilli(),
		UsageTotals: shared.UsageTotals{CostUSD: 2, UnpricedTokens: 10_000}}
	text := func(page *elem, id string) string {
		if e := page.byID(id); e != nil {
			return e.content()
		}
		return ""
	}
	for _, tc := range []struct {
		name                         string
		costUSD                      float64
		unpriced                     int
		spent, burn, projected, note string
	}{
		{"some unpriced", 2, 10_000, "$2.00 + unpriced", "$2.00 + unpriced per hour", "$10.00 + unpriced at Tue 14:00 (4 h left)",
			"10k tokens of this block are of models Helm has no price for: these figures leave their cost out."},
		{"all unpriced", 0, 10_000, "unpriced", "unpriced", "unpriced at Tue 14:00 (4 h left)",
			"10k tokens of this block are of models Helm has no price for: these figures leave their cost out."},
		{"all priced", 2, 0, "$2.00", "$2.00 per hour", "$10.00 at Tue 14:00 (4 h left)", ""},
	} {
		b := usageBlock{Active: true, Now: readAt.UnixMilli(), HasRate: true, BurnUSDPerHour: tc.costUSD, ProjectedUSD: 5 * tc.costUSD, UsageSpan: span}
		b.CostUSD, b.UnpricedTokens = tc.costUSD, tc.unpriced
		p := usagePageWith(readAt, nil)
		p.now = readAt
		p.shown.block = b
		page := renderUI(t, p.Render())
		if got := text(page, "block-cost"); got != tc.spent {
			t.Errorf("%s: spent %q, want %q", tc.name, got, tc.spent)
		}
		if got := text(page, "block-burn"); got != tc.burn {
			t.Errorf("%s: burn %q, want %q", tc.name, got, tc.burn)
		}
		if got := text(page, "block-projected"); got != tc.projected {
			t.Errorf("%s: projected %q, want %q", tc.name, got, tc.projected)
		}
		if got := text(page, "block-unpriced"); got != tc.note {
			t.Errorf("%s: note %q, want %q", tc.name, got, tc.note)
		}
	}

	p := usagePageWith(readAt, nil)
	last := span
	p.shown.block = usageBlock{Now: readAt.Add(5 * time.Hour).UnixMilli(), Last: &last}
	const want = "No block running: the last one ended at Tue 14:00 ($2.00 + unpriced)."
	if got := text(renderUI(t, p.Render()), "block-none"); got != want {
		t.Errorf("ended: %q, want %q", got, want)
	}
}
