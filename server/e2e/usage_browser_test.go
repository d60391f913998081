package e2e

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/internal/fixture"
)

// The models of the usage page's fixture: fixture.Assistant's, and one
// with another price put in its place.
const (
	sonnetModel  = "claude-sonnet-4-5-20250929"
	sonnetKey    = "claude-sonnet-4-5" // what the usage page names it by (shared.ModelKey)
	opusModel    = "claude-opus-4-6"
	hostileModel = `<img src=x onerror="document.title='pwned'">`
)

// TestBrowserUsagePage: /usage draws its charts from GET /api/usage in
// the browser's zone, each with its table; a project path from a
// transcript shows as text; the page fits a phone; and a click on a
// day's bar opens the list filtered to that day.
func TestBrowserUsagePage(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	now := time.Now()
	const hostileCwd = `/home/dev/<img src=x onerror="document.title='pwned'">`
	// A: today, in cwd. B: three days ago, in a project whose path is markup.
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.User(sidA, cwd, "today's work", now.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.Assistant(sidA, cwd, "msg_a", "end_turn", now))
	// and a second response today on another model: both day charts
	// stack two models today (30 tokens each).
	fixture.Append(t, fixture.Path(claude, cwd, sidA), strings.Replace(
		fixture.Assistant(sidA, cwd, "msg_a2", "end_turn", now), sonnetModel, opusModel, 1))
	// and one on a model with no price whose name is markup: tokens, no cost.
	fixture.Append(t, fixture.Path(claude, cwd, sidA), strings.Replace(
		fixture.Assistant(sidA, cwd, "msg_a3", "end_turn", now), sonnetModel, strings.Trim(strconv.Quote(hostileModel), `"`), 1))
	old := now.AddDate(0, 0, -3)
	fixture.Append(t, fixture.Path(claude, hostileCwd, sidB), fixture.User(sidB, hostileCwd, "older work", old.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(claude, hostileCwd, sidB), fixture.Assistant(sidB, hostileCwd, "msg_b", "end_turn", old))
	p := serveList(t, claude)

	c := b.tab(t)
	c.navigate(p.URL + "/usage")
	c.waitJS(30*time.Second, "the usage charts", present("#chart-days svg g.bar"))

	if n := mustEval[int](c, `document.querySelectorAll("#chart-days g.bar").length`); n != 30 {
		t.Errorf("%d day bars, want 30", n)
	}
	today := mustEval[string](c, `(d => d.getFullYear() + "-" + String(d.getMonth()+1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0"))(new Date())`)
	// Both day charts stack today's bar by model, in the same colors; the
	// tokens table says each model's share.
	segments := func(chart string) map[string]string {
		return mustEval[map[string]string](c, fmt.Sprintf(`Object.fromEntries([...document.querySelectorAll('%s g.bar[data-day=%q] rect[fill]')].map(r => [r.dataset.model, r.getAttribute("fill")]))`, chart, today))
	}
	costSegs, tokenSegs := segments("#chart-days"), segments("#chart-tokens")
	if len(costSegs) != 2 || costSegs[sonnetKey] == "" || costSegs[opusModel] == "" {
		t.Errorf("today's cost bar (%s): segments %v, want %s and %s", today, costSegs, sonnetKey, opusModel)
	}
	unpriced := tokenSegs[hostileModel]
	delete(tokenSegs, hostileModel)
	if !maps.Equal(tokenSegs, costSegs) || unpriced == "" || unpriced == costSegs[sonnetKey] || unpriced == costSegs[opusModel] {
		t.Errorf("today's tokens bar: segments %v and %q for the unpriced model; want the cost bar's %v, and a color of its own",
			tokenSegs, unpriced, costSegs)
	}
	if n := mustEval[int](c, `document.querySelectorAll("#chart-tokens g.bar").length`); n != 30 {
		t.Errorf("%d token bars, want 30", n)
	}
	head := mustEval[string](c, `document.querySelector("#chart-tokens table thead").textContent`)
	row := mustEval[string](c, fmt.Sprintf(`[...document.querySelectorAll("#chart-tokens table tbody tr")].find(tr => tr.querySelector("th").textContent === %q)?.lastElementChild.textContent ?? ""`, today))
	if !strings.Contains(head, "By model") || !strings.Contains(row, "sonnet 4.5: 30 · ") || !strings.Contains(row, "opus 4.6: 30") ||
		!strings.Contains(row, hostileModel+": 30") {
		t.Errorf("tokens table: head %q, today's by-model cell %q; want each model's 30 tokens, named as the list names it", head, row)
	}
	// The legend names the models as the list does, each whole in its tooltip.
	legend := mustEval[[]string](c, `[...document.querySelectorAll("#chart-days .legend a")].map(a => a.textContent + " (" + a.title + ")")`)
	for _, want := range []string{"sonnet 4.5 (" + sonnetKey + ")", "opus 4.6 (" + opusModel + ")", hostileModel + " (" + hostileModel + ")"} {
		if !slices.Contains(legend, want) {
			t.Errorf("the cost chart's legend reads %q, want %q among them", legend, want)
		}
	}
	for _, sec := range []string{"#chart-tokens", "#chart-projects", "#chart-models", "#chart-sources"} {
		if !mustEval[bool](c, present(sec+" svg")+" && "+present(sec+" table tbody tr")) {
			t.Errorf("%s: no chart or no table", sec)
		}
	}
	projects := mustEval[string](c, `document.querySelector("#chart-projects table").textContent`)
	if !strings.Contains(projects, hostileCwd) || !strings.Contains(projects, cwd) {
		t.Errorf("projects table %q lacks the two projects", projects)
	}
	if mustEval[bool](c, present("#usage-page main img")) || mustEval[string](c, `document.title`) == "pwned" {
		t.Error("a project path from a transcript became markup")
	}
	// Every response is of now: a block runs, too young for a rate
	// (usage_block_browser_test.go has the rest).
	if !mustEval[bool](c, present("#block-cost")+" && "+present("#block-ends")) {
		t.Errorf("no current block: %q", mustEval[string](c, `document.querySelector("#usage-block").textContent`))
	}
	if left := mustEval[string](c, `document.getElementById("block-ends").textContent`); !regexp.MustCompile(`\((\d+ h( \d{1,2} min)?|\d+ min|\d+ s) left\)$`).MatchString(left) {
		t.Errorf("the block's time left reads %q, want it in the page's words (\"4 h 5 min left\")", left)
	}
	// Of thirty days, the table lists the two with use, today last, and
	// says the others had none.
	listed := mustEval[[]string](c, `[...document.querySelectorAll("#chart-days tbody th")].map(th => th.textContent)`)
	if len(listed) != 2 || listed[1] != today {
		t.Errorf("the days table lists %v: want the two days with use, today (%s) last", listed, today)
	}
	if note := c.text("#chart-days .quiet-days"); note != "No spend on the other 28 days." {
		t.Errorf("the days table says %q of the days without use", note)
	}
	// Contrast, in light and dark: charts, tables and links included.
	if axe := axeIfPresent(t); axe != "" {
		for _, scheme := range []string{"light", "dark"} {
			viewport(c, 1280, 900, false, scheme)
			axeCheck(t, c, axe, "usage, "+scheme, 40)
		}
		viewport(c, 1280, 900, false, "light")
	}

	// Dark mode changes the page's colours; a phone's width needs no
	// sideways scrolling of the page (tables scroll on their own).
	bg := func() string { return mustEval[string](c, `getComputedStyle(document.body).backgroundColor`) }
	light := bg()
	c.do(10*time.Second, "dark mode", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	}))
	if dark := bg(); dark == light {
		t.Errorf("background %s in dark mode as in light", dark)
	}
	c.do(10*time.Second, "phone width", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: 375, Height: 812, DeviceScaleFactor: 2, Mobile: true})
		return err
	}))
	c.waitJS(5*time.Second, "the page to fit 375 px", `document.documentElement.scrollWidth <= 375`)
	c.screenshots("usage")

	// A click on today's bar: the list of today's sessions.
	if !mustEval[bool](c, fmt.Sprintf(`(g => { if (!g) return false; g.dispatchEvent(new MouseEvent("click", {bubbles: true})); return true })(document.querySelector('#chart-days g.bar[data-day=%q]'))`, today)) {
		t.Fatal("no bar for today")
	}
	c.waitJS(10*time.Second, "the list filtered to today", fmt.Sprintf(`location.pathname === "/" && new URLSearchParams(location.search).get("day") === %q`, today))
	waitRows(c, "today's sessions only", sidA)
	c.waitJS(5*time.Second, "the count to say the view is filtered", hasText("#count", "1 of 2 sessions"))
	// The day shows as a filter of its own, and its × drops it alone.
	c.waitJS(5*time.Second, "the day's filter shown", hasText(`#chips .chip[data-filter="day"] span`, "Active on "+today))
	click(c, `#chips .chip[data-filter="day"] button`)
	c.waitJS(10*time.Second, "the day's filter dropped", `!new URLSearchParams(location.search).has("day") && !document.querySelector("#chips .chip")`)
	waitRows(c, "every session again", sidA, sidB)
}

