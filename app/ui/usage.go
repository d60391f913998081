package ui

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/shared"
)

// UsagePage is /usage: where the tokens and money went over the last 30
// days, and the current 5-hour block. It reads GET /api/usage (by day,
// project, model and source, days cut in the browser's zone) and GET
// /api/usage/block when it opens, then again while it is in view, so
// that its figures follow the spending without a reload (usagefresh.go);
// Reload reads them at once.
type UsagePage struct {
	app.Compo

	shown   usageData  // the figures on screen: the last reading that was whole
	readAt  time.Time  // when shown arrived; zero until the first reading
	pending *usageLoad // the reading in flight, nil when none
	tried   time.Time  // when the last reading began
	failure error      // why the last reading failed; nil when it did not
	now     time.Time  // the clock the page was last drawn by
	every   time.Duration
	which   Which // the Helm the page is of: its machine, a demo
	// thisOnly says that the figures are this machine's alone, on a
	// fleet hub listing others (usage_fleet.go); "" elsewhere.
	thisOnly string

	ctx      app.Context
	cleanups []func()
}

// UsageRoute is the usage page's path, exactly (no trailing slash).
const UsageRoute = "/usage"

// usageRequests is how many requests a reading makes.
const usageRequests = 5

// usageData is one reading of the page's figures: the four reports and
// the block, and the time they were asked for (the charted days end on
// its day).
type usageData struct {
	days, projects, models, sources usageReport
	block                           usageBlock
	at                              time.Time
}

// usageLoad is a reading in flight: the answers so far, put together
// apart from the figures shown so that these change all at once, and
// how to abort the requests.
type usageLoad struct {
	next     usageData
	answered int
	cancels  []func()
}

func (l *usageLoad) abort() {
	for _, c := range l.cancels {
		c()
	}
}

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
	p.every = refreshEvery(ctx.Page().URL())
	p.load()
	p.loadFleet()
	p.cleanups = append(p.cleanups,
		tickingEvery(ctx, p.every, p.refresh),
		// Back in view: read again at once if the figures are old.
		browser.OnVisibility(func() { ctx.Dispatch(func(app.Context) { p.refresh() }) }),
	)
}

func (p *UsagePage) OnDismount() {
	if p.pending != nil {
		p.pending.abort()
		p.pending = nil
	}
	for _, c := range p.cleanups {
		c()
	}
	p.cleanups = nil
}

// load reads every report again, aborting a reading still in flight:
// one at a time. The answers go to a reading of their own, shown when
// the last arrives; a failure keeps the figures shown and says so. Each
// answer lands through the page's own ctx (a saved event ctx may belong
// to an element re-rendered away).
func (p *UsagePage) load() {
	if p.pending != nil {
		p.pending.abort()
	}
	p.now = time.Now()
	p.tried = p.now
	l := &usageLoad{next: usageData{at: p.now}}
	p.pending = l
	tz := browserZone()
	get := func(url string, dst any) {
		// Named, so that another Helm answering at the address (a demo,
		// another user's) says so (409) rather than its figures.
		url = feed.WithInstance(url, p.which.Instance)
		l.cancels = append(l.cancels, browser.Fetch("GET", url, func(body []byte, err error) {
			p.ctx.Dispatch(func(app.Context) {
				if p.pending != l {
					return // aborted, or failed already
				}
				if err == nil {
					err = json.Unmarshal(body, dst)
				}
				if err != nil {
					p.fail(err)
					return
				}
				if l.answered++; l.answered == usageRequests {
					p.pending, p.failure = nil, nil
					p.shown = l.next
					p.readAt = time.Now()
					p.now = p.readAt
				}
			})
		}))
	}
	at := l.next.at
	get(usageURL("day", at, time.Local, tz), &l.next.days)
	get(usageURL("project", at, time.Local, tz), &l.next.projects)
	get(usageURL("model", at, time.Local, tz), &l.next.models)
	get(usageURL("source", at, time.Local, tz), &l.next.sources)
	get("/api/usage/block", &l.next.block)
}

// fail ends the reading in flight with err: the figures shown stay,
// unless another Helm answers at the address (409 to the page's
// instance): they are then hidden until this page's Helm answers again
// (the next reading, every 30 s, or Reload).
func (p *UsagePage) fail(err error) {
	if p.pending != nil {
		p.pending.abort()
		p.pending = nil
	}
	p.failure = err
	p.now = time.Now()
}

