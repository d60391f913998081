package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/shared"
)

// Charts are SVG elements built one by one from the data (go-app's Elem
// with the SVG namespace): no markup is ever parsed from a string, so a
// model or project name from a transcript stays text. Every chart has a
// table beside it with the same figures, for screen readers and copying.

const svgNS = "http://www.w3.org/2000/svg"

func svg(tag string) app.HTMLElem { return app.Elem(tag).XMLNS(svgNS) }

// navigate follows a bar's link inside the app.
func navigate(url string) app.EventHandler {
	return func(ctx app.Context, e app.Event) { ctx.Navigate(url) }
}

func chartSVG(label string, columns int, body ...app.UI) app.UI {
	return svg("svg").Class("chart").Attr("viewBox", fmt.Sprintf("0 0 %d 100", columns*10)).
		Attr("preserveAspectRatio", "none").Attr("role", "img").Aria("label", label).Body(body...)
}

// dayChart is cost per day, each day's bar stacked by model; a click on
// a day lists the sessions active that day. The chart's labels are as
// the page writes costs ($1,235: short, to be read at a glance); its
// table is to the cent, its days adding up to its Total row (total,
// the report's), each day's models to the day (footCosts).
func dayChart(rows []dayRow, models []string, colors map[string]string, unpriced []string, total shared.UsageTotals) app.UI {
	top := 0.0
	for _, r := range rows {
		top = max(top, r.Cost)
	}
	cents, totalCents := dayCents(rows, total.CostUSD)
	bars := make([]app.UI, 0, len(rows))
	trs := make([]app.UI, 0, len(rows))
	for i, r := range rows {
		bars = append(bars, stackedBar(i, r.Day, shared.UsageCostText(r.Cost, r.Unpriced), stack(r.Models, top), colors))
		if r.Cost == 0 && r.Unpriced == 0 {
			continue // the table lists the days that cost something
		}
		trs = append(trs, el.Tr().Body(
			el.Th().Attr("scope", "row").Class("day").Body(el.A().Attr("href", listURL("day", r.Day)).Text(r.Day)),
			el.Td().Text(shared.UsageCentsText(cents[i], r.Cost, r.Unpriced)),
			el.Td().Class("models").Text(modelsCents(r.Models, cents[i])),
		))
	}
	foot := el.Tr().Body(el.Th().Attr("scope", "row").Text("Total"),
		el.Td().Text(shared.UsageCentsText(totalCents, total.CostUSD, total.UnpricedTokens)), el.Td().Class("models"))
	return chartSection("days", "Cost per day, by model", fmt.Sprintf("highest %s", cost(top)),
		dayPlot(chartSVG("Cost per day for the last 30 days, stacked by model; the table has the figures", len(rows), bars...), rows),
		legend(models, colors, unpriced),
		dayTable(append(colHeads("Day", "Cost"), modelsHead()), trs, len(rows), "spend", foot))
}

// dayCents is the days' costs to the cent as the day table shows them,
// adding up to total's cents (shared.FootCents; rows that miss the
// total: each rounded), and those.
func dayCents(rows []dayRow, total float64) (cents []int64, totalCents int64) {
	costs := make([]float64, len(rows))
	for i, r := range rows {
		costs[i] = r.Cost
	}
	cents, totalCents, _ = shared.FootCents(costs, total)
	return cents, totalCents
}

// modelsCents is a day's cost per model as modelsText writes it, to the
// cent and adding up to the day's cents as its row shows them
// (shared.SplitCents): "opus 4.1: $0.07 · sonnet 4.5: $0.06" for a day
// of $0.13, where each rounded on its own read $0.06 twice.
func modelsCents(ms []modelPart, dayCents int64) string {
	var priced []float64
	for _, m := range ms {
		if m.Value != unpricedPart {
			priced = append(priced, m.Value)
		}
	}
	parts, _ := shared.SplitCents(priced, dayCents)
	next := 0
	return modelsText(ms, func(usd float64) string {
		c := parts[next]
		next++
		return shared.CentsText(c, usd > 0)
	})
}

