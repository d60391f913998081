package ui

import (
	"errors"
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/shared"
)

// The usage page stays current without a reload: it reads its figures
// again every usageRefresh while the tab is in view, and at once when
// the tab comes back into view with figures half a period old or more.
//
// A timer, not the session stream the list follows: a stream starts with
// every session (tens of MB on a busy machine) only to say that
// something changed, which five small answers say outright; and the
// block's burn rate and projection move with time alone, which no
// session event announces. At most one reading is in flight (Reload
// aborts it and starts another), a hidden tab reads nothing, and a
// reading that hangs is given up after stuckAfter, as failed: the next
// can then begin.

// usageRefresh is how often a page in view reads its figures again.
const usageRefresh = 30 * time.Second

// stuckAfter is how long a reading may take before it is given up (at
// least its period).
const stuckAfter = 10 * time.Second

// errNoAnswer is a reading given up for want of an answer; PlainError
// says it as a network error: "The server does not answer."
var errNoAnswer = errors.New("no answer in time")

// refreshEvery is how often the page reads its figures again:
// usageRefresh, or the page URL's ?refresh= (1 s to 1 h), so that a
// browser test sees a refresh in a second rather than half a minute.
func refreshEvery(u *url.URL) time.Duration {
	if u != nil {
		if d, err := time.ParseDuration(u.Query().Get("refresh")); err == nil && d >= time.Second && d <= time.Hour {
			return d
		}
	}
	return usageRefresh
}

// usageDue reports whether the page reads its figures again: none is in
// flight, the tab is in view, and the last reading began half a period
// ago or more, so that a tab shown again just after a reading does not
// read twice, and no more than two readings begin in a period.
func usageDue(inFlight, hidden bool, tried, now time.Time, every time.Duration) bool {
	return !inFlight && !hidden && now.Sub(tried) >= every/2
}

// refresh is the ticker's call, and the tab's when it is shown or
// hidden: it draws the page by the clock again ("updated just now", the
// block's time left), gives up a reading that hangs, and reads the
// figures again when they are due.
func (p *UsagePage) refresh() {
	p.now = time.Now()
	if p.pending != nil && p.now.Sub(p.tried) >= max(stuckAfter, p.every) {
		p.fail(errNoAnswer)
	}
	if usageDue(p.pending != nil, browser.Hidden(), p.tried, p.now, p.every) {
		p.load()
	}
}

// renderFreshness says, small, how current the figures are; when the
// last reading failed, that they are older, and why in plain words.
func (p *UsagePage) renderFreshness() app.UI {
	text, stale := freshness(p.readAt, p.now, p.failure)
	fresh := el.P().ID("usage-fresh").Class("fresh").Role("status").Title("Read at %s", p.readAt.Format("15:04:05"))
	if stale {
		fresh, text = fresh.Class("stale"), text+" "+p.retrying()
	}
	return fresh.Text(text)
}

// freshness is how current figures read at readAt are at now: "Updated
// just now" within a minute, else "As of 14:05"; after a failed reading
// (failure), that they are from then and why the new ones are missing,
// stale. Never the browser's own words for the failure (failed).
func freshness(readAt, now time.Time, failure error) (text string, stale bool) {
	switch {
	case failure != nil:
		return failed("These figures are from "+asOf(readAt, now)+": they could not be read again", failure), true
	case now.Sub(readAt) < time.Minute:
		return "Updated just now", false
	}
	return "As of " + asOf(readAt, now), false
}

// asOf is a time of the browser's day: "14:05" today, "Mon 14:05" on
// another day.
func asOf(t, now time.Time) string {
	t = t.Local()
	if sameDay(t, now) {
		return t.Format("15:04")
	}
	return t.Format("Mon 15:04")
}

// retrying says when the page tries again.
func (p *UsagePage) retrying() string {
	every := p.every
	if every <= 0 {
		every = usageRefresh
	}
	return "Trying again every " + shared.SpanText(every) + "."
}
