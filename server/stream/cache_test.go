package stream

import (
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

func TestInitFrameCache(t *testing.T) {
	now := time.UnixMilli(1_000_000)
	h := NewHub(Options{Now: func() time.Time { return now }})
	defer h.Close()
	v := h.Handler(claudeOnly).(*view)
	state := []shared.Session{sess("a", shared.SourceClaude, 2), sess("b", shared.SourceOpenCode, 1)}

	f1, _ := v.initFrame("e-1", state)
	f2, _ := v.initFrame("e-1", state)
	if &f1[0] != &f2[0] {
		t.Error("a second init at the same seq was encoded again")
	}
	f3, _ := v.initFrame("e-2", state)
	if &f3[0] == &f2[0] || string(f3) == string(f2) {
		t.Error("an init at another seq reused the old frame")
	}
	now = now.Add(initFresh)
	f4, _ := v.initFrame("e-2", state)
	if &f4[0] == &f3[0] {
		t.Error("a stale init frame was reused")
	}
	want := "event: init\nid: e-2\ndata: {\"type\":\"init\",\"sessions\":[" // only a, the Claude one
	if got := string(f4); got[:len(want)] != want || !strings.Contains(got, `"id":"a"`) || strings.Contains(got, `"id":"b"`) {
		t.Errorf("filtered init: %s", got)
	}
}

func TestFilteredFrameEncodedOncePerView(t *testing.T) {
	h := NewHub(Options{})
	defer h.Close()
	claude := h.Handler(claudeOnly).(*view)
	all := h.Handler(nil).(*view)
	h.Publish(shared.EventSessionUpdated, []shared.Session{sess("a", shared.SourceClaude, 1), sess("b", shared.SourceOpenCode, 2)})
	r, ok := h.hist.after(0, 1)
	if !ok || len(r) != 1 {
		t.Fatal("history")
	}
	rec := r[0]
	if f := rec.frameFor(all); &f[0] != &rec.frame[0] {
		t.Error("the unfiltered view does not share the published frame")
	}
	f1, f2 := rec.frameFor(claude), rec.frameFor(claude)
	if &f1[0] != &f2[0] || len(rec.variants) != 1 || len(f1) >= len(rec.frame) {
		t.Errorf("filtered variant: cached %d, %q", len(rec.variants), f1)
	}
}

// A handler made per request leaves nothing in the hub once its clients go.
func TestViewsAreDroppedWithTheirLastClient(t *testing.T) {
	h := NewHub(Options{})
	defer h.Close()
	v := h.Handler(claudeOnly).(*view)
	c1, _, _ := h.subscribe(v, "")
	c2, _, _ := h.subscribe(v, "")
	h.unsubscribe(c1)
	h.unsubscribe(c1) // twice is harmless
	if len(h.views) != 1 || h.Stats().Clients != 1 {
		t.Fatalf("views %d, clients %d", len(h.views), h.Stats().Clients)
	}
	h.unsubscribe(c2)
	if len(h.views) != 0 || h.Stats().Clients != 0 {
		t.Errorf("views %d, clients %d", len(h.views), h.Stats().Clients)
	}
}

// An encoded list is not kept once it may no longer be reused: at 100,000
// sessions the init frame held 85 MB for as long as the server ran after
// its first stream client, and a full-list view's last frame as much.
func TestEncodedListsAreLetGo(t *testing.T) {
	var mu sync.Mutex
	now := time.UnixMilli(1_000_000)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h := NewHub(Options{Now: clock})
	defer h.Close()
	h.Publish(shared.EventRefresh, []shared.Session{sess("a", shared.SourceClaude, 2)})
	v := h.Handler(claudeOnly).(*view)
	full := h.FullListHandler(nil, nil).(*view)
	if f, err := v.initFrame("e-1", h.Snapshot()); err != nil || len(f) == 0 {
		t.Fatal(f, err)
	}
	if f, _, err := full.fullFrame(shared.EventInit); err != nil || len(f) == 0 {
		t.Fatal(f, err)
	}
	held := func() (init, list bool) {
		v.mu.Lock()
		init = v.init.data != nil
		v.mu.Unlock()
		full.full.mu.Lock()
		list = full.full.frame.data != nil
		full.full.mu.Unlock()
		return
	}
	mu.Lock()
	now = now.Add(initFresh)
	mu.Unlock()
	waitFor(t, 10*time.Second, "the cached frames to be let go after their reuse window", func() bool {
		init, list := held()
		return !init && !list
	})
	// Dropped, not broken: the next client gets the list encoded anew.
	f, _, err := full.fullFrame(shared.EventInit)
	if err != nil || !strings.Contains(string(f), `"id":"a"`) {
		t.Fatalf("list after the drop: %q, %v", f, err)
	}
}
