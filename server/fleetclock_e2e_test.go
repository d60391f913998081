package main

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"vibecraft.sh/helm/server/fleet"
	"vibecraft.sh/helm/server/fleet/fleettest"
	"vibecraft.sh/helm/shared"
)

// A machine whose clock is 10 min behind the hub's: the hub lists its
// session with the offset, and the header of its page, which the
// machine answers over NATS knowing nothing of its clock, comes from the
// hub with the offset and the machine's name in it, so that the page
// tells how long ago on the hub's clock. The machine here is the test:
// its heartbeat and session written into the bucket as its helmd would,
// its pages served as its helmd serves them.
func TestHubAmendsARemoteHeaderWithItsClock(t *testing.T) {
	const sid = "5c1f0b2e-8a4d-4c1e-9f3a-0000000000d1"
	n := startTestNATS(t)
	hub := &machine{host: "hub", dir: t.TempDir(), args: []string{"--fleet", "--nats", n.url(), "--nats-token", natsTestToken}}
	hub.start(t)

	late := time.Now().Add(-10 * time.Minute)
	own := shared.Session{ID: sid, Source: shared.SourceClaude, Title: "late one", Status: shared.StatusIdle,
		CreatedAt: late.Add(-time.Hour).UnixMilli(), UpdatedAt: late.Add(-20 * time.Second).UnixMilli()}
	m := fleettest.Join(t, fleet.ConnOptions{URLs: n.url(), Token: natsTestToken}, "late")
	m.Put(t, late, own)
	m.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(shared.SessionDetail{Session: own, Transcripts: []string{"/late/" + sid + ".jsonl"}})
	}))

	behind := func(ms int32) bool {
		d := time.Duration(ms) * time.Millisecond
		return d > -10*time.Minute-5*time.Second && d < -10*time.Minute+5*time.Second
	}
	waitFor(t, "late's session on the hub, with its clock", func() bool {
		for _, s := range hub.srv.sessions(t) {
			if s.Host == "late" && s.ID == sid {
				return behind(s.HostClockAheadMs)
			}
		}
		return false
	})
	var d shared.SessionDetail
	getJSON(t, hub.srv.URL+"/api/sessions/claude/"+sid+"?host=late", &d)
	if !behind(d.Session.HostClockAheadMs) || d.Session.Host != "late" || d.Session.Title != "late one" || len(d.Transcripts) != 1 {
		t.Errorf("the hub's header of late's session: %+v; want the machine's, 10 min behind, named late", d)
	}
}