// modelFillsJS is the fill of each model wherever the page draws it:
// both day charts' legends and bars, and the models chart, each model's
// distinct fills and the first legend's order.
const modelFillsJS = `(() => {
	const fills = {}, put = (m, f) => { fills[m] = [...new Set([...(fills[m] || []), f])].sort() };
	for (const sel of ["#chart-days", "#chart-tokens"]) {
		document.querySelectorAll(sel + " .legend li").forEach(li => put(li.querySelector("a").title, li.querySelector("rect").getAttribute("fill")));
		document.querySelectorAll(sel + " g.bar rect[data-model]").forEach(r => put(r.dataset.model, r.getAttribute("fill")));
	}
	document.querySelectorAll("#chart-models .bar").forEach(b => put(b.dataset.key, b.querySelector("rect").getAttribute("fill")));
	return {fills, legend: [...document.querySelectorAll("#chart-days .legend a")].map(a => a.title)};
})()`

type modelFills struct {
	Fills  map[string][]string
	Legend []string
}

// TestBrowserUsageModelColors: a model keeps its color from one load of
// the page to the next, though the spending has moved and the legend,
// ranked by cost, lists it in another place; in every chart and legend
// it is the one color.
func TestBrowserUsageModelColors(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	now := time.Now()
	path := fixture.Path(claude, cwd, sidA)
	opus := func(id string) string {
		return strings.Replace(fixture.Assistant(sidA, cwd, id, "end_turn", now), sonnetModel, opusModel, 1)
	}
	// Sonnet costs the most: first in the legend.
	fixture.Append(t, path, fixture.User(sidA, cwd, "today's work", now.Add(-time.Minute)))
	fixture.Append(t, path, fixture.Assistant(sidA, cwd, "msg_s1", "end_turn", now))
	fixture.Append(t, path, fixture.Assistant(sidA, cwd, "msg_s2", "end_turn", now))
	fixture.Append(t, path, opus("msg_o1"))
	p := serveList(t, claude)

	c := b.tab(t)
	// ?refresh=1s: a page loaded before the server has read the new
	// spending reads it again a second later.
	c.navigate(p.URL + "/usage?refresh=1s")
	c.waitJS(30*time.Second, "sonnet first in the legend", fmt.Sprintf(`document.querySelector("#chart-days .legend a")?.title === %q`, sonnetKey))
	first := mustEval[modelFills](c, modelFillsJS)

	// Opus overtakes it; the page is loaded again.
	fixture.Append(t, path, opus("msg_o2"))
	fixture.Append(t, path, opus("msg_o3"))
	c.navigate(p.URL + "/usage?refresh=1s")
	c.waitJS(30*time.Second, "opus first in the legend", fmt.Sprintf(`document.querySelector("#chart-days .legend a")?.title === %q`, opusModel))
	again := mustEval[modelFills](c, modelFillsJS)

	for _, load := range []modelFills{first, again} {
		for _, m := range []string{sonnetKey, opusModel} {
			if len(load.Fills[m]) != 1 {
				t.Errorf("legend %q: %s is drawn in %q; want one color in every chart and legend", load.Legend, m, load.Fills[m])
			}
		}
	}
	if !slices.Equal(first.Fills[sonnetKey], again.Fills[sonnetKey]) || !slices.Equal(first.Fills[opusModel], again.Fills[opusModel]) ||
		slices.Equal(first.Fills[sonnetKey], first.Fills[opusModel]) {
		t.Errorf("sonnet %q and opus %q with the legend %q; after a reload, sonnet %q and opus %q with the legend %q: want each model its own color, the same",
			first.Fills[sonnetKey], first.Fills[opusModel], first.Legend, again.Fills[sonnetKey], again.Fills[opusModel], again.Legend)
	}
}

