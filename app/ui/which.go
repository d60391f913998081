package ui

import (
	"net"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/list"
)

// Which says which Helm a page is of: the machine whose sessions it
// shows (helmd's --host-name) and whether they are a demo's.
type Which struct {
	Host string
	Demo bool
	// Instance is the helmd's identity (Seed.Instance): a page that
	// knows it refuses another helmd's list at the same address.
	Instance string
}

// renderWhich says which Helm this is: the machine whose sessions the
// list shows, and "Demo" for a simulated one. Two tabs on two machines,
// or a page that outlived its helmd, are told apart at a glance.
func (h *Home) renderWhich() app.UI {
	return renderWhich(Which{Host: h.host, Demo: h.demo, Instance: h.instance})
}

// renderWhich is the list's, the session page's and the usage page's
// mark of which Helm they are of; PageWhich reads it back from the page.
func renderWhich(w Which) app.UI {
	span := el.Span().Class("which")
	if w.Instance != "" {
		span = span.DataSet("instance", attr(w.Instance))
	}
	return span.Body(
		app.If(w.Host != "", func() app.UI {
			return el.Span().ID("host").Title("%s", attr("The sessions of the machine "+w.Host+" (helmd --host-name)")).Text(w.Host)
		}),
		app.If(w.Demo, func() app.UI {
			return el.Span().ID("demo").Title("A simulated workspace (helmd --demo): none of these sessions are real").Text("Demo")
		}),
	)
}

// PageWhich reads which Helm the page is of from the page the client is
// about to replace: the server's render of the page, or the list,
// session or usage page the user comes from, each of which marks it
// (renderWhich).
// A session page has no seed of its own to carry it, and the list the
// user goes back to from one finds no seed in the page either (PageSeed).
func PageWhich() Which {
	doc := app.Window().Get("document")
	if !doc.Truthy() {
		return Which{}
	}
	var w Which
	if node := doc.Call("getElementById", "host"); node.Truthy() {
		w.Host = node.Get("textContent").String()
	}
	w.Demo = doc.Call("getElementById", "demo").Truthy()
	if node := doc.Call("querySelector", ".which[data-instance]"); node.Truthy() {
		w.Instance = node.Call("getAttribute", "data-instance").String()
	}
	return w
}

// pagesHelm names the Helm a page belongs to, for a notice that another
// one answers at its address: by its machine when it has one.
func pagesHelm(host string) string {
	if host != "" {
		return "the Helm on " + host
	}
	return "this page's Helm"
}

// renderElsewhere replaces the list when the address answers as another
// Helm: what this page showed is no longer that server's, and what that
// server has is not this page's to show. The feed keeps checking: the
// list comes back by itself when its Helm answers here again.
func (h *Home) renderElsewhere() app.UI {
	which := pagesHelm(h.host)
	return el.Div().ID("elsewhere").Class("notice").Role("alert").Body(
		el.P().Text("This page showed the sessions of "+which+". The address now answers as another Helm, so that list is hidden until "+which+" answers here again."),
		el.Button().Class("primary").Text("Reload to see its sessions").OnClick(h.onReload),
	)
}

// forget drops the list when another Helm answers at the address: its
// counts, waiting badge and title would still speak for a server that is
// gone. The saved copy stays, for an offline start; on this Helm's
// return the feed brings its whole list anew.
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
	return Which{Host: host, Demo: demo}.title(DocumentTitle(waiting), urlHost)
}

// title is a page's document title t of w's Helm, opened at the URL host
// name urlHost: marked Demo for a demo's, and named after the machine
// when the page is not opened on it (a tab per server).
func (w Which) title(t, urlHost string) string {
	if w.Demo {
		t += " · Demo"
	}
	if w.Host != "" && !isLoopback(urlHost) {
		t += " · " + w.Host
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
