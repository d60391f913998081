package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/md"
)

// A remote session (?host=, helmd --fleet) is read by the page's Helm, a
// hub, from the machine it lives on. The page names that machine beside
// the hub's name, its copy buttons say their command and path are that
// machine's, and when the machine stops answering the page says so: the
// hub is fine, and "not connected to helmd" blamed it.

// renderOnHost names the session's machine before the hub's own mark
// (renderWhich): "beta via alpha". Nothing for this machine's session.
// The name is text, never markup.
func (p *SessionPage) renderOnHost() app.UI {
	if !p.remote() {
		return nil
	}
	host := md.Clean(p.host)
	via := ""
	if p.which.Host != "" {
		via = " via"
	}
	return el.Span().ID("on-host").Class("on-host").
		Title("%s", attr("This session is on the machine "+host+"; this Helm reads it from there")).
		Body(el.Span().Class("machine").Dir("auto").Text(host), app.Text(via))
}

// remote reports whether the session is another machine's than the
// page's Helm.
func (p *SessionPage) remote() bool { return p.host != "" && p.host != p.which.Host }

// copyTip is a copy button's tooltip: what it copies, and for a remote
// session's command and path that they are on its machine, not here.
func (p *SessionPage) copyTip(id, text string) string {
	if !p.remote() || id == "copy-id" || text == "" {
		return attr(text)
	}
	return attr("On " + md.Clean(p.host) + ": " + text)
}

// setHostDown records whether err is the hub saying that the session's
// machine does not answer (its own 5xx, with why: helmdSaid), and gives
// the notice to show then: the hub's words, and that the hub itself
// answers; "" for any other error.
func (p *SessionPage) setHostDown(err error) string {
	p.hostDown = ""
	if p.host != "" && browser.Status(err) >= 500 {
		p.hostDown = helmdSaid(err)
	}
	if p.hostDown == "" {
		return ""
	}
	return p.hostDown + " " + p.hubName() + " answers: this page shows what the machine last sent, and tries again every " +
		itoa(int(pollEvery/time.Second)) + " s."
}

// answerer is who must answer again for more to load.
func (p *SessionPage) answerer() string {
	if p.hostDown != "" {
		return md.Clean(p.host)
	}
	return "helmd"
}

// hubName names the page's Helm.
func (p *SessionPage) hubName() string {
	if p.which.Host != "" {
		return md.Clean(p.which.Host)
	}
	return "This Helm"
}
