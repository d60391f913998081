package stream

import (
	"encoding/json"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// session-updated carries only what changed since the stream last sent
// the session, on every view that sends changes; a client that applies
// what it gets holds exactly the published state.
func TestUpdatesCarryChanges(t *testing.T) {
	r := newRig(t, Options{})
	a := realistic(1)
	oc := realistic(2)
	oc.ID, oc.Source = "ses_oc", shared.SourceOpenCode
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{a, oc})

	all, claude := r.connect(t, "/all", ""), r.connect(t, "/claude", "")
	held := map[*sseClient]ssetest.List{}
	for _, c := range []*sseClient{all, claude} {
		held[c] = ssetest.List{}
		if _, err := held[c].Apply(shared.EventInit, []byte(c.opening(t).Data)); err != nil {
			t.Fatal(err)
		}
	}

	a2 := a
	a2.MessageCount, a2.Tokens.Output, a2.CostUSD, a2.Status, a2.UpdatedAt = 49, 70000, 1.3, shared.StatusWaiting, a.UpdatedAt+1000
	a3 := a2
	a3.Status, a3.Active = shared.StatusIdle, false
	oc2 := oc
	oc2.Title = "renamed"
	// a twice in one event: the second change is from the first.
	r.hub.Publish(shared.EventSessionUpdated, []shared.Session{a2, oc2, a3})

	wantAll := `{"type":"session-updated","sessions":[` +
		`{"id":"` + a.ID + `","source":"claude","messageCount":49,"tokens":{"input":12345,"output":70000,"cacheRead":1234567,"cacheWrite":89012,"cacheWrite1h":0},"costUsd":1.3,"status":"waiting","updatedAt":1763990001001},` +
		`{"id":"ses_oc","source":"opencode","title":"renamed"},` +
		`{"id":"` + a.ID + `","source":"claude","status":"idle","active":false}` +
		`],"timestamp":`
	wantClaude := `{"type":"session-updated","sessions":[` +
		`{"id":"` + a.ID + `","source":"claude","messageCount":49,"tokens":{"input":12345,"output":70000,"cacheRead":1234567,"cacheWrite":89012,"cacheWrite1h":0},"costUsd":1.3,"status":"waiting","updatedAt":1763990001001},` +
		`{"id":"` + a.ID + `","source":"claude","status":"idle","active":false}` +
		`],"timestamp":`

	for _, tc := range []struct {
		name string
		c    *sseClient
		want string
		keys []string
	}{
		{"/all", all, wantAll, []string{a.Key(), oc.Key()}},
		{"/claude", claude, wantClaude, []string{a.Key()}},
	} {
		f := tc.c.event(t)
		if f.Event != "session-updated" || !strings.HasPrefix(f.Data, tc.want) {
			t.Errorf("%s: got  %s\nwant %s…", tc.name, f.Data, tc.want)
			continue
		}
		h := held[tc.c]
		if _, err := h.Apply(shared.EventSessionUpdated, []byte(f.Data)); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, k := range tc.keys {
			if pub, _ := r.hub.Lookup(k); h[k] != pub {
				t.Errorf("%s: the client holds %+v, the hub published %+v", tc.name, h[k], pub)
			}
		}
	}

	// An update of a session the stream never sent carries all of it.
	fresh := realistic(3)
	// Every field set, so the change is the whole session.
	fresh.Status, fresh.WaitingFor, fresh.WaitingSince, fresh.ClearedAt = shared.StatusWaiting, "input needed", 1763990000001, 1763990000002
	fresh.Question = "Shall I also fix the retry?"
	r.hub.Publish(shared.EventSessionUpdated, []shared.Session{fresh})
	wholeFresh, _ := json.Marshal(fresh)
	if f := all.event(t); !strings.HasPrefix(f.Data, `{"type":"session-updated","sessions":[`+string(wholeFresh)) {
		t.Errorf("update of an unsent session: %s", f.Data)
	}
}
