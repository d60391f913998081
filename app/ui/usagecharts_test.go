package ui

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/shared"
)

// chartHost renders one element tree in a test engine.
type chartHost struct {
	app.Compo
	ui app.UI
}

func (h *chartHost) Render() app.UI { return h.ui }

// elem is an element of rendered HTML, enough of it to read a chart.
type elem struct {
	tag   string
	attrs map[string]string
	kids  []*elem
	text  string // for a text node (tag "")
}

var (
	tagRE  = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*(/?)>`)
	attrRE = regexp.MustCompile(`([^\s=>]+)(?:="([^"]*)")?`)
	voids  = map[string]bool{"img": true, "br": true, "input": true, "meta": true, "link": true}
)

// parseHTML reads go-app's printed HTML (well formed: every tag closed)
// into a tree under a root element.
func parseHTML(t *testing.T, s string) *elem {
	t.Helper()
	root := &elem{tag: "root"}
	stack := []*elem{root}
	last := 0
	for _, m := range tagRE.FindAllStringSubmatchIndex(s, -1) {
		top := stack[len(stack)-1]
		if txt := strings.TrimSpace(s[last:m[0]]); txt != "" {
			top.kids = append(top.kids, &elem{text: html.UnescapeString(txt)})
		}
		last = m[1]
		tag := s[m[4]:m[5]]
		if m[3] > m[2] { // a closing tag
			if top.tag != tag {
				t.Fatalf("</%s> closes <%s>", tag, top.tag)
			}
			stack = stack[:len(stack)-1]
			continue
		}
		e := &elem{tag: tag, attrs: map[string]string{}}
		for _, a := range attrRE.FindAllStringSubmatch(s[m[6]:m[7]], -1) {
			e.attrs[a[1]] = html.UnescapeString(a[2])
		}
		top.kids = append(top.kids, e)
		if !voids[tag] && m[9] == m[8] {
			stack = append(stack, e)
		}
	}
	return root
}

func (e *elem) hasClass(c string) bool { return slices.Contains(strings.Fields(e.attrs["class"]), c) }

// all is every element under e (e excluded) with class c, in order.
func (e *elem) all(c string) []*elem {
	var out []*elem
	for _, k := range e.kids {
		if k.tag != "" && k.hasClass(c) {
			out = append(out, k)
		}
		out = append(out, k.all(c)...)
	}
	return out
}

// content is e's text as a reader reads it.
func (e *elem) content() string {
	if e.tag == "" {
		return e.text
	}
	var b strings.Builder
	for _, k := range e.kids {
		b.WriteString(k.content())
	}
	return b.String()
}

func (e *elem) hasTag(tag string) bool {
	for _, k := range e.kids {
		if k.tag == tag || k.hasTag(tag) {
			return true
		}
	}
	return false
}

func renderUI(t *testing.T, ui app.UI) *elem {
	t.Helper()
	h := &chartHost{ui: ui}
	e := app.NewTestEngine()
	if err := e.Load(h); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	return parseHTML(t, app.HTMLString(h))
}

