package ui

import (
	"testing"

	"vibecraft.sh/helm/app/feed"
)

// TestUpdateCheckAfterAnOfflineStart: the browser looks for a new build
// when a page loads. A page that loaded while helmd was down (an offline
// start, from the service worker) found none; helmd then started,
// upgraded, and the page went Live with the old client and no update
// notice for as long as it stayed open. Its first Live must ask, as a
// return after an outage does; a page Live from its load need not.
func TestUpdateCheckAfterAnOfflineStart(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []feed.State
		want  []bool // updateCheckDue at each step
	}{
		{"Live from the load", []feed.State{feed.Connecting, feed.Live},
			[]bool{false, false}},
		{"an offline start, then helmd", []feed.State{feed.Connecting, feed.Offline, feed.Connecting, feed.Live},
			[]bool{false, false, false, true}},
		{"an offline start, helmd found polling", []feed.State{feed.Connecting, feed.Offline, feed.Live},
			[]bool{false, false, true}},
		{"back after an outage", []feed.State{feed.Connecting, feed.Live, feed.Connecting, feed.Offline, feed.Connecting, feed.Live},
			[]bool{false, false, false, false, false, true}},
		{"a dropped stream, reopened", []feed.State{feed.Connecting, feed.Live, feed.Connecting, feed.Live},
			[]bool{false, false, false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHome(Seed{Now: now})
			for i, s := range tc.steps {
				if got := h.updateCheckDue(s); got != tc.want[i] {
					t.Errorf("step %d (%s): check %v, want %v", i, s, got, tc.want[i])
				}
				// What OnStatus does after the check.
				if s == feed.Live && h.conn.State != feed.Live {
					h.wasLive = true
				}
				h.conn.State = s
			}
		})
	}
}
