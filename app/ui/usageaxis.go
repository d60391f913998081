package ui

import (
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
)

// A day chart is thirty slots of bars: under them, some slots are named
// ("Nov 5") so that a bar's day can be read without hovering it; below,
// a table lists the days that used something, and says how many did not.

// axisEvery is how many days apart the axis names its slots: a week, so
// that at a phone's width (390 px: about 11 px a day) "Nov 12" and
// "Nov 19" do not touch.
const axisEvery = 7

// axisGap is how near the last slot a named slot may be: "Nov 26"
// beside the last day's "Nov 30" would overlap on a phone.
const axisGap = 5

// axisSlots picks the slots, of n, that the axis names: the first, every
// axisEvery-th after it while not too near the end, and the last.
func axisSlots(n int) []int {
	if n <= 0 {
		return nil
	}
	var out []int
	for i := 0; i <= n-1-axisGap; i += axisEvery {
		out = append(out, i)
	}
	return append(out, n-1)
}

// shortDay is a day ("2026-11-05") as the axis says it: "Nov 5".
func shortDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("Jan 2")
}

// dayAxis is the row under a day chart: one grid column per day, the
// same width as the chart's slots (web/helm.css), so that a name and its
// tick sit under their bar at any width without a style attribute, which
// the page's CSP refuses. The first name starts at its slot and the last
// ends at its slot, so that neither overhangs the chart. Hidden from
// screen readers: the table below names each day whole.
func dayAxis(rows []dayRow) app.UI {
	named := map[int]bool{}
	for _, i := range axisSlots(len(rows)) {
		named[i] = true
	}
	slots := make([]app.UI, 0, len(rows))
	for i, r := range rows {
		if !named[i] {
			slots = append(slots, el.Span())
			continue
		}
		tick := el.Span().Class("tick")
		switch i {
		case 0:
			tick = tick.Class("first")
		case len(rows) - 1:
			tick = tick.Class("last")
		}
		slots = append(slots, tick.Body(el.Span().Class("day").Text(shortDay(r.Day))))
	}
	return el.Div().Class("day-axis").Aria("hidden", "true").Body(slots...)
}

// dayPlot is a day chart's bars over its axis.
func dayPlot(chart app.UI, rows []dayRow) app.UI {
	return el.Div().Class("day-plot").Body(chart, dayAxis(rows))
}

// dayTable is a day chart's figures: a row for each day that used
// something (trs), and in words the days that did not, so that the
// table still says all the chart does without thirty rows of zeros.
// what is what the quiet days lack: "spend", "tokens".
// foot is the table's Total row, if any (usageTable).
func dayTable(heads []app.UI, trs []app.UI, days int, what string, foot ...app.UI) app.UI {
	if len(trs) == 0 {
		return el.P().Class("quiet-days").Text(fmt.Sprintf("No %s in the last %d days.", what, days))
	}
	rest := ""
	switch quiet := days - len(trs); quiet {
	case 0:
	case 1:
		rest = fmt.Sprintf("No %s on the other day.", what)
	default:
		rest = fmt.Sprintf("No %s on the other %d days.", what, quiet)
	}
	return el.Div().Body(
		usageTable(heads, trs, foot...),
		app.If(rest != "", func() app.UI { return el.P().Class("quiet-days").Text(rest) }),
	)
}