// elsewhere reports whether another Helm answers at the address (a 409
// naming another instance, as the session page tells it): its figures
// are hidden until this page's Helm answers.
func (p *UsagePage) elsewhere() bool { return browser.OtherHelm(p.failure, p.which.Instance) }

func (p *UsagePage) onReload(ctx app.Context, e app.Event) { p.load() }

func (p *UsagePage) Render() app.UI {
	// data-reading: a reading is in flight (a test hook, as the list's
	// data-conn).
	return el.Div().ID("usage-page").Class("app").DataSet("reading", p.pending != nil).Body( // the list's margins
		el.Header().Class("top").Body(
			el.H1().Class("brand").Aria("label", "Helm usage").Body(
				el.Img().Attr("src", "/web/icon.svg").Aria("hidden", "true"),
				// "page-name": kept on a phone, where the list's "Helm"
				// gives way to its icon (web/helm.css).
				el.Span().Class("brand-name", "page-name").Text("Usage"),
			),
			renderWhich(p.which),
			el.A().ID("to-sessions").Attr("href", "/").Text("Sessions"),
			el.Span().Class("spacer"),
			el.Button().ID("usage-reload").Title("Read the usage again").OnClick(p.onReload).Text("Reload"),
		),
		el.Main().Class("usage").Body(p.renderBody()),
	)
}

func (p *UsagePage) renderBody() app.UI {
	switch {
	case p.elsewhere():
		which := pagesHelm(p.which.Host)
		return el.Div().ID("elsewhere").Class("notice").Role("alert").Body(
			el.P().Text("This page showed the usage of " + which + ". The address now answers as another Helm, so its figures are hidden until " +
				which + " answers here again. " + p.retrying()),
		)
	case p.readAt.IsZero() && p.failure != nil:
		return el.P().ID("usage-error").Role("alert").Text(
			failed("Could not read the usage", p.failure) + " " + p.retrying())
	case p.readAt.IsZero():
		return el.P().ID("usage-loading").Role("status").Text("Loading usage…")
	}
	d := p.shown
	rows, models := fillDays(d.days, d.at, time.Local, usageDays)
	colors := palette(models)
	top, rest := topN(d.projects.Buckets, 10)
	return el.Div().Body(
		p.renderFreshness(),
		app.If(p.thisOnly != "", func() app.UI { return el.P().ID("this-machine").Class("notice").Text(p.thisOnly) }),
		p.renderSummary(rows),
		p.renderBlock(),
		dayChart(rows, models, colors, d.days.Unpriced, d.days.Total),
		tokenChart(rows, models, colors, d.days.Unpriced),
		barChart("projects", "Cost per project (top 10)", "project", top, rest, colors, d.projects.Total),
		// Every model and source has its bar: none folded.
		barChart("models", "Cost per model", "model", d.models.Buckets, folded{}, colors, d.models.Total),
		barChart("sources", "Cost per source", "source", d.sources.Buckets, folded{}, colors, d.sources.Total),
	)
}

func (p *UsagePage) renderSummary(rows []dayRow) app.UI {
	// To the cent, as the rest of the page's figures: "$150" here beside
	// a day table reading $150.05 for the same seven days looked like
	// another amount.
	days := p.shown.days
	cents, _ := dayCents(rows, days.Total.CostUSD)
	this, last, thisC, lastC := weeks(rows, cents)
	change := "no spend last week"
	if last > 0 {
		change = fmt.Sprintf("%+.0f%% on last week (%s)", (this-last)/last*100, shared.CentsText(lastC, true))
	}
	hit := "no input yet"
	if r, ok := cacheHitRate(days.Total.Tokens); ok {
		hit = fmt.Sprintf("%.1f%%", r*100)
	}
	return el.Section().ID("usage-summary").Aria("label", "Summary").Body(
		el.Dl().Body(
			el.Dt().Text("Last 30 days"),
			el.Dd().ID("usage-total").Title("%s", tokensTitle(days.Total.Tokens)).
				// To the cent, as the tables' Total rows, which their
				// rows add up to (shared.FootCents).
				Text(usageCents(days.Total.CostUSD, days.Total.UnpricedTokens)+
					" · "+tokensText(days.Total.Tokens)),
			el.Dt().Text("This week (7 days)"),
			el.Dd().ID("usage-week").Text(shared.CentsText(thisC, this > 0)+" · "+change),
			el.Dt().Title("cache reads over all input tokens").Text("Cache hit rate"),
			el.Dd().ID("usage-cache").Text(hit),
		),
	)
}