// Each bar of a project, model or source chart carries its name, in the
// list's words (a model "opus 4.6", a source "Claude Code"), and its cost
// as visible text, the whole of both in its tooltip (a model's full id);
// a project's path is laid out to keep its end (pathFit), the folded
// rest is not a path; a name that is markup stays text. The chart is a
// list of its bars, each read whole.
func TestBarChartLabels(t *testing.T) {
	const hostile = `<img src=x onerror="alert(1)">`
	for _, tc := range []struct {
		filter      string
		keys        []string
		names, full []string // shown, and in the tooltip
	}{
		{"project", []string{"/home/dev/webapp", "/home/dev/" + hostile},
			[]string{"/home/dev/webapp", "/home/dev/" + hostile}, []string{"/home/dev/webapp", "/home/dev/" + hostile}},
		{"model", []string{"claude-sonnet-4-5-20250929", "gpt-5", hostile},
			[]string{"sonnet 4.5", "gpt 5", hostile}, []string{"claude-sonnet-4-5-20250929", "gpt-5", hostile}},
		{"source", []string{"claude", "opencode"},
			[]string{"Claude Code", "OpenCode"}, []string{"Claude Code", "OpenCode"}},
	} {
		var buckets []usageBucket
		for i, k := range tc.keys {
			buckets = append(buckets, usageBucket{Key: k, CostUSD: 12.5 / float64(i+1)})
		}
		page := renderUI(t, barChart(tc.filter+"s", "Cost per "+tc.filter, tc.filter, buckets, folded{}, palette(tc.keys), shared.UsageTotals{}))
		if page.hasTag("img") {
			t.Errorf("%s: a name became markup", tc.filter)
		}
		charts := page.all("hbars")
		if len(charts) != 1 {
			t.Fatalf("%s: %d bar charts", tc.filter, len(charts))
		}
		if role := charts[0].attrs["role"]; role != "list" {
			t.Errorf("%s: the chart's role is %q, want list", tc.filter, role)
		}
		bars := charts[0].all("bar")
		if len(bars) != len(tc.keys) {
			t.Fatalf("%s: %d bars, want %d", tc.filter, len(bars), len(tc.keys))
		}
		for i, bar := range bars {
			key, name, want := tc.keys[i], tc.names[i], cost(buckets[i].CostUSD)
			names, values := bar.all("bar-name"), bar.all("bar-value")
			if len(names) != 1 || len(values) != 1 || names[0].content() != name || values[0].content() != want {
				t.Errorf("%s bar %d: labels %q, %q; want %q and %q", tc.filter, i, contents(names), contents(values), name, want)
				continue
			}
			if title := bar.attrs["title"]; title != tc.full[i]+": "+want {
				t.Errorf("%s bar %d: tooltip %q, want %q", tc.filter, i, title, tc.full[i]+": "+want)
			}
			if bar.attrs["data-key"] != key {
				t.Errorf("%s bar %d: data-key %q, want the id %q (its link filters by it)", tc.filter, i, bar.attrs["data-key"], key)
			}
			if isPath := names[0].hasClass("path") && len(names[0].all("fit-end")) == 1; isPath != (tc.filter == "project") {
				t.Errorf("%s bar %d: name laid out as a path %v", tc.filter, i, isPath)
			}
			if role := bar.attrs["role"]; role != "listitem" {
				t.Errorf("%s bar %d: role %q, want listitem (its name and figure read)", tc.filter, i, role)
			}
		}
	}
}

// The figures' table names models and sources as the bars do, the
// whole id in the link's tooltip; the link filters by the id.
func TestBarChartTableNames(t *testing.T) {
	buckets := []usageBucket{{Key: "claude-opus-4-1-20250805", CostUSD: 2}, {Key: "opencode", CostUSD: 1}}
	for _, tc := range []struct{ filter, key, name, title, href string }{
		{"model", buckets[0].Key, "opus 4.1", buckets[0].Key, "/?model=claude-opus-4-1-20250805"},
		{"source", buckets[1].Key, "OpenCode", "OpenCode", "/?source=opencode"},
	} {
		page := renderUI(t, barChart("x", "Cost", tc.filter, buckets, folded{}, nil, shared.UsageTotals{}))
		var links []string
		for _, a := range page.tags("a") {
			if a.attrs["href"] == tc.href {
				links = append(links, a.content()+" titled "+a.attrs["title"])
			}
		}
		if want := tc.name + " titled " + tc.title; !slices.Equal(links, []string{want}) {
			t.Errorf("%s: the table's links to %s read %q, want %q", tc.filter, tc.href, links, want)
		}
	}
}

