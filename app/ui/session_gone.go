package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
)

// A session can go while its page is open: its transcript deleted, or
// moved where helmd no longer finds it under the same id. helmd then
// answers 404 for it, and its page stream sends "gone"; a subagent's
// page goes so when its transcript goes, or its session's. A page with
// no message yet says so as "missing" (session.go); one with messages
// keeps them, readable, and says plainly that helmd no longer has the
// session (or the subagent's transcript), and since when, instead of
// going on showing its last status as current. It asks for the last
// page again every pollEvery: once helmd has it again, the page reloads
// it and is live again.

// markGone puts the page in the "gone" state: helmd answered that it no
// longer has the session whose messages the page shows.
func (p *SessionPage) markGone(ctx app.Context) {
	p.stopLive()
	if p.goneAt == 0 {
		p.goneAt = time.Now().UnixMilli() // when the page learned it
	}
	p.state, p.errText = "gone", ""
	p.afterChange() // the notice takes its line from the view
	p.schedule(ctx, p.loadLastLater)
}

// renderGone is the notice of a session that helmd no longer has.
func (p *SessionPage) renderGone() app.UI {
	at := p.goneAt
	what := "helmd no longer has this session: its transcript was deleted or moved. Gone since "
	if p.agent != "" {
		what = "helmd no longer has this subagent's transcript: it, or its session's, was deleted or moved. Gone since "
	}
	return el.P().ID("session-gone").Class("notice").Body(
		app.Text(what),
		el.Time().Attr("datetime", isoTime(at)).Title("%s", absTime(at)).Text(goneClock(time.Now(), at)),
		app.Text(" ("+relTime(time.Now(), at)+"). The messages below are what this page had; it looks for the session again every "+
			itoa(int(pollEvery/time.Second))+" s."),
	)
}

// goneClock is the local time of the epoch-millisecond t, with its date
// when that is not today's.
func goneClock(now time.Time, ms int64) string {
	t := time.UnixMilli(ms).Local()
	if sameDay(t, now) {
		return t.Format("15:04")
	}
	return t.Format("Jan 2 15:04")
}
