package stream

import (
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

func TestInitHeadersAndState(t *testing.T) {
	clock := time.UnixMilli(1_700_000_000_123)
	r := newRig(t, Options{Now: func() time.Time { return clock }})
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{
		sess("a", shared.SourceClaude, 10), sess("b", shared.SourceOpenCode, 30), sess("c", shared.SourceClaude, 20),
	})
	r.hub.Publish(shared.EventSessionUpdated, []shared.Session{sess("a", shared.SourceClaude, 40)})
	r.hub.Publish(shared.EventSessionDeleted, []shared.Session{sess("c", shared.SourceClaude, 20)})

	c := r.connect(t, "/all", "")
	for k, want := range map[string]string{
		"Content-Type":      "text/event-stream; charset=utf-8",
		"Cache-Control":     "no-cache",
		"X-Accel-Buffering": "no",
	} {
		if got := c.Resp.Header.Get(k); got != want {
			t.Errorf("header %s: got %q, want %q", k, got, want)
		}
	}
	f := c.opening(t)
	if f.Event != "init" || f.ID != r.hub.Epoch()+"-3" {
		t.Fatalf("want init with id %s-3, got %+v", r.hub.Epoch(), f)
	}
	ev := f.decode(t)
	if got := ids(ev.Sessions); got != "a,b" { // c deleted; newest first
		t.Errorf("init sessions: got %s, want a,b", got)
	}
	if ev.Sessions[0].UpdatedAt != 40 || ev.Timestamp != clock.UnixMilli() {
		t.Errorf("init carries a stale state or the wrong time: %+v", ev)
	}
	if s, ok := r.hub.Lookup(sess("a", shared.SourceClaude, 0).Key()); !ok || s.UpdatedAt != 40 {
		t.Errorf("Lookup(a) = %+v, %v", s, ok)
	}
	if _, ok := r.hub.Lookup(sess("c", shared.SourceClaude, 0).Key()); ok {
		t.Error("Lookup finds a deleted session")
	}

	// A refresh replaces the state: later inits carry exactly it.
	r.hub.Publish(shared.EventRefresh, []shared.Session{
		sess("d", shared.SourceClaude, 5), sess("e", shared.SourceOpenCode, 6), sess("d", shared.SourceClaude, 7),
	})
	f = c.event(t)
	if ev := f.decode(t); f.Event != "refresh" || ids(ev.Sessions) != "d,e" || ev.Sessions[0].UpdatedAt != 7 {
		t.Fatalf("refresh: %+v", f)
	}
	if got := ids(r.hub.Snapshot()); got != "d,e" {
		t.Errorf("Snapshot after refresh: %s", got)
	}
	c2 := r.connect(t, "/all", "")
	if f := c2.opening(t); ids(f.decode(t).Sessions) != "d,e" || f.ID != r.hub.Epoch()+"-4" {
		t.Errorf("init after refresh: %+v", f)
	}
	st := r.hub.Stats()
	if st.Published != 4 || st.Sessions != 2 || st.Clients != 2 || st.Inits != 2 || st.HistoryEvents != 4 || st.Epoch != r.hub.Epoch() {
		t.Errorf("stats: %+v", st)
	}
}

func TestInitBeforeAnyPublish(t *testing.T) {
	r := newRig(t, Options{})
	f := r.connect(t, "/all", "").opening(t)
	if f.Event != "init" || f.ID != r.hub.Epoch()+"-0" || f.Data == "" || len(f.decode(t).Sessions) != 0 {
		t.Fatalf("empty init: %+v", f)
	}
}

func TestChangeEvents(t *testing.T) {
	r := newRig(t, Options{})
	c := r.connect(t, "/all", "")
	c.opening(t)
	steps := []struct {
		typ  shared.EventType
		in   []shared.Session
		want string
	}{
		{shared.EventSessionCreated, []shared.Session{sess("a", shared.SourceClaude, 1), sess("b", shared.SourceOpenCode, 2)}, "a,b"},
		{shared.EventSessionUpdated, []shared.Session{sess("b", shared.SourceOpenCode, 3)}, "b"},
		{shared.EventSessionDeleted, []shared.Session{sess("a", shared.SourceClaude, 1)}, "a"},
		{shared.EventRefresh, nil, ""}, // a refresh of nothing still goes out: it empties the list
	}
	for i, s := range steps {
		r.hub.Publish(s.typ, s.in)
		f := c.event(t)
		ev := f.decode(t)
		if f.Event != string(s.typ) || ids(ev.Sessions) != s.want || f.seq(t, r.hub.Epoch()) != uint64(i+1) {
			t.Errorf("step %d: got %s %s [%s], want %s seq %d [%s]", i, f.Event, f.ID, ids(ev.Sessions), s.typ, i+1, s.want)
		}
	}
}