// In the figures' table a project's path may wrap only after a slash,
// and a token count only after its dot: the path's link holds it whole,
// as text, in parts each up to and with a slash (the root's staying with
// the first folder), a <wbr> between; the count is two parts.
func TestBarChartTableBreaks(t *testing.T) {
	const path = `/home/dev/notes/blog posts/<img src=x onerror="alert(1)">`
	tokens := shared.Tokens{Input: 1500, Output: 200, CacheRead: 12_000}
	page := renderUI(t, barChart("projects", "Cost per project", "project", []usageBucket{{Key: path, CostUSD: 1, Tokens: tokens}}, folded{}, nil, shared.UsageTotals{}))
	if page.hasTag("img") {
		t.Error("a path became markup")
	}
	tables := page.tags("table")
	if len(tables) != 1 || len(tables[0].tags("a")) != 1 {
		t.Fatalf("%d tables, want one with one link", len(tables))
	}
	var parts []string
	for _, k := range tables[0].tags("a")[0].kids {
		parts = append(parts, k.tag+":"+k.content())
	}
	want := []string{"span:/home/", "wbr:", "span:dev/", "wbr:", "span:notes/", "wbr:", "span:blog posts/", "wbr:", `span:<img src=x onerror="alert(1)">`}
	if !slices.Equal(parts, want) {
		t.Errorf("the path's link holds %q, want %q", parts, want)
	}
	var cell []string
	for _, td := range tables[0].tags("tbody")[0].all("tokens") { // the bucket's, not the Total row's
		cell = append(cell, contents(td.all("part"))...)
	}
	if want := []string{"1.7k tokens ·", "12k cached"}; !slices.Equal(cell, want) {
		t.Errorf("the tokens cell's parts: %q, want %q", cell, want)
	}
}

// A day chart's legend and its table's "By model" cells name each model
// as the list does, the legend's tooltip the whole id.
func TestDayChartModelNames(t *testing.T) {
	const sonnet, gpt = "claude-sonnet-4-5-20250929", "gpt-5"
	rows := []dayRow{{Day: "2026-11-05", Cost: 3, Models: []modelPart{{sonnet, 2}, {gpt, 1}}}}
	page := renderUI(t, dayChart(rows, []string{sonnet, gpt}, palette([]string{sonnet, gpt}), nil, shared.UsageTotals{}))
	var legend []string
	for _, a := range page.all("legend")[0].tags("a") {
		legend = append(legend, a.content()+" ("+a.attrs["title"]+")")
	}
	if want := []string{"sonnet 4.5 (" + sonnet + ")", "gpt 5 (" + gpt + ")"}; !slices.Equal(legend, want) {
		t.Errorf("legend %q, want %q", legend, want)
	}
	if cells := contents(page.tags("td")); !slices.Contains(cells, "sonnet 4.5: $2.00 · gpt 5: $1.00") {
		t.Errorf("table cells %q: want the day's share per model in the list's words", cells)
	}
}

// tags is every element under e with tag name tag, in order.
func (e *elem) tags(tag string) []*elem {
	var out []*elem
	for _, k := range e.kids {
		if k.tag == tag {
			out = append(out, k)
		}
		out = append(out, k.tags(tag)...)
	}
	return out
}

func contents(es []*elem) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.content()
	}
	return out
}

// A chart's table scrolls inside a box of its own, with a shade for each
// edge beside it (web/helm.css shows them when it can scroll that way),
// hidden from screen readers.
func TestUsageTableScrollCues(t *testing.T) {
	page := renderUI(t, usageTable(colHeads("Day", "Cost"), []app.UI{app.Tr().Body(app.Th().Text("2026-03-01"), app.Td().Text("$1.00"))}))
	boxes := page.all("usage-table")
	if len(boxes) != 1 {
		t.Fatalf("%d table boxes", len(boxes))
	}
	scrollers := boxes[0].all("scroller")
	if len(scrollers) != 1 || !scrollers[0].hasTag("table") {
		t.Fatal("the table is not in a scrolling box of its own")
	}
	var edges []string
	for _, c := range boxes[0].all("scroll-cue") {
		if _, hidden := c.attrs["aria-hidden"]; !hidden || c.content() != "" {
			t.Errorf("scroll cue %v is read out", c.attrs)
		}
		for _, edge := range []string{"start", "end"} {
			if c.hasClass(edge) {
				edges = append(edges, edge)
			}
		}
	}
	if !slices.Equal(edges, []string{"start", "end"}) {
		t.Errorf("scroll cues at %v, want one at the start and one at the end", edges)
	}
}

