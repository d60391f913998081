package e2e

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// longCwd is a project path longer than any label column: only its end,
// the project's own folder, shows.
const longCwd = "/home/dev/clients/northwind-traders/services/billing/payments-reconciliation-worker-with-a-long-name"

// labelJS reads every bar of a bar chart as a reader sees it: its name
// and figure, their boxes, the chart's box, the contrast of each against
// the page behind it (WCAG's ratio), and whether the name is cut: a
// name ending in an ellipsis, or a path showing its end after a "…"
// (shownJS).
const labelJS = `((sel) => {
	const lum = c => { const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 }); return 0.2126 * r + 0.7152 * g + 0.0722 * b };
	const bg = e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; if (!/rgba\(.*, 0\)$/.test(c) && c !== "transparent") return c } return "rgb(255, 255, 255)" };
	const ratio = e => { const a = lum(getComputedStyle(e).color), b = lum(bg(e)); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
	const box = e => e.getBoundingClientRect().toJSON();
	const chart = document.querySelector(sel + " .hbars");
	return [...chart.querySelectorAll(".bar")].map(bar => {
		const name = bar.querySelector(".bar-name"), value = bar.querySelector(".bar-value");
		if (!name || !value) return {key: bar.dataset.key, missing: true};
		const shown = (` + shownJS + `)(name), path = !!name.querySelector(".fit-end");
		return {key: bar.dataset.key, title: bar.title, name: name.textContent, value: value.textContent,
			nameBox: box(name), valueBox: box(value), chart: box(chart), shown: shown.shown,
			nameContrast: ratio(name), valueContrast: ratio(value),
			cut: path ? shown.shown !== shown.text : name.scrollWidth > name.clientWidth,
			ellipsis: path ? shown.mark : getComputedStyle(name).textOverflow === "ellipsis"};
	});
})`

// money is a cost as the page writes it: $0, <$0.01, $1.23, $1,235.
var money = regexp.MustCompile(`^(<?\$[0-9][0-9,]*(\.[0-9]{2})?)$`)

// listNames is how the list names the fixture's models and sources, and
// so the usage page too.
var listNames = map[string]string{sonnetKey: "sonnet 4.5", opusModel: "opus 4.6", "claude": "Claude Code"}

type barLabel struct {
	Key, Title, Name, Value     string
	NameBox, ValueBox, Chart    box
	Shown                       string
	NameContrast, ValueContrast float64
	Cut, Ellipsis, Missing      bool
}

// inside reports whether b is drawn, and within c.
func (b box) inside(c box) bool {
	return b.Width > 0 && b.Height > 0 && b.Left >= c.Left-0.5 && b.Right <= c.Right+0.5 && b.Top >= c.Top-0.5 && b.Bottom <= c.Bottom+0.5
}