func TestFilteredHandler(t *testing.T) {
	r := newRig(t, Options{})
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("oc0", shared.SourceOpenCode, 1), sess("cl0", shared.SourceClaude, 2)})
	all := r.connect(t, "/all", "")
	cl := r.connect(t, "/claude", "")
	if got := ids(all.opening(t).decode(t).Sessions); got != "cl0,oc0" {
		t.Errorf("unfiltered init: %s", got)
	}
	ce := r.epoch("/claude")
	if f := cl.opening(t); ids(f.decode(t).Sessions) != "cl0" || f.ID != ce+"-1" {
		t.Errorf("claude init: %+v", f)
	}

	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("oc1", shared.SourceOpenCode, 3)})                                      // 2: not for claude
	r.hub.Publish(shared.EventSessionUpdated, []shared.Session{sess("oc1", shared.SourceOpenCode, 4), sess("cl0", shared.SourceClaude, 5)}) // 3: claude part only
	r.hub.Publish(shared.EventSessionDeleted, []shared.Session{sess("oc0", shared.SourceOpenCode, 1)})                                      // 4: not for claude
	r.hub.Publish(shared.EventRefresh, []shared.Session{sess("oc1", shared.SourceOpenCode, 4)})                                             // 5: empty for claude, still sent

	want := []struct {
		seq      uint64
		typ, ids string
	}{{3, "session-updated", "cl0"}, {5, "refresh", ""}}
	for _, w := range want {
		f := cl.event(t)
		if f.seq(t, ce) != w.seq || f.Event != w.typ || ids(f.decode(t).Sessions) != w.ids {
			t.Errorf("claude stream: got %s %s [%s], want seq %d %s [%s]", f.ID, f.Event, ids(f.decode(t).Sessions), w.seq, w.typ, w.ids)
		}
	}
	for seq := uint64(2); seq <= 5; seq++ { // the unfiltered stream gets everything
		if f := all.event(t); f.seq(t, r.hub.Epoch()) != seq {
			t.Errorf("unfiltered stream: got %s, want seq %d", f.ID, seq)
		}
	}
	// A filtered resume replays only what the filter keeps.
	cl2 := r.connect(t, "/claude", ce+"-1")
	if f := cl2.next(t); f.Retry != "3000" {
		t.Fatalf("resume: want retry first, got %+v", f)
	}
	for _, w := range want {
		if f := cl2.event(t); f.seq(t, ce) != w.seq || ids(f.decode(t).Sessions) != w.ids {
			t.Errorf("claude replay: got %s [%s], want %d [%s]", f.ID, ids(f.decode(t).Sessions), w.seq, w.ids)
		}
	}
}

func TestKeepalive(t *testing.T) {
	clock := time.UnixMilli(42_000)
	r := newRig(t, Options{Keepalive: 20 * time.Millisecond, Now: func() time.Time { return clock }})
	c := r.connect(t, "/all", "")
	c.opening(t)
	check := func() {
		t.Helper()
		f := c.next(t)
		if f.Event != "keepalive" {
			t.Fatalf("want a keepalive, got %+v", f)
		}
		if f.HasID {
			t.Errorf("keepalive has an id (%q): it would move the resume cursor", f.ID)
		}
		if f.Data != `{"type":"keepalive","sessions":[],"timestamp":42000}` {
			t.Errorf("keepalive data: %s", f.Data)
		}
	}
	check()
	check()
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("a", shared.SourceClaude, 1)})
	if f := c.event(t); f.ID != r.hub.Epoch()+"-1" {
		t.Fatalf("after keepalives: %+v", f)
	}
	check()
}

func TestPublishIgnoresWhatItCannotSend(t *testing.T) {
	r := newRig(t, Options{})
	c := r.connect(t, "/all", "")
	c.opening(t)
	r.hub.Publish(shared.EventInit, []shared.Session{sess("x", shared.SourceClaude, 1)})
	r.hub.Publish(shared.EventKeepalive, nil)
	r.hub.Publish("session-exploded\nid: 9", []shared.Session{sess("x", shared.SourceClaude, 1)})
	r.hub.Publish(shared.EventSessionUpdated, nil) // nothing changed: no event
	nan := sess("n", shared.SourceClaude, 2)
	nan.CostUSD = math.NaN()
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{nan})

	f := c.event(t)
	if f.ID != r.hub.Epoch()+"-1" || f.Event != "session-created" {
		t.Fatalf("want the NaN-cost session as event 1, got %+v", f)
	}
	if ev := f.decode(t); ids(ev.Sessions) != "n" || ev.Sessions[0].CostUSD != 0 {
		t.Errorf("NaN cost: %+v", ev.Sessions)
	}
	if st := r.hub.Stats(); st.Ignored != 3 || st.Published != 1 || st.Sessions != 1 {
		t.Errorf("stats: %+v", st)
	}
}

func TestMethods(t *testing.T) {
	r := newRig(t, Options{})
	tests := []struct {
		method string
		status int
		ctype  string
	}{
		{http.MethodHead, http.StatusOK, "text/event-stream; charset=utf-8"},
		{http.MethodPost, http.StatusMethodNotAllowed, "application/json; charset=utf-8"}, // the one error body
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, r.srv.URL+"/claude", strings.NewReader(""))
		resp, err := r.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.ctype {
			t.Errorf("%s: %d %q", tc.method, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if n := r.hub.Stats().Clients; n != 0 {
		t.Errorf("HEAD or POST registered %d clients", n)
	}
}

func TestSnapshotIsACopy(t *testing.T) {
	h := NewHub(Options{})
	defer h.Close()
	in := []shared.Session{sess("a", shared.SourceClaude, 1), sess("b", shared.SourceClaude, 2)}
	h.Publish(shared.EventSessionCreated, in)
	in[0].Title = "changed by the caller"
	snap := h.Snapshot()
	snap[0].Title = "changed by a reader"
	if got := h.Snapshot(); got[0].Title != "t-b" || got[1].Title != "t-a" {
		t.Errorf("the published state changed from outside: %+v", got)
	}
	if st := h.Stats(); st.Published != 1 || len(st.Epoch) != 16 || strings.Trim(st.Epoch, "0123456789abcdef") != "" {
		t.Errorf("stats: %+v", st)
	}
	if other := NewHub(Options{}); other.Epoch() == h.Epoch() {
		t.Error("two hubs share an epoch")
	}
}
