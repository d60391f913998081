package ui

import (
	"encoding/json"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/md"
)

// On a fleet hub (helmd --fleet) the list costs every machine's sessions,
// while the usage page reads this machine's transcripts only: it says
// so, in one line.

// loadFleet asks once whether this Helm lists other machines' sessions
// (GET /api/status), and only then which machines (GET /api/fleet): a
// Helm without --fleet answers /api/fleet with a 404, which the browser
// logs as an error on every visit of the page.
func (p *UsagePage) loadFleet() {
	p.cleanups = append(p.cleanups, browser.Fetch("GET", "/api/status", func(body []byte, err error) {
		if err != nil || !listsOtherMachines(body) {
			return
		}
		p.ctx.Dispatch(func(app.Context) {
			p.cleanups = append(p.cleanups, browser.Fetch("GET", "/api/fleet", func(body []byte, err error) {
				line := thisMachineOnly(body, err)
				p.ctx.Dispatch(func(app.Context) { p.thisOnly = line })
			}))
		})
	}))
}

// listsOtherMachines reports whether GET /api/status's answer body counts
// sessions of other machines in the list (remoteSessions: a hub's).
func listsOtherMachines(body []byte) bool {
	var st map[string]any
	if json.Unmarshal(body, &st) != nil {
		return false
	}
	n, _ := st["remoteSessions"].(float64)
	return n > 0
}

// thisMachineOnly is the usage page's line on a hub whose GET /api/fleet
// answered body ("host", and "hosts" by name: decoded as a map[string]any,
// a type the client has already, not a struct of its own that the
// client would carry the decoding of), "" when the Helm lists no other
// machine. Names are text.
func thisMachineOnly(body []byte, err error) string {
	var f map[string]any
	if err != nil || json.Unmarshal(body, &f) != nil {
		return ""
	}
	hosts, _ := f["hosts"].(map[string]any)
	host, _ := f["host"].(string)
	n := len(hosts)
	if _, ok := hosts[host]; ok {
		n--
	}
	if n <= 0 {
		return ""
	}
	which, are := "This machine only", " are"
	if host != "" {
		which += " (" + md.Clean(host) + ")"
	}
	if n == 1 {
		are = " is"
	}
	return which + ": the list's " + plural(n, "other machine", "other machines") + are + " not counted here."
}