// stackedBar is day i's bar of a day chart, one segment per model; a
// click lists the sessions active that day.
func stackedBar(i int, day, total string, segs []barSeg, colors map[string]string) app.UI {
	g := []app.UI{
		svg("title").Text(day + ": " + total),
		svg("rect").Class("hit").Attr("x", i*10).Attr("y", 0).Attr("width", 10).Attr("height", 100),
	}
	for _, s := range segs {
		g = append(g, svg("rect").Attr("x", i*10+1).Attr("y", fmt.Sprintf("%.2f", s.Y)).Attr("width", 8).
			Attr("height", fmt.Sprintf("%.2f", s.H)).Attr("fill", colors[s.Label]).DataSet("model", attr(s.Label)))
	}
	return svg("g").Class("bar").DataSet("day", day).OnClick(navigate(listURL("day", day))).Body(g...)
}

// legend names each model's color as the list names the model, the
// whole id in its tooltip, each a link to its sessions; a model without
// a price says so beside its name, its cost being unknown, not $0.
func legend(models []string, colors map[string]string, unpriced []string) app.UI {
	items := make([]app.UI, 0, len(models))
	for _, m := range models {
		name, full := bucketName("model", m)
		item := []app.UI{
			// An SVG swatch: the page's CSP refuses style attributes.
			svg("svg").Class("swatch").Attr("viewBox", "0 0 10 10").Aria("hidden", "true").Body(
				svg("rect").Attr("width", 10).Attr("height", 10).Attr("rx", 2).Attr("fill", colors[m])),
			el.A().Attr("href", listURL("model", m)).Title("%s", attr(full)).Text(name),
		}
		if slices.Contains(unpriced, m) {
			item = append(item, el.Span().Class("unpriced").Title("Helm has no price for this model: its tokens are counted, its cost is not").
				Text(" (unpriced)"))
		}
		items = append(items, el.Li().Body(item...))
	}
	return el.Ul().Class("legend").Body(items...)
}

// modelsText is a day's share per model, "sonnet 4.5: $1.20 · opus
// 4.1: $0.40": the colon keeps a version number apart from the figure,
// and the dot the models apart, where a comma ran into the thousands'
// commas ("3,073,660, opus 4.5").
func modelsText(ms []modelPart, format func(float64) string) string {
	s := ""
	for i, m := range ms {
		if i > 0 {
			s += " · "
		}
		name, _ := bucketName("model", m.Model)
		if m.Value == unpricedPart {
			s += name + ": unpriced"
			continue
		}
		s += name + ": " + format(m.Value)
	}
	return s
}

// tokenCount is a model's tokens of a day as the page says counts
// elsewhere ("3.07M", "44.6k"): the exact figures are the row's columns.
func tokenCount(n float64) string { return shared.CountText(int(n)) }

// tokenChart is tokens per day, each day's bar stacked by model in the
// cost chart's colors; a click lists that day's sessions.
func tokenChart(rows []dayRow, models []string, colors map[string]string, unpriced []string) app.UI {
	top := 0
	for _, r := range rows {
		top = max(top, r.Tokens.Total())
	}
	bars := make([]app.UI, 0, len(rows))
	trs := make([]app.UI, 0, len(rows))
	for i, r := range rows {
		bars = append(bars, stackedBar(i, r.Day, tokensText(r.Tokens), stack(r.TokenModels, float64(top)), colors))
		t := r.Tokens
		if t.Total() == 0 {
			continue // the table lists the days that used some
		}
		trs = append(trs, el.Tr().Body(
			el.Th().Attr("scope", "row").Class("day").Body(el.A().Attr("href", listURL("day", r.Day)).Text(r.Day)),
			countCell(t.Input), countCell(t.Output), countCell(t.CacheRead), countCell(t.CacheWrite),
			el.Td().Class("models").Text(modelsText(r.TokenModels, tokenCount)),
		))
	}
	return chartSection("tokens", "Tokens per day, by model", fmt.Sprintf("highest %s", shared.CountText(top)),
		dayPlot(chartSVG("Tokens per day for the last 30 days, stacked by model; the table has the figures", len(rows), bars...), rows),
		legend(models, colors, unpriced),
		dayTable(append(colHeads("Day", "Input", "Output", "Cache read", "Cache write"), modelsHead()), trs, len(rows), "tokens"))
}