// thirtyDays is thirty days up to 2026-12-04, spent on the given ones.
func thirtyDays(spent map[string]float64) []dayRow {
	rows, _ := fillDays(usageReport{}, time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC), time.UTC, usageDays)
	for i := range rows {
		if c := spent[rows[i].Day]; c > 0 {
			rows[i].Cost = c
			rows[i].Tokens.Input = int(c * 1000)
			rows[i].Models = []modelPart{{"claude-opus-4-1", c}}
			rows[i].TokenModels = []modelPart{{"claude-opus-4-1", c * 1000}}
		}
	}
	return rows
}

// Under each day chart, the first day, a day a week after each other and
// the last are named in short ("Nov 5"), each under its own slot: the
// axis has a column per bar.
func TestDayChartsNameTheirDays(t *testing.T) {
	rows := thirtyDays(map[string]float64{"2026-12-01": 2})
	for _, chart := range []app.UI{dayChart(rows, nil, nil, nil, shared.UsageTotals{}), tokenChart(rows, nil, nil, nil)} {
		page := renderUI(t, chart)
		axes := page.all("day-axis")
		if len(axes) != 1 {
			t.Fatalf("%d axes under the chart", len(axes))
		}
		var named []string
		for i, slot := range axes[0].kids {
			if s := slot.content(); s != "" {
				named = append(named, fmt.Sprintf("%d %s", i, s))
			}
		}
		want := []string{"0 Nov 5", "7 Nov 12", "14 Nov 19", "21 Nov 26", "29 Dec 4"}
		if len(axes[0].kids) != usageDays || !slices.Equal(named, want) {
			t.Errorf("axis of %d slots names %q, want %d slots naming %q", len(axes[0].kids), named, usageDays, want)
		}
	}
}

// A day chart's table lists the days that used something, not thirty
// rows of zeros, and says plainly how many days had none; a month
// without any says so in place of the table.
func TestDayTablesListTheDaysWithUse(t *testing.T) {
	for _, tc := range []struct {
		spent      map[string]float64
		days, note []string // the table's rows; what it says of the others
	}{
		{map[string]float64{"2026-11-20": 1.5, "2026-12-04": 0.25}, []string{"2026-11-20", "2026-12-04"},
			[]string{"No spend on the other 28 days.", "No tokens on the other 28 days."}},
		{nil, nil, []string{"No spend in the last 30 days.", "No tokens in the last 30 days."}},
	} {
		rows := thirtyDays(tc.spent)
		for i, chart := range []app.UI{dayChart(rows, nil, nil, nil, shared.UsageTotals{}), tokenChart(rows, nil, nil, nil)} {
			page := renderUI(t, chart)
			var days []string
			for _, tr := range bodyRows(page) { // the days, not the Total row
				if ths := tr.tags("th"); len(ths) > 0 && ths[0].attrs["scope"] == "row" {
					days = append(days, ths[0].content())
				}
			}
			notes := contents(page.all("quiet-days"))
			if !slices.Equal(days, tc.days) || !slices.Equal(notes, tc.note[i:i+1]) {
				t.Errorf("chart %d: table rows %q and %q; want %q and %q", i, days, notes, tc.days, tc.note[i])
			}
			if len(tc.days) == 0 && page.hasTag("table") {
				t.Errorf("chart %d: a table with nothing in it", i)
			}
		}
	}
}

