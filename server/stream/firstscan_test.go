package stream

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/httperr"
	"vibecraft.sh/helm/shared"
)

// A stream opened while helmd's first scan runs (HoldStreams' channel
// still open) is answered at once, its head marked X-Helm-First-Scan,
// and kept alive: held before its head, as it was, a scan longer than a
// client's bound on the wait for one (helmd watch's 15 s, a proxy's)
// failed the connection. Its first event is the list the scan
// published, not the empty one before it; so on a full-list stream, the
// original client's.
func TestStreamAnswersBeforeTheScanAndSendsTheScannedList(t *testing.T) {
	r := newRig(t, Options{Keepalive: 20 * time.Millisecond})
	ready := make(chan struct{})
	r.hub.HoldStreams(ready)
	full := httptest.NewServer(r.hub.FullListHandler(claudeOnly, nil))
	t.Cleanup(full.Close) // after the hub's Close, which ends its streams
	fr := &rig{hub: r.hub, srv: full, client: r.client}

	streams := map[string]*sseClient{"/all": r.connect(t, "/all", ""), "full list": fr.connect(t, "/", "")}
	for name, c := range streams {
		if c.Resp.Header.Get(httperr.FirstScanHeader) != "1" || c.Resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
			t.Errorf("%s: head %v; want an event stream marked %s", name, c.Resp.Header, httperr.FirstScanHeader)
		}
		if f := c.next(t); f.Retry != "3000" {
			t.Errorf("%s: first block %+v; want the retry field", name, f)
		}
		if f := c.next(t); f.Event != "keepalive" {
			t.Fatalf("%s: while the scan runs: %+v; want a keepalive", name, f)
		}
	}
	if n := r.hub.Stats().Clients; n != 0 {
		t.Errorf("%d clients subscribed before the scan; want none", n)
	}
	r.hub.Publish(shared.EventRefresh, []shared.Session{sess("a", shared.SourceClaude, 1)}) // the scan's list
	close(ready)
	for name, c := range streams {
		f := c.event(t)
		if ev := f.decode(t); f.Event != "init" || ids(ev.Sessions) != "a" {
			t.Errorf("%s: first event %s %s; want the init of the scanned list", name, f.Event, f.Data)
		}
	}
	// A stream opened after the scan is a stream as ever, unmarked.
	c := r.connect(t, "/all", "")
	if c.Resp.Header.Get(httperr.FirstScanHeader) != "" {
		t.Errorf("a stream after the scan is marked %s", httperr.FirstScanHeader)
	}
	if f := c.opening(t); f.Event != "init" || ids(f.decode(t).Sessions) != "a" {
		t.Errorf("after the scan: %+v", f)
	}
}

// A stream that waits for the first scan lets go of its connection when
// its client leaves, and helmd stopped during the scan does not wait on
// one: the hub's Close ends it (newRig checks no goroutine is left).
func TestStreamWaitingForTheScanEnds(t *testing.T) {
	r := newRig(t, Options{})
	r.hub.HoldStreams(make(chan struct{}))
	left := r.connect(t, "/all", "")
	left.next(t) // the retry field: the head is out
	left.close()
	c := r.connect(t, "/all", "")
	c.next(t)
	closed := make(chan struct{})
	go func() { r.hub.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the hub's Close waits for a stream that waits for the first scan")
	}
	c.ended(t, 5*time.Second)
	if resp, cancel := r.get(t, "/all", nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a stream opened after the hub closed: %d; want 503", resp.StatusCode)
		resp.Body.Close()
		cancel()
	} else {
		resp.Body.Close()
		cancel()
	}
}
