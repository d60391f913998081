package ui

import (
	"net"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/list"
)

// renderWhich says which Helm this is: the machine whose sessions the
// list shows (helmd's --host-name), and "Demo" for a simulated one. Two
// tabs on two machines, or a page that outlived its helmd, are told
// apart at a glance.
func (h *Home) renderWhich() app.UI {
	return app.Span().Class("which").Body(
		app.If(h.host != "", func() app.UI {
			return app.Span().ID("host").Title("%s", attr("The sessions of the machine "+h.host+" (helmd --host-name)")).Text(h.host)
		}),
		app.If(h.demo, func() app.UI {
			return app.Span().ID("demo").Title("A simulated workspace (helmd --demo): none of these sessions are real").Text("Demo")
		}),
	)
}

// renderElsewhere replaces the list when the address answers as another
// Helm: what this page showed is no longer that server's, and what that
// server has is not this page's to show.
func (h *Home) renderElsewhere() app.UI {
	which := "this page's Helm"
	if h.host != "" {
		which = "the Helm on " + h.host
	}
	return app.Div().ID("elsewhere").Class("notice").Role("alert").Body(
		app.P().Text("This page showed the sessions of "+which+". The address now answers as another Helm, so that list is hidden."),
		app.Button().Class("primary").Text("Reload to see its sessions").OnClick(h.onReload),
	)
}

// forget drops the list when another Helm answers at the address: its
// counts, waiting badge and title would still speak for a server that is
// gone. The saved copy stays, for this Helm's return.
func (h *Home) forget(ctx app.Context) {
	h.sessions = list.New(nil)
	h.total = 0
	h.attention = nil
	h.syncTitle(ctx)
}

// pageTitle is the document title: the waiting count, the name, and the
// host when the page is not opened on this machine (a tab per server).
func (h *Home) pageTitle(ctx app.Context, waiting int) string {
	return titleFor(waiting, h.host, h.demo, ctx.Page().URL().Hostname())
}

// titleFor is the title for waiting sessions of host's Helm, opened at
// the URL host name urlHost.
func titleFor(waiting int, host string, demo bool, urlHost string) string {
	t := DocumentTitle(waiting)
	if demo {
		t += " · Demo"
	}
	if host != "" && !isLoopback(urlHost) {
		t += " · " + host
	}
	return t
}

// isLoopback reports whether a URL's host name is this machine.
func isLoopback(host string) bool {
	if host == "" || strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
