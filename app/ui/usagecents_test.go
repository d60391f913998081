package ui

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// cellCents reads a table's cost ("$1,234.56", "<$0.01" as 0, "$1.20 +
// unpriced" as its figure) in cents; ok is false for a figure not to
// the cent ("$151").
func cellCents(cell string) (c int64, ok bool) {
	cell = strings.TrimSuffix(cell, " + unpriced")
	if cell == "<$0.01" {
		return 0, true
	}
	var d, cc int64
	if _, err := fmt.Sscanf(strings.ReplaceAll(strings.TrimPrefix(cell, "$"), ",", ""), "%d.%02d", &d, &cc); err != nil {
		return 0, false
	}
	return d*100 + cc, true
}

// footedPage is a usage page whose 30 days cost $150.654: $150.40,
// $0.125 twice and $0.004, by day, project, model and source. Rounded
// each on its own, and to the dollar from $100, its figures read $150,
// $0.13, $0.13 and <$0.01 under a total of $151.
func footedPage(readAt time.Time) *UsagePage {
	costs := []float64{150.4, 0.125, 0.125, 0.004}
	const opus, sonnet = "claude-opus-4-1", "claude-sonnet-4-5"
	spent := shared.Tokens{Input: 10, Output: 10}
	total := shared.UsageTotals{CostUSD: 150.654, Tokens: shared.Tokens{Input: 40, Output: 40}}
	var days, projects []usageBucket
	for i, c := range costs {
		day := readAt.In(time.Local).AddDate(0, 0, i-len(costs)+1).Format(time.DateOnly)
		byModel := map[string]float64{opus: c}
		if c < 1 { // a day of two models at half its cost each
			byModel = map[string]float64{opus: c / 2, sonnet: c / 2}
		}
		days = append(days, usageBucket{Key: day, CostUSD: c, Tokens: spent, ByModel: byModel,
			TokensByModel: map[string]int{opus: spent.Total()}})
		projects = append(projects, usageBucket{Key: fmt.Sprintf("/home/dev/p%d", i), CostUSD: c, Tokens: spent})
	}
	p := NewUsagePage(Which{})
	p.shown = usageData{at: readAt,
		days:     usageReport{By: "day", Buckets: days, Total: total},
		projects: usageReport{By: "project", Buckets: projects, Total: total},
		models: usageReport{By: "model", Total: total, Buckets: []usageBucket{
			{Key: opus, CostUSD: 150.4, Tokens: spent}, {Key: sonnet, CostUSD: 0.254, Tokens: spent}}},
		sources: usageReport{By: "source", Total: total, Buckets: []usageBucket{{Key: "claude", CostUSD: 150.654, Tokens: total.Tokens}}},
	}
	p.readAt, p.now = readAt, readAt
	return p
}

// A reader who adds up a cost table of the usage page finds its total,
// to the cent, as `helmd usage`'s TOTAL (shared.FootCents): each table
// (by day, project, model, source) adds up to the 30 days' total the
// summary says and its own Total row, each row within a cent of what it
// cost; a day's costs by model add up to the day's.
func TestUsageTablesAddUp(t *testing.T) {
	readAt := time.Date(2026, 3, 10, 12, 0, 0, 0, time.Local)
	page := renderUI(t, footedPage(readAt).Render())
	if total := page.byID("usage-total"); total == nil || !strings.HasPrefix(total.content(), "$150.65 ") {
		t.Errorf("the 30 days' total %v, want $150.65", total)
	}
	figures := regexp.MustCompile(`\$[0-9,.]+|<\$0\.01`)
	for _, id := range []string{"chart-days", "chart-projects", "chart-models", "chart-sources"} {
		section := page.byID(id)
		if section == nil {
			t.Fatalf("no %s", id)
		}
		var sum int64
		var cells []string
		for _, tr := range section.tags("tbody")[0].tags("tr") {
			tds := tr.tags("td")
			cell := tds[0].content()
			cells = append(cells, cell)
			c, ok := cellCents(cell)
			if !ok {
				t.Errorf("%s: a cost of %q, not to the cent", id, cell)
				continue
			}
			sum += c
			if id != "chart-days" || len(tds) < 2 {
				continue
			}
			var parts int64
			for _, f := range figures.FindAllString(tds[1].content(), -1) {
				pc, _ := cellCents(f)
				parts += pc
			}
			if parts != c {
				t.Errorf("%s: a day of %s by model reads %q, adding up to %d cents", id, cell, tds[1].content(), parts)
			}
		}
		if sum != 15065 {
			t.Errorf("%s: costs %q add up to %d cents, want 15065 ($150.65)", id, cells, sum)
		}
		foot := section.tags("tfoot")
		if len(foot) != 1 || len(foot[0].tags("td")) == 0 || foot[0].tags("td")[0].content() != "$150.65" ||
			foot[0].tags("th")[0].content() != "Total" {
			t.Errorf("%s: no Total row reading $150.65: %q", id, contents(foot))
		}
	}
	// Each row within a cent of its cost.
	for i, want := range []float64{150.4, 0.125, 0.125, 0.004} {
		tr := page.byID("chart-projects").tags("tbody")[0].tags("tr")[i]
		if c, _ := cellCents(tr.tags("td")[0].content()); math.Abs(float64(c)-want*100) >= 1 {
			t.Errorf("project %d reads %d cents for $%v", i, c, want)
		}
	}
}

// The summary's week and the block say their amounts to the cent, as
// the tables do, not "$151" from $100 on: this week is what the day
// table's seven rows add up to ($150.40 + $0.13 + $0.13 + <$0.01, the
// two $0.125 days footed up), last week its row; the block's spend, rate
// and projection each to the cent.
func TestUsageSummaryAndBlockToTheCent(t *testing.T) {
	readAt := time.Date(2026, 3, 10, 12, 0, 0, 0, time.Local)
	p := footedPage(readAt)
	d := &p.shown.days
	d.Buckets = append([]usageBucket{{Key: readAt.AddDate(0, 0, -10).Format(time.DateOnly), CostUSD: 120.333,
		Tokens: shared.Tokens{Input: 10}, ByModel: map[string]float64{"claude-opus-4-1": 120.333}}}, d.Buckets...)
	d.Total.CostUSD += 120.333
	start := readAt.Add(-time.Hour)
	p.shown.block = usageBlock{Active: true, Now: readAt.UnixMilli(), HasRate: true, BurnUSDPerHour: 100.126, ProjectedUSD: 250.999,
		UsageSpan: shared.UsageSpan{Start: start.UnixMilli(), End: start.Add(5 * time.Hour).UnixMilli(),
			UsageTotals: shared.UsageTotals{CostUSD: 150.654}}}
	page := renderUI(t, p.Render())
	for id, want := range map[string]string{
		"usage-week":      "$150.66 · +25% on last week ($120.33)",
		"block-cost":      "$150.65",
		"block-burn":      "$100.13 per hour",
		"block-projected": "$251.00 at Tue 16:00 (4 h left)",
	} {
		got := "(none)"
		if e := page.byID(id); e != nil {
			got = e.content()
		}
		if got != want {
			t.Errorf("#%s reads %q, want %q", id, got, want)
		}
	}
}
