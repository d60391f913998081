package stream

import (
	"strings"
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
