package ui

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
)

// UsagePage is /usage: where the tokens and money went over the last 30
// days, and the current 5-hour block. It reads GET /api/usage (by day,
// project, model and source, days cut in the browser's zone) and GET
// /api/usage/block once when it opens; Reload reads them again.
type UsagePage struct {
	app.Compo

	days, projects, models, sources usageReport
	block                           usageBlock
	loaded                          int    // answers received, of usageRequests
	err                             string // the last failure, shown in place of the charts
	now                             time.Time
	which                           Which // the Helm the page is of: its machine, a demo

	ctx     app.Context
	cancels []func()
}

// UsageRoute is the usage page's path, exactly (no trailing slash).
const UsageRoute = "/usage"

// usageRequests is how many requests a load makes.
const usageRequests = 5

var (
	_ app.Navigator  = (*UsagePage)(nil)
	_ app.Mounter    = (*UsagePage)(nil)
	_ app.Dismounter = (*UsagePage)(nil)
)

// NewUsagePage returns the usage page of the Helm w says, empty until
// its data arrives.
func NewUsagePage(w Which) *UsagePage { return &UsagePage{now: time.Now(), which: w} }

// browserZone is the browser's IANA time zone, so days are the user's
// days; "" when the browser does not say (the server then uses UTC).
func browserZone() string {
	intl := app.Window().Get("Intl")
	if !intl.Truthy() {
		return ""
	}
	tz := intl.Call("DateTimeFormat").Call("resolvedOptions").Get("timeZone")
	if tz.Type() != app.TypeString {
		return ""
	}
	return tz.String()
}

// OnNav names the tab, on the server too, as the other pages do: with
// the demo mark and the machine, so that two Helms' usage tabs differ.
func (p *UsagePage) OnNav(ctx app.Context) {
	ctx.Page().SetTitle("%s", p.which.title("Usage · "+appName, ctx.Page().URL().Hostname()))
}

func (p *UsagePage) OnMount(ctx app.Context) {
	p.ctx = ctx
	p.load()
}

func (p *UsagePage) OnDismount() {
	for _, c := range p.cancels {
		c()
	}
	p.cancels = nil
}

// load asks for every report; each answer lands through the page's own
// ctx (a saved event ctx may belong to an element re-rendered away).
func (p *UsagePage) load() {
	for _, c := range p.cancels {
		c()
	}
	p.cancels, p.loaded, p.err, p.now = nil, 0, "", time.Now()
	tz := browserZone()
	get := func(url string, dst any) {
		p.cancels = append(p.cancels, browser.Fetch("GET", url, func(body []byte, err error) {
			p.ctx.Dispatch(func(app.Context) {
				if err == nil {
					err = json.Unmarshal(body, dst)
				}
				if err != nil {
					p.err = failed("Could not read the usage", err)
					return
				}
				p.loaded++
			})
		}))
	}
	get(usageURL("day", p.now, time.Local, tz), &p.days)
	get(usageURL("project", p.now, time.Local, tz), &p.projects)
	get(usageURL("model", p.now, time.Local, tz), &p.models)
	get(usageURL("source", p.now, time.Local, tz), &p.sources)
	get("/api/usage/block", &p.block)
}

func (p *UsagePage) onReload(ctx app.Context, e app.Event) { p.load() }

func (p *UsagePage) Render() app.UI {
	return app.Div().ID("usage-page").Class("app").Body( // the list's margins
		app.Header().Class("top").Body(
			app.H1().Class("brand").Aria("label", "Helm usage").Body(
				app.Img().Src("/web/icon.svg").Aria("hidden", "true"),
				// "page-name": kept on a phone, where the list's "Helm"
				// gives way to its icon (web/helm.css).
				app.Span().Class("brand-name", "page-name").Text("Usage"),
			),
			renderWhich(p.which),
			app.A().ID("to-sessions").Href("/").Text("Sessions"),
			app.Span().Class("spacer"),
			app.Button().ID("usage-reload").Title("Read the usage again").OnClick(p.onReload).Text("Reload"),
		),
		app.Main().Class("usage").Body(p.renderBody()),
	)
}

func (p *UsagePage) renderBody() app.UI {
	switch {
	case p.err != "":
		return app.P().ID("usage-error").Role("alert").Text(p.err)
	case p.loaded < usageRequests:
		return app.P().ID("usage-loading").Role("status").Text("Loading usage…")
	}
	rows, models := fillDays(p.days, p.now, time.Local, usageDays)
	colors := palette(models)
	return app.Div().Body(
		p.renderSummary(rows),
		p.renderBlock(),
		dayChart(rows, models, colors),
		tokenChart(rows, models, colors),
		barChart("projects", "Cost per project (top 10)", "project", topN(p.projects.Buckets, 10), colors),
		barChart("models", "Cost per model", "model", p.models.Buckets, colors),
		barChart("sources", "Cost per source", "source", p.sources.Buckets, colors),
	)
}

func (p *UsagePage) renderSummary(rows []dayRow) app.UI {
	this, last := weeks(rows)
	change := "no spend last week"
	if last > 0 {
		change = fmt.Sprintf("%+.0f%% on last week (%s)", (this-last)/last*100, cost(last))
	}
	hit := "no input yet"
	if r, ok := cacheHitRate(p.days.Total.Tokens); ok {
		hit = fmt.Sprintf("%.1f%%", r*100)
	}
	return app.Section().ID("usage-summary").Aria("label", "Summary").Body(
		app.Dl().Body(
			app.Dt().Text("Last 30 days"),
			app.Dd().ID("usage-total").Title("%s", tokensTitle(p.days.Total.Tokens)).
				Text(cost(p.days.Total.CostUSD)+" · "+tokensText(p.days.Total.Tokens)),
			app.Dt().Text("This week (7 days)"),
			app.Dd().ID("usage-week").Text(cost(this)+" · "+change),
			app.Dt().Title("cache reads over all input tokens").Text("Cache hit rate"),
			app.Dd().ID("usage-cache").Text(hit),
		),
	)
}

func (p *UsagePage) renderBlock() app.UI {
	b := p.block
	body := []app.UI{app.H2().Text("Current 5-hour block")}
	if !b.Active {
		body = append(body, app.P().Text("No block running: nothing spent in the last 5 hours."))
	} else {
		body = append(body, app.Dl().Body(
			app.Dt().Text("Started"), app.Dd().Text(clockTime(b.Start)),
			app.Dt().Text("Spent so far"), app.Dd().ID("block-cost").Text(cost(b.CostUSD)),
			app.Dt().Text("Burn rate"), app.Dd().ID("block-burn").Text(cost(b.BurnUSDPerHour)+" per hour"),
			app.Dt().Text("Projected at its end"), app.Dd().ID("block-projected").
				Text(projected(b)),
		))
	}
	return app.Section().ID("usage-block").Body(body...)
}

// projected is the block's projected cost, with when it ends and the time
// left in the words the rest of the page uses: "$5.91 at Thu 12:00 (4 h
// 53 min left)", not Go's 4h53m0s.
func projected(b usageBlock) string {
	left := max(b.End-b.Now, 0)
	if left >= time.Minute.Milliseconds() {
		left = (left + 30_000) / 60_000 * 60_000 // to the nearest minute
	}
	return fmt.Sprintf("%s at %s (%s left)", cost(b.ProjectedUSD), clockTime(b.End), duration(left))
}

// clockTime is a time of day in the browser's zone.
func clockTime(ms int64) string { return time.UnixMilli(ms).In(time.Local).Format("Mon 15:04") }