// barChart is one horizontal bar per bucket, each on a row with its name
// and its cost in words; a click lists the sessions of that project,
// model or source. The rows are HTML, the bars SVG: a name too long for
// its column ends in an ellipsis, a path shows its last folders after a
// "…" (pathFit); the row's tooltip has it whole. Names come from
// transcripts: text, never markup. The bars are to the scale of the
// costliest bucket; rest, the buckets folded past them, is a last row
// without a bar or a link, which would otherwise set the scale.
//
// The bars' labels are as the page writes costs ($1,235: short); the
// table is to the cent, its rows (the rest's included) adding up to its
// Total row, total (the report's), as `helmd usage`'s do.
func barChart(id, title, filter string, buckets []usageBucket, rest folded, colors map[string]string, total shared.UsageTotals) app.UI {
	if len(buckets) == 0 {
		return chartSection(id, title, "nothing spent", el.P().Text("No usage in the last 30 days."))
	}
	top := 0.0
	costs := make([]float64, 0, len(buckets)+1)
	for _, b := range buckets {
		top = max(top, b.CostUSD)
		costs = append(costs, b.CostUSD)
	}
	if rest.N > 0 {
		costs = append(costs, rest.CostUSD)
	}
	cents, totalCents, _ := shared.FootCents(costs, total.CostUSD) // rows that miss the total: each rounded
	bars := make([]app.UI, 0, len(buckets)+1)
	trs := make([]app.UI, 0, len(buckets)+1)
	for i, b := range buckets {
		w := 0.0
		if top > 0 {
			w = b.CostUSD / top * 100
		}
		fill := colors[b.Key]
		if filter != "model" || fill == "" {
			fill = "var(--accent)"
		}
		value := shared.UsageCostText(b.CostUSD, b.UnpricedTokens) // "unpriced", never $0, for tokens without a price
		bars = append(bars, hbar(filter, b.Key, value, w, fill))
		label, full := bucketName(filter, b.Key)
		name := el.A().Attr("href", listURL(filter, b.Key)).Title("%s", attr(full)).Text(label)
		if filter == "project" {
			name = el.A().Attr("href", listURL(filter, b.Key)).Title("%s", attr(full)).Body(pathParts(label)...)
		}
		trs = append(trs, el.Tr().Body(el.Th().Attr("scope", "row").Body(name),
			el.Td().Text(shared.UsageCentsText(cents[i], b.CostUSD, b.UnpricedTokens)),
			el.Td().Class("tokens").Body(tokenParts(b.Tokens)...)))
	}
	if rest.N > 0 {
		bars = append(bars, restRow(rest))
		trs = append(trs, el.Tr().Class("rest").Body(el.Th().Attr("scope", "row").Text(rest.name()),
			el.Td().Text(shared.UsageCentsText(cents[len(buckets)], rest.CostUSD, rest.Unpriced)),
			el.Td().Class("tokens").Body(tokenParts(rest.Tokens)...)))
	}
	foot := el.Tr().Body(el.Th().Attr("scope", "row").Text("Total"),
		el.Td().Text(shared.UsageCentsText(totalCents, total.CostUSD, total.UnpricedTokens)),
		el.Td().Class("tokens").Body(tokenParts(total.Tokens)...))
	// A list, not an image: each bar's name and figure are read whole,
	// a path too where the bar shows its end only.
	chart := el.Div().Class("hbars").Role("list").
		Aria("label", title+" over the last 30 days; the table has the figures").Body(bars...)
	return chartSection(id, title, "", chart, usageTable(colHeads("Name", "Cost", "Tokens"), trs, foot))
}

// hbar is one row of a bar chart: name (bucketName's), bar (width
// percent of the longest) and value; the tooltip has the name whole.
func hbar(filter, key, value string, width float64, fill string) app.UI {
	label, full := bucketName(filter, key)
	name := el.Span().Class("bar-name").Text(label)
	if filter == "project" {
		// Its end kept, the folders before it giving way (pathFit).
		name = el.Span().Class("bar-name", "path").Body(pathFit(label))
	}
	return el.Div().Class("bar").Role("listitem").DataSet("key", attr(key)).Title("%s", attr(full+": "+value)).
		OnClick(navigate(listURL(filter, key))).Body(
		name,
		svg("svg").Class("bar-track").Attr("viewBox", "0 0 100 10").Attr("preserveAspectRatio", "none").
			Aria("hidden", "true").Body(
			svg("rect").Attr("x", 0).Attr("y", 0).Attr("width", fmt.Sprintf("%.2f", width)).Attr("height", 10).
				Attr("rx", 1).Attr("fill", fill)),
		el.Span().Class("bar-value").Text(value),
	)
}