// A bar chart's bars are to the scale of its costliest bucket shown,
// never of the folded rest: with 41 projects, the other 31 at $705 made
// every one of the top 10, at $29 to $39, a sliver alike. The rest is a
// last row of its own, its name and cost read as a bar's (a list item),
// with no bar and no link; the table has it too. Nothing spent, or a
// rest of $0, draws no bar wider than the track and no NaN.
func TestBarChartScale(t *testing.T) {
	var top10 []usageBucket
	for i := range 10 {
		top10 = append(top10, usageBucket{Key: fmt.Sprintf("/home/dev/p%02d", i), CostUSD: float64(39 - i)})
	}
	zero := []usageBucket{{Key: "/a"}, {Key: "/b"}}
	for _, tc := range []struct {
		name    string
		filter  string
		buckets []usageBucket
		rest    folded
		widths  []string // each bar's, in the viewBox's 0..100
		restRow string   // the folded row's name and value; "": none
		// restCell is the rest's figure in the table, to the cent.
		restCell string
	}{
		{"the rest far above the top 10", "project", top10, folded{N: 31, CostUSD: 705},
			[]string{"100.00", "97.44", "94.87", "92.31", "89.74", "87.18", "84.62", "82.05", "79.49", "76.92"}, "31 other projects|$705", "$705.00"},
		{"the rest below the top", "project", top10[:2], folded{N: 1, CostUSD: 1}, []string{"100.00", "97.44"}, "1 other project|$1.00", "$1.00"},
		{"a rest of $0", "project", top10[:1], folded{N: 2}, []string{"100.00"}, "2 other projects|$0", "$0.00"},
		{"a rest of unpriced models", "project", top10[:1], folded{N: 2, Unpriced: 10}, []string{"100.00"}, "2 other projects|unpriced", "unpriced"},
		{"nothing spent", "project", zero, folded{N: 4}, []string{"0.00", "0.00"}, "4 other projects|$0", "$0.00"},
		{"models: every one its bar, none folded", "model",
			[]usageBucket{{Key: "claude-opus-4-6", CostUSD: 8}, {Key: "gpt-5", CostUSD: 2}, {Key: "glm-4", CostUSD: 0}},
			folded{}, []string{"100.00", "25.00", "0.00"}, "", ""},
	} {
		page := renderUI(t, barChart("x", "Cost", tc.filter, tc.buckets, tc.rest, nil, shared.UsageTotals{}))
		items := page.all("hbars")[0].all("bar")
		var widths []string
		restRows := 0
		for _, it := range items {
			if it.attrs["role"] != "listitem" {
				t.Errorf("%s: row %q is no list item", tc.name, it.attrs["data-key"])
			}
			rects := it.tags("rect")
			if !it.hasClass("rest") {
				if len(rects) != 1 {
					t.Fatalf("%s: bar %q has %d rects", tc.name, it.attrs["data-key"], len(rects))
				}
				widths = append(widths, rects[0].attrs["width"])
				continue
			}
			restRows++
			read := contents(it.all("bar-name"))[0] + "|" + contents(it.all("bar-value"))[0]
			if read != tc.restRow || it.attrs["title"] != strings.Replace(tc.restRow, "|", ": ", 1) {
				t.Errorf("%s: the rest reads %q, tooltip %q; want %q", tc.name, read, it.attrs["title"], tc.restRow)
			}
			if len(rects) != 0 || it.hasTag("svg") {
				t.Errorf("%s: the rest has a bar", tc.name)
			}
			if notes := it.all("bar-note"); len(notes) != 1 || !hasAttr(notes[0], "aria-hidden") {
				t.Errorf("%s: the rest's note, which a reader need not hear, is %v", tc.name, notes)
			}
		}
		if !slices.Equal(widths, tc.widths) {
			t.Errorf("%s: bars %q wide, want %q", tc.name, widths, tc.widths)
		}
		if want := min(len(tc.restRow), 1); restRows != want {
			t.Errorf("%s: %d rows of the rest, want %d", tc.name, restRows, want)
		}
		// The table: a row for the rest, in its words, with no link.
		var rows []string
		for _, tr := range page.tags("tbody")[0].tags("tr") {
			rows = append(rows, tr.tags("th")[0].content()+"|"+tr.tags("td")[0].content())
			if tr.hasClass("rest") && tr.hasTag("a") {
				t.Errorf("%s: the rest's table row links to a list", tc.name)
			}
		}
		want := strings.SplitN(tc.restRow, "|", 2)[0] + "|" + tc.restCell
		if tc.restRow != "" && (len(rows) != len(tc.buckets)+1 || rows[len(rows)-1] != want) {
			t.Errorf("%s: table rows %q, want the rest last as %q", tc.name, rows, want)
		}
	}
}

// bodyRows are the rows of e's tables' bodies: not their Total rows.
func bodyRows(e *elem) []*elem {
	var out []*elem
	for _, b := range e.tags("tbody") {
		out = append(out, b.tags("tr")...)
	}
	return out
}

func hasAttr(e *elem, name string) bool { _, ok := e.attrs[name]; return ok }
