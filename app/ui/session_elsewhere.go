package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/el"
)

// Another Helm can answer at the page's address: its helmd stopped and
// another one (another user's, another configuration's) took the port.
// The page names its Helm's instance in every request (api), so that one
// refuses them (409, server/ident) instead of answering of its own
// sessions. The page's own helmd answers 409 too, to a stale cursor: the
// answer's X-Helm-Instance tells the two apart (browser.OtherHelm).
// The page then says that another Helm answers, as the list does, and
// not that its session is gone; the messages it had stay readable, as
// offline, and the header's status is the last known. It asks for the
// last page every pollEvery: the other Helm refusing, or nothing
// answering, keeps it so; its own Helm's answer brings it back, the
// messages reloaded and followed live again (loadLast).

// otherHelm reports whether err is another Helm refusing the page's
// request.
func (p *SessionPage) otherHelm(err error) bool { return browser.OtherHelm(err, p.which.Instance) }

// markElsewhere puts the page in the "elsewhere" state: another Helm
// answers at its address.
func (p *SessionPage) markElsewhere(ctx app.Context) {
	p.stopLive()
	p.state, p.errText = "elsewhere", ""
	p.afterChange() // the notice takes its line from the view
	p.schedule(ctx, p.loadLastLater)
}

// renderElsewhere is the notice of another Helm answering at the
// page's address.
func (p *SessionPage) renderElsewhere() app.UI {
	which := pagesHelm(p.which.Host)
	return el.P().ID("elsewhere").Class("notice").Role("alert").Text("This is a session of " + which +
		", but the address now answers as another Helm. The messages below are what this page had; they are read again, and followed, once " +
		which + " answers here again (checked every " + itoa(int(pollEvery.Seconds())) + " s).")
}