// restRow is a bar chart's folded buckets, under the bars: its name ("31
// other projects") and cost, read as a bar is, and in the bar's place a
// note that it is not charted (hidden from a reader, who hears no bars):
// no bar, so that a large sum of many small buckets does not shrink the
// others' to slivers; no link, the list filtering by one project only.
func restRow(rest folded) app.UI {
	value := shared.UsageCostText(rest.CostUSD, rest.Unpriced)
	return el.Div().Class("bar", "rest").Role("listitem").DataSet("key", restKey).Title("%s", rest.name()+": "+value).Body(
		el.Span().Class("bar-name").Text(rest.name()),
		el.Span().Class("bar-note").Aria("hidden", "true").Text("together, not charted"),
		el.Span().Class("bar-value").Text(value),
	)
}

func chartSection(id, title, note string, body ...app.UI) app.UI {
	head := []app.UI{el.H2().Text(title)}
	if note != "" {
		head = append(head, el.Span().Class("note").Text(note))
	}
	return el.Section().ID("chart-" + id).Class("usage-chart").Body(append(head, body...)...)
}

// usageTable is a chart's figures under the headings heads (colHeads).
// It scrolls sideways when it is wider than the page, and a shade at an
// edge says more of it lies that way (web/helm.css: the shades follow
// the scroll position, and show only when it can scroll). On a phone the
// tables are made to fit: the by-model columns give way, headings wrap.
//
// foot, when given, is its Total row (a tfoot): what the rows add up to.
func usageTable(heads []app.UI, rows []app.UI, foot ...app.UI) app.UI {
	return el.Div().Class("usage-table").Body(
		el.Div().Class("scroller").Body(el.Table().Body(
			el.THead().Body(el.Tr().Body(heads...)),
			el.TBody().Body(rows...),
			app.If(len(foot) > 0, func() app.UI { return el.TFoot().Body(foot...) }),
		)),
		el.Span().Class("scroll-cue", "start").Aria("hidden", "true"),
		el.Span().Class("scroll-cue", "end").Aria("hidden", "true"),
	)
}

// countCell is a count of tokens in a table: exact ("37,037,034"), or
// on a phone in short ("37M", as the list says counts), so that a day's
// four counts fit its width beside the day however large they grow
// (web/helm.css shows one of the two).
func countCell(n int) app.UI {
	return el.Td().Body(el.Span().Class("exact").Text(grouped(n)), el.Span().Class("short").Text(shared.CountText(n)))
}

// colHeads are a table's column headings.
func colHeads(names ...string) []app.UI {
	ths := make([]app.UI, 0, len(names))
	for _, n := range names {
		ths = append(ths, el.Th().Attr("scope", "col").Text(n))
	}
	return ths
}

// modelsHead heads a day's share per model (td.models), the column a
// phone leaves out: a day's models are a line or more of their own,
// which the chart above shows stacked in the legend's colors.
func modelsHead() app.UI { return el.Th().Attr("scope", "col").Class("models").Text("By model") }

// pathParts is a project's path as text that wraps only after a slash
// (or a Windows path's backslash, as pathFit cuts it): each folder's
// name with its slash in a part that never breaks (not at a hyphen nor
// at a space: web/helm.css), a <wbr> between parts. The root's slash
// stays with the first folder ("/home/").
func pathParts(path string) []app.UI {
	parts := folderParts(path)
	if len(parts) > 1 && (parts[0] == "/" || parts[0] == "\\") {
		parts = append([]string{parts[0] + parts[1]}, parts[2:]...)
	}
	out := make([]app.UI, 0, 2*len(parts))
	for _, p := range parts {
		if len(out) > 0 {
			out = append(out, el.Wbr())
		}
		out = append(out, el.Span().Class("part").Text(p))
	}
	return out
}

// tokenParts is tokensText ("1.2M tokens · 3.4M cached") in two parts
// that never break, so that a narrow column wraps it after its dot, on
// two lines, and nowhere else.
func tokenParts(t shared.Tokens) []app.UI {
	s := tokensText(t)
	before, after, ok := strings.Cut(s, " · ")
	if !ok {
		return []app.UI{el.Span().Class("part").Text(s)}
	}
	return []app.UI{el.Span().Class("part").Text(before + " ·"), app.Text(" "), el.Span().Class("part").Text(after)}
}