func (p *UsagePage) renderBlock() app.UI {
	b := p.shown.block
	body := []app.UI{el.H2().Text("Current 5-hour block")}
	if !b.Active {
		body = append(body, el.P().ID("block-none").Text(noBlock(b)))
	} else {
		since := p.now.Sub(p.readAt)
		facts := []app.UI{
			el.Dt().Text("Started"), el.Dd().Text(clockTime(b.Start)),
			el.Dt().Text("Spent so far"), el.Dd().ID("block-cost").Text(usageCents(b.CostUSD, b.UnpricedTokens)),
		}
		if b.HasRate {
			facts = append(facts,
				el.Dt().Text("Burn rate"), el.Dd().ID("block-burn").Text(burnRate(b)),
				el.Dt().Text("Projected at its end"), el.Dd().ID("block-projected").Text(projected(b, since)))
		} else {
			// One response, or a few within minutes, stretched over the
			// hours left would be a guess shown as a figure.
			facts = append(facts,
				el.Dt().Text("Burn rate"), el.Dd().ID("block-burn").Text(noRate),
				el.Dt().Text("Ends"), el.Dd().ID("block-ends").Text(endsAt(b, since)))
		}
		body = append(body, el.Dl().Body(facts...))
		if b.UnpricedTokens > 0 {
			// The figures are of the priced tokens only: without this
			// the block reads as cheaper than it is.
			body = append(body, el.P().ID("block-unpriced").Class("unpriced-note").Text(shared.CountText(b.UnpricedTokens)+
				" tokens of this block are of models Helm has no price for: these figures leave their cost out."))
		}
	}
	return el.Section().ID("usage-block").Body(body...)
}

// usageCents writes a figure of the page to the cent, as its tables do
// (shared.USDCents: "<$0.01" below a cent), saying "+ unpriced" as
// shared.UsageCostText does. Every cost of the page but a chart's scale
// is written so: the block's "$150" above tables reading $150.05 read
// as another amount.
func usageCents(usd float64, unpricedTokens int) string {
	return shared.UsageCentsText(shared.USDCents(usd), usd, unpricedTokens)
}

// noBlock says why no block runs, truly: the last one ended (a block
// ends 5 hours after it starts, though its last response may be much
// more recent), or nothing was spent in the time the server looks back
// over, which is more than 5 hours.
func noBlock(b usageBlock) string {
	if l := b.Last; l != nil {
		return fmt.Sprintf("No block running: the last one ended at %s (%s).", clockTime(l.End), usageCents(l.CostUSD, l.UnpricedTokens))
	}
	return "No block running: nothing spent in the last 5 hours."
}

// projected is the block's projected cost, with when it ends and the time
// left in the words the rest of the page uses: "$5.91 at Thu 12:00 (4 h
// 53 min left)", not Go's 4h53m0s. The time left counts down by since,
// how long ago the block was read: between readings, and while they
// fail, it is still the time left now.
func projected(b usageBlock, since time.Duration) string {
	return usageCents(b.ProjectedUSD, b.UnpricedTokens) + " at " + endsAt(b, since)
}

// burnRate is the block's rate, "$2.00 per hour", "$2.00 + unpriced per
// hour"; "unpriced" alone when nothing in the block had a price, where
// "unpriced per hour" would read as a figure.
func burnRate(b usageBlock) string {
	if b.UnpricedTokens > 0 && b.BurnUSDPerHour <= 0 {
		return "unpriced"
	}
	return usageCents(b.BurnUSDPerHour, b.UnpricedTokens) + " per hour"
}

// endsAt is when the block ends and the time left, "Thu 12:00 (4 h 53
// min left)", counted down by since as projected says.
func endsAt(b usageBlock, since time.Duration) string {
	left := max(b.End-b.Now-max(since, 0).Milliseconds(), 0)
	if left >= time.Minute.Milliseconds() {
		left = (left + 30_000) / 60_000 * 60_000 // to the nearest minute
	}
	return fmt.Sprintf("%s (%s left)", clockTime(b.End), duration(left))
}

// noRate is what the page says of a block whose use does not yet span
// long enough for a rate (the server's usage.RateSpan).
const noRate = "Too early to tell: a rate needs more than 15 minutes of use"

// clockTime is a time of day in the browser's zone.
func clockTime(ms int64) string { return time.UnixMilli(ms).In(time.Local).Format("Mon 15:04") }
