package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"vibecraft.sh/helm/server/fleet"
	"vibecraft.sh/helm/server/fleet/pages"
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

	conn, err := fleet.Connect(fleet.ConnOptions{URLs: n.url(), Token: natsTestToken, Name: "late"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kv, err := fleet.OpenBucket(ctx, conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	late := time.Now().Add(-10 * time.Minute)
	own := shared.Session{ID: sid, Source: shared.SourceClaude, Title: "late one", Status: shared.StatusIdle,
		CreatedAt: late.Add(-time.Hour).UnixMilli(), UpdatedAt: late.Add(-20 * time.Second).UnixMilli()}
	s, _ := json.Marshal(own)
	for key, value := range map[string][]byte{
		fleet.HeartbeatKey("late"):                         fmt.Appendf(nil, `{"at":%d,"ttlMs":120000}`, late.UnixMilli()),
		fleet.SessionKey("late", shared.SourceClaude, sid): s,
	} {
		if _, err := kv.Put(ctx, key, value); err != nil {
			t.Fatal(err)
		}
	}
	svc, err := pages.Serve(conn.NC, "late", "1.0.0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(shared.SessionDetail{Session: own, Transcripts: []string{"/late/" + sid + ".jsonl"}})
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = svc.Stop() }()
	if err := conn.NC.Flush(); err != nil { // the server has its subscription: the hub's request finds it
		t.Fatal(err)
	}

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
