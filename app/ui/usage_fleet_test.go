package ui

import (
	"testing"
	"time"

	"vibecraft.sh/helm/app/browser"
)

// On a fleet hub the usage page's figures are its own machine's, beside
// a list of several: it says so in one line, read from GET /api/fleet as
// the hub answers it. A lone helmd, or a hub that lists no other
// machine, says nothing.
func TestUsageOnAHubSaysThisMachineOnly(t *testing.T) {
	readAt := time.Date(2026, 3, 2, 14, 5, 0, 0, time.Local)
	for _, tc := range []struct{ name, fleet, want string }{
		{"hub and two machines", `{"host":"alpha","connected":true,"view":{},"hosts":{"alpha":{"offline":false},"beta":{"offline":false},"gamma":{"offline":true}}}`,
			"This machine only (alpha): the list's 2 other machines are not counted here."},
		{"hub and one machine", `{"host":"alpha","hosts":{"alpha":{},"<b>beta</b>":{}}}`,
			"This machine only (alpha): the list's 1 other machine is not counted here."},
		{"hub alone", `{"host":"alpha","hosts":{"alpha":{}}}`, ""},
		{"a publisher", `{"host":"beta","connected":true,"publish":{}}`, ""},
		{"no fleet", ``, ""},
	} {
		p := usagePageWith(readAt, nil)
		var err error
		if tc.fleet == "" {
			err = &browser.HTTPError{Status: 404} // a Helm without --fleet
		}
		p.thisOnly = thisMachineOnly([]byte(tc.fleet), err)
		page := renderUI(t, p.Render())
		line := page.byID("this-machine")
		switch {
		case tc.want == "" && line != nil:
			t.Errorf("%s: the page says %q", tc.name, line.content())
		case tc.want != "" && (line == nil || line.content() != tc.want):
			t.Errorf("%s: the page says %v, want %q", tc.name, line, tc.want)
		}
	}
}

// The usage page asks /api/fleet only of a Helm whose status counts
// other machines' sessions: elsewhere that answer is a 404, an error in
// the browser's console at every visit.
func TestUsageAsksForTheFleetOnlyOfAHub(t *testing.T) {
	for body, want := range map[string]bool{
		`{"listed":12,"remoteSessions":9}`: true,
		`{"listed":3,"remoteSessions":0}`:  false,
		`{"listed":3}`:                     false,
		`{"remoteSessions":"9"}`:           false,
		`not json`:                         false,
	} {
		if got := listsOtherMachines([]byte(body)); got != want {
			t.Errorf("listsOtherMachines(%s) = %v, want %v", body, got, want)
		}
	}
}