// TestBrowserUsageBarLabels: each bar of the project, model and source
// charts is labelled where it is drawn, with its name and its cost, in
// text that passes WCAG AA against the page, light and dark, wide and on
// a phone; a name too long for its column ends in an ellipsis with the
// whole in the tooltip, a path showing its end after a "…". A table wider than the
// phone shows a shade at the edge it can scroll toward, and none once
// scrolled there; a table that fits has none.
func TestBrowserUsageBarLabels(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	now := time.Now()
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.User(sidA, cwd, "short path", now.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.Assistant(sidA, cwd, "msg_a", "end_turn", now))
	fixture.Append(t, fixture.Path(claude, longCwd, sidB), fixture.User(sidB, longCwd, "long path", now.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(claude, longCwd, sidB), strings.Replace(
		fixture.Assistant(sidB, longCwd, "msg_b", "end_turn", now), sonnetModel, opusModel, 1))
	p := serveList(t, claude)

	c := b.tab(t)
	c.navigate(p.URL + "/usage")
	c.waitJS(30*time.Second, "the bar charts", present("#chart-sources .hbars .bar"))

	for _, look := range []struct {
		width  int64
		scheme string
	}{{1280, "light"}, {1280, "dark"}, {375, "light"}, {375, "dark"}} {
		viewport(c, look.width, 900, look.width < 600, look.scheme)
		what := fmt.Sprintf("%d px, %s", look.width, look.scheme)
		for _, chart := range []struct {
			sel  string
			keys []string
		}{{"#chart-projects", []string{cwd, longCwd}}, {"#chart-models", []string{sonnetKey, opusModel}}, {"#chart-sources", []string{"claude"}}} {
			bars := mustEval[[]barLabel](c, labelJS+"("+jsString(chart.sel)+")")
			var keys []string
			for _, l := range bars {
				keys = append(keys, l.Key)
				if l.Missing {
					t.Errorf("%s %s: bar %q has no visible name and value", what, chart.sel, l.Key)
					continue
				}
				// Named as the list names them; a model's tooltip has its whole id.
				name, full := listNames[l.Key], listNames[l.Key]
				if name == "" {
					name, full = l.Key, l.Key
				} else if chart.sel == "#chart-models" {
					full = l.Key
				}
				if l.Name != name || !money.MatchString(l.Value) || l.Title != full+": "+l.Value {
					t.Errorf("%s %s: bar %q reads %q, %q, tooltip %q; want %q, its cost, and %q with it in the tooltip",
						what, chart.sel, l.Key, l.Name, l.Value, l.Title, name, full)
				}
				if !l.NameBox.inside(l.Chart) || !l.ValueBox.inside(l.Chart) || l.NameBox.Right > l.ValueBox.Left {
					t.Errorf("%s %s: bar %q's name %+v and value %+v are not both drawn inside the chart %+v, name first",
						what, chart.sel, l.Key, l.NameBox, l.ValueBox, l.Chart)
				}
				if l.NameContrast < 4.5 || l.ValueContrast < 4.5 {
					t.Errorf("%s %s: bar %q's name contrast %.2f, value %.2f; want 4.5 at least (WCAG AA)",
						what, chart.sel, l.Key, l.NameContrast, l.ValueContrast)
				}
				// The long path is cut at any width, the others only on a
				// phone, and then with an ellipsis.
				long := l.Key == longCwd
				if long && !l.Cut || l.Cut && !l.Ellipsis || l.Cut && !long && look.width > 600 {
					t.Errorf("%s %s: bar %q cut %v (ellipsis %v)", what, chart.sel, l.Key, l.Cut, l.Ellipsis)
				}
				if end, ok := strings.CutPrefix(l.Shown, "…"); long && (!ok || len(end) < 8 || !strings.HasSuffix(l.Key, end)) {
					t.Errorf("%s: the long path reads %q, not … and its end", what, l.Shown)
				}
			}
			if strings.Join(keys, "|") != strings.Join(chart.keys, "|") && strings.Join(keys, "|") != strings.Join([]string{chart.keys[len(chart.keys)-1], chart.keys[0]}, "|") {
				t.Errorf("%s %s: bars %q, want %q", what, chart.sel, keys, chart.keys)
			}
		}
	}
	mustEval[bool](c, `document.querySelector("#chart-projects").scrollIntoView(), true`)
	c.screenshots("usage-labels")

	// The projects table is wider than a phone, the long path's last
	// folder being too long a name for it (a path breaks only after a
	// slash): a shade at the right edge, none at the left; scrolled to the
	// end, the other way round.
	cues := func(chart string) (start, end float64) {
		v := mustEval[[]float64](c, fmt.Sprintf(`[...document.querySelectorAll("%s .usage-table .scroll-cue")].map(e => {
			const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0 ? +getComputedStyle(e).opacity : 0 })`, chart))
		if len(v) != 2 {
			t.Fatalf("%s: %d scroll cues, want 2", chart, len(v))
		}
		return v[0], v[1]
	}
	viewport(c, 375, 900, true, "light")
	if !mustEval[bool](c, present("#chart-projects .usage-table .scroller")) {
		t.Fatal("the projects table scrolls in no box of its own, with no shades")
	}
	if !mustEval[bool](c, `(s => s.scrollWidth > s.clientWidth)(document.querySelector("#chart-projects .scroller"))`) {
		t.Fatal("the projects table fits a phone: nothing to scroll")
	}
	if start, end := cues("#chart-projects"); start > 0.1 || end < 0.9 {
		t.Errorf("projects table at its start on a phone: shades %.2f left, %.2f right; want none left, one right", start, end)
	}
	mustEval[bool](c, `(s => { s.scrollLeft = s.scrollWidth; return true })(document.querySelector("#chart-projects .scroller"))`)
	c.waitJS(5*time.Second, "the shades to follow the scroll", `(([s, e]) => +getComputedStyle(s).opacity > 0.9 && +getComputedStyle(e).opacity < 0.1)(document.querySelectorAll("#chart-projects .scroll-cue"))`)
	viewport(c, 1280, 900, false, "light")
	if mustEval[bool](c, `(s => s.scrollWidth > s.clientWidth)(document.querySelector("#chart-sources .scroller"))`) {
		t.Fatal("the sources table does not fit 1280 px")
	}
	if start, end := cues("#chart-sources"); start != 0 || end != 0 {
		t.Errorf("sources table, which fits: shades %.2f left, %.2f right; want none", start, end)
	}
}

// axisJS reads a day chart's axis as a reader sees it: each name, its
// box, its tick's middle and the middle of the bar of its slot, and the
// chart's box.
const axisJS = `((sel) => {
	const axis = document.querySelector(sel + " .day-axis"), chart = document.querySelector(sel + " svg.chart");
	const bars = [...chart.querySelectorAll("g.bar")];
	const mid = b => (b.left + b.right) / 2;
	return {chart: chart.getBoundingClientRect().toJSON(), names: [...axis.children].flatMap((slot, i) => {
		const day = slot.querySelector(".day");
		if (!day) return [];
		return [{text: day.textContent, day: bars[i].dataset.day, box: day.getBoundingClientRect().toJSON(),
			tick: mid(slot.getBoundingClientRect()), bar: mid(bars[i].querySelector("rect.hit").getBoundingClientRect())}];
	})};
})`

type axisName struct {
	Text, Day string
	Box       box
	Tick, Bar float64
}

// TestBrowserUsageDayAxis: under each day chart, the first day, a day a
// week and the last day are named in short ("Nov 5"), each with a tick
// under its own bar, none overlapping another or spilling past the
// chart, wide and on a phone, light and dark. Each chart's table lists
// only the days with use and says how many had none.
func TestBrowserUsageDayAxis(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	now := time.Now()
	old := now.AddDate(0, 0, -10)
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.User(sidA, cwd, "today", now.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.Assistant(sidA, cwd, "msg_a", "end_turn", now))
	fixture.Append(t, fixture.Path(claude, cwd, sidB), fixture.User(sidB, cwd, "ten days ago", old.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(claude, cwd, sidB), fixture.Assistant(sidB, cwd, "msg_b", "end_turn", old))
	p := serveList(t, claude)

	c := b.tab(t)
	c.navigate(p.URL + "/usage")
	c.waitJS(30*time.Second, "the usage charts", present("#chart-tokens .day-axis .day"))
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	first := now.AddDate(0, 0, -29)

	for _, look := range []struct {
		width  int64
		scheme string
	}{{1280, "light"}, {1280, "dark"}, {390, "light"}, {390, "dark"}, {320, "light"}} {
		viewport(c, look.width, 900, look.width < 600, look.scheme)
		what := fmt.Sprintf("%d px, %s", look.width, look.scheme)
		for _, sel := range []string{"#chart-days", "#chart-tokens"} {
			axis := mustEval[struct {
				Chart box
				Names []axisName
			}](c, axisJS+"("+jsString(sel)+")")
			var days []string
			for i, n := range axis.Names {
				days = append(days, n.Day)
				if want := shortDay(n.Day); n.Text != want {
					t.Errorf("%s %s: the name under %s reads %q, want %q", what, sel, n.Day, n.Text, want)
				}
				if math.Abs(n.Tick-n.Bar) > 1 {
					t.Errorf("%s %s: %q's tick at x=%.1f, its bar at x=%.1f", what, sel, n.Text, n.Tick, n.Bar)
				}
				if n.Box.Width <= 0 || n.Box.Left < axis.Chart.Left-0.5 || n.Box.Right > axis.Chart.Right+0.5 || n.Box.Top < axis.Chart.Bottom {
					t.Errorf("%s %s: %q drawn at %+v, not under the chart %+v", what, sel, n.Text, n.Box, axis.Chart)
				}
				if i > 0 && n.Box.Left < axis.Names[i-1].Box.Right+4 {
					t.Errorf("%s %s: %q (%+v) touches %q (%+v)", what, sel, n.Text, n.Box, axis.Names[i-1].Text, axis.Names[i-1].Box)
				}
			}
			if len(days) < 3 || days[0] != day(first) || days[len(days)-1] != day(now) {
				t.Errorf("%s %s: the axis names %q; want the first day %s, some between, and today %s", what, sel, days, day(first), day(now))
			}
		}
		if look.width == 390 {
			mustEval[bool](c, `document.querySelector("#chart-days").scrollIntoView(), true`)
			c.screenshot("usage-axis-390-" + look.scheme)
		}
	}
	viewport(c, 1280, 900, false, "light")
	mustEval[bool](c, `document.querySelector("#chart-days").scrollIntoView(), true`)
	c.screenshot("usage-axis-1280-light")

	for _, tc := range []struct{ sel, note string }{{"#chart-days", "No spend on the other 28 days."}, {"#chart-tokens", "No tokens on the other 28 days."}} {
		rows := mustEval[[]string](c, `[...document.querySelectorAll("`+tc.sel+` tbody th[scope=row]")].map(th => th.textContent)`)
		if !slices.Equal(rows, []string{day(old), day(now)}) {
			t.Errorf("%s: the table lists %q, want the two days with use, %s and %s", tc.sel, rows, day(old), day(now))
		}
		if got := c.text(tc.sel + " .quiet-days"); got != tc.note {
			t.Errorf("%s: the table says %q of the other days, want %q", tc.sel, got, tc.note)
		}
	}
}

// shortDay is a day as the usage page's axis names it: "Nov 5".
func shortDay(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return d.Format("Jan 2")
}
