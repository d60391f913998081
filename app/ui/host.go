package ui

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/shared"
)

// A fleet (helmd --fleet) lists other machines' sessions too. The host
// filter and each row's host appear only when more than one machine is
// known; a machine whose helmd went silent has its sessions greyed.

// manyHosts reports whether the list holds sessions of several machines.
func (h *Home) manyHosts() bool { return len(h.sessions.Hosts()) > 1 }

// renderHostFilter is the machine <select>, or nothing with one machine.
// Its id is "machine": the header's #host already names this machine
// (which.go), and an id must be unique.
func (h *Home) renderHostFilter() app.UI {
	hosts := h.sessions.Hosts()
	if len(hosts) < 2 && h.query.Host == "" {
		return nil
	}
	opts := []option{{anyValue, fmt.Sprintf("All machines (%d)", len(hosts))}}
	for _, x := range hosts {
		label := fmt.Sprintf("%s (%s)", md.Clean(x.Name), grouped(x.Sessions)) // the value stays the name: the filter's key
		if x.Offline {
			label += " · offline"
		}
		if span, way := shared.ClockOff(x.ClockAheadMs); span != "" {
			label += " · clock " + span + " " + strings.TrimSuffix(way, " of")
		}
		opts = append(opts, option{x.Name, label})
	}
	return h.renderSelect("machine", "Machine", orAll(h.query.Host), h.onHost, opts)
}

func (h *Home) onHost(ctx app.Context, _ app.Event) {
	q := h.query
	q.Host = fromAll(ctx.JSSrc().Get("value").String())
	h.setQuery(ctx, q)
}

// withHost adds the machine to a row when several are listed, and greys
// the row of a machine that went offline. The name is text, never markup.
func withHost(row app.UI, s *shared.Session, many bool) app.UI {
	li, ok := row.(app.HTMLElem)
	if !ok {
		return row
	}
	var tip []string
	if s.HostOffline {
		li = li.Class("offline")
		tip = append(tip, md.Clean(s.Host)+" is offline: its last known state.")
	}
	if off := clockAgainstHub(int64(s.HostClockAheadMs)); off != "" {
		li = li.DataSet("clock", "off")
		tip = append(tip, md.Clean(s.Host)+"'s clock is "+off+": how long ago is told on the hub's clock.")
	}
	if len(tip) > 0 {
		li = li.Title("%s", attr(strings.Join(tip, " ")))
	}
	if !many || s.Host == "" {
		return li
	}
	return li.DataSet("host", attr(md.Clean(s.Host))) // shown by the stylesheet (attr(data-host))
}

// clockAgainstHub says, as a sentence ends it, how far a machine's clock
// is off the hub's ("10 min behind this hub's", "2 h ahead of this
// hub's"; shared.ClockOff), "" under a minute. The times a page shows as
// how long ago are on the hub's clock (Session.OnHubClock), but those the
// machine wrote (a message's clock time) are on its own.
func clockAgainstHub(aheadMs int64) string {
	if span, way := shared.ClockOff(aheadMs); span != "" {
		return span + " " + way + " this hub's"
	}
	return ""
}

// withHost adds the page's machine to an API query.
func (p *SessionPage) withHost(q url.Values) url.Values {
	if p.host == "" {
		return q
	}
	if q == nil {
		q = url.Values{}
	}
	q.Set("host", p.host)
	return q
}