// TestBrowserUsageInTheBrowsersZone: days are the browser's days. In a
// browser at UTC+14 (Pacific/Kiritimati), a response written at 11:00
// UTC falls on the next day: its spend is on that day's bar, not on the
// UTC day's, and a click on the bar lists it, as a click on its project's
// and its model's bars does.
func TestBrowserUsageInTheBrowsersZone(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	now := time.Now().UTC()
	at := time.Date(now.Year(), now.Month(), now.Day(), 11, 0, 0, 0, time.UTC)
	if at.After(now.Add(-time.Minute)) {
		at = at.AddDate(0, 0, -1)
	}
	zone, err := time.LoadLocation("Pacific/Kiritimati")
	if err != nil {
		t.Fatal(err)
	}
	utcDay, localDay := at.Format(time.DateOnly), at.In(zone).Format(time.DateOnly)
	if utcDay == localDay {
		t.Fatalf("%s is %s in Kiritimati too", at, localDay)
	}
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.User(sidA, cwd, "late in UTC", at.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.Assistant(sidA, cwd, "msg_z", "end_turn", at))
	// B: another project and model, three days before, so that each bar
	// filters something out.
	const otherCwd = "/home/dev/other"
	old := at.AddDate(0, 0, -3)
	fixture.Append(t, fixture.Path(claude, otherCwd, sidB), fixture.User(sidB, otherCwd, "older", old.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(claude, otherCwd, sidB), strings.Replace(
		fixture.Assistant(sidB, otherCwd, "msg_o", "end_turn", old), sonnetModel, opusModel, 1))
	p := serveList(t, claude)

	c := b.tab(t)
	c.do(10*time.Second, "the browser's zone", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Pacific/Kiritimati"})
		return err
	}))
	c.navigate(p.URL + "/usage")
	c.waitJS(30*time.Second, "the usage charts", present("#chart-days svg g.bar"))
	if z := mustEval[string](c, `Intl.DateTimeFormat().resolvedOptions().timeZone`); z != "Pacific/Kiritimati" {
		t.Fatalf("the browser's zone is %q", z)
	}
	spent := func(day string) bool {
		return mustEval[bool](c, fmt.Sprintf(`!!document.querySelector('#chart-days g.bar[data-day=%q] rect[fill]')`, day))
	}
	if !spent(localDay) || spent(utcDay) {
		t.Fatalf("spend on %s (the browser's day) %v, on %s (UTC's) %v: want it on the browser's day only",
			localDay, spent(localDay), utcDay, spent(utcDay))
	}

	clickThrough := func(sel, key, value string) {
		t.Helper()
		c.navigate(p.URL + "/usage")
		c.waitJS(30*time.Second, "the usage charts", present(sel))
		if !mustEval[bool](c, fmt.Sprintf(`(g => { g.dispatchEvent(new MouseEvent("click", {bubbles: true})); return true })(document.querySelector(%s))`, jsString(sel))) {
			t.Fatalf("no %s", sel)
		}
		c.waitJS(10*time.Second, "the list filtered by "+key, fmt.Sprintf(`location.pathname === "/" && new URLSearchParams(location.search).get(%s) === %s`,
			jsString(key), jsString(value)))
		waitRows(c, "the sessions of "+value, sidA)
	}
	clickThrough(fmt.Sprintf(`#chart-days g.bar[data-day=%q]`, localDay), "day", localDay)
	clickThrough(fmt.Sprintf(`#chart-projects .bar[data-key=%q]`, cwd), "project", cwd)
	clickThrough(fmt.Sprintf(`#chart-models .bar[data-key=%q]`, sonnetKey), "model", sonnetKey)
}

// TestBrowserUsageHeaderNamesItsHelm: the usage page's header names the
// machine and marks a demo, as the list's does, opened by its address
// (the server's render, then the client's) and from the list (the
// client's alone); the list reached back from it still names them. On a
// 390 px phone the header keeps the page's title, Usage, beside them,
// and nothing in it spills past the screen.
func TestBrowserUsageHeaderNamesItsHelm(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	p := startBinary(t, t.TempDir(), "--port", "0", "--demo", "--host-name", "vm", "--keepalive", "2s")
	needClient(t, p)
	c := b.tab(t)
	marked := func(what string) {
		t.Helper()
		c.waitJS(10*time.Second, what+": the machine and the demo mark", present("#usage-page")+" && "+
			hasText("header.top #host", "vm")+" && "+hasText("header.top #demo", "Demo"))
	}
	c.navigate(p.URL + "/usage")
	c.waitJS(30*time.Second, "the usage charts", present("#chart-days svg g.bar"))
	if title := mustEval[string](c, `document.title`); title != "Usage · Helm · Demo" {
		t.Errorf("the tab is named %q, want Usage · Helm · Demo", title)
	}

	viewport(c, 390, 844, true, "light")
	type shown struct {
		Text               string
		Left, Right, Width float64
	}
	for _, sel := range []string{"header.top .brand", "header.top #host", "header.top #demo", "#to-sessions", "#usage-reload"} {
		s := mustEval[shown](c, fmt.Sprintf(`(e => { if (!e) return {}; const b = e.getBoundingClientRect(); return {text: e.innerText, left: b.left, right: b.right, width: b.width} })(document.querySelector(%s))`, jsString(sel)))
		if s.Width <= 0 || s.Left < 0 || s.Right > 390 {
			t.Errorf("390 px: %s is not shown within the screen: %+v", sel, s)
		}
		if sel == "header.top .brand" && strings.TrimSpace(s.Text) != "Usage" {
			t.Errorf("390 px: the header's title reads %q, want Usage", s.Text)
		}
	}
	c.screenshot("usage-header-390-light")
	viewport(c, 390, 844, true, "dark")
	c.screenshot("usage-header-390-dark")
	viewport(c, 1280, 900, false, "dark")
	c.screenshot("usage-header-1280-dark")
	viewport(c, 1280, 900, false, "light")
	c.screenshot("usage-header-1280-light")
	marked("the usage page, opened by its address")

	click(c, "#to-sessions")
	c.waitJS(10*time.Second, "the list", `location.pathname === "/" && !!document.querySelector("li.session")`)
	c.waitJS(10*time.Second, "the list, back from the usage page, names its Helm", hasText("#host", "vm")+" && "+present("#demo"))
	click(c, "#to-usage")
	c.waitJS(10*time.Second, "the usage page, from the list", `location.pathname === "/usage"`)
	marked("the usage page, from the list")
}
