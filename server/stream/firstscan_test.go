package stream

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

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

// The streams that wait for the first scan hold their slots of
// MaxClients: taken over from net/http, they are in no other count, and
// uncounted, every stream a reconnect storm opened during a long scan
// stayed open, a descriptor each, however many. A stream that leaves
// gives its slot back, and every one that waited gets in once the scan
// is published.
func TestStreamsWaitingForTheScanHoldTheirSlots(t *testing.T) {
	r := newRig(t, Options{MaxClients: 2})
	ready := make(chan struct{})
	r.hub.HoldStreams(ready)
	a := r.connect(t, "/all", "")
	b := r.connect(t, "/claude", "")
	if resp, cancel := r.get(t, "/all", nil); resp.StatusCode != http.StatusServiceUnavailable {
		resp.Body.Close()
		cancel()
		t.Fatalf("a third stream while two wait, at MaxClients 2: %d; want 503", resp.StatusCode)
	} else {
		resp.Body.Close()
		cancel()
	}
	b.next(t) // the head is out: b waits
	b.close()
	var c *sseClient // in b's slot, once helmd has seen b leave
	waitFor(t, 5*time.Second, "the slot of a stream that left", func() bool {
		resp, cancel := r.get(t, "/all", nil)
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			cancel()
			return false
		}
		c = readStream(t, resp, cancel)
		return true
	})
	r.hub.Publish(shared.EventRefresh, []shared.Session{sess("a", shared.SourceClaude, 1)}) // the scan's list
	close(ready)
	for _, s := range []*sseClient{a, c} {
		if f := s.next(t); f.Retry != "3000" {
			t.Fatalf("first block %+v; want the retry field", f)
		}
		if f := s.event(t); f.Event != "init" || ids(f.decode(t).Sessions) != "a" {
			t.Errorf("a stream that waited: %s %s; want the init of the scanned list", f.Event, f.Data)
		}
	}
	if n := r.hub.Stats().Clients; n != 2 {
		t.Errorf("%d clients once the scan is published; want the 2 that waited", n)
	}
}

// A socket that waits for the first scan holds its slot of MaxClients
// as a stream does, and gives it back when it leaves.
func TestWSWaitingForTheScanHoldsItsSlot(t *testing.T) {
	r := newWSRig(t, Options{MaxClients: 1}, WSOptions{Ready: make(chan struct{})})
	ws, _, err := r.dial(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, resp, err := r.dial(t, "", nil); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a second socket while one waits, at MaxClients 1: %v; want 503", err)
	}
	ws.conn.CloseNow()
	waitFor(t, 5*time.Second, "the slot of a socket that left", func() bool {
		c, _, err := r.dial(t, "", nil)
		if err == nil {
			c.conn.CloseNow()
		}
		return err == nil
	})
}

// A socket that sends a request while the first scan runs and leaves is
// let go at once: the request waited for the scan in the socket's only
// reader, which then saw nothing of the peer leaving, so the socket and
// its slot were held until the scan ended.
func TestWSLeftWithARequestDuringTheScanIsLetGo(t *testing.T) {
	r := newWSRig(t, Options{MaxClients: 1}, WSOptions{Ready: make(chan struct{}), Clearer: &fakeClearer{}})
	ws, _, err := r.dial(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.send(t, websocket.MessageText, `{"type":"clear","session":"claude:a"}`)
	ws.conn.CloseNow()
	waitFor(t, 3*time.Second, "the slot of a socket that left with a request", func() bool {
		c, _, err := r.dial(t, "", nil)
		if err == nil {
			c.conn.CloseNow()
		}
		return err == nil
	})
}

// A socket that waits for the first scan sends what a quiet subscribed
// socket sends, a keepalive message with a ping each period, until the
// scanned list: silent, it tripped the page's watchdog (nothing for two
// keepalive periods: reconnect) again and again during a long scan.
func TestWSWaitingForTheScanSendsKeepalives(t *testing.T) {
	ready := make(chan struct{})
	r := newWSRig(t, Options{Keepalive: 20 * time.Millisecond}, WSOptions{Ready: ready})
	ws, _, err := r.dial(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		select {
		case m, ok := <-ws.msgs:
			if !ok {
				t.Fatalf("socket ended while the scan runs: %v", ws.err)
			}
			if m.Event != "keepalive" || m.ID != "" {
				t.Fatalf("while the scan runs: %s %q %s; want a keepalive without an id", m.Event, m.ID, m.Data)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no message within 5s while the scan runs; want a keepalive each 20ms")
		}
	}
	r.hub.Publish(shared.EventRefresh, []shared.Session{sess("a", shared.SourceClaude, 1)}) // the scan's list
	close(ready)
	if m := ws.next(t); m.Event != "init" {
		t.Fatalf("after the scan: %s %s; want the init", m.Event, m.Data)
	}

	// Its keepalive pings: a peer that answers none is seen at the first.
	r2 := newWSRig(t, Options{Keepalive: 20 * time.Millisecond}, WSOptions{Ready: make(chan struct{})})
	_, br := rawWS(t, r2)
	waitForPing(t, br)
}

// The streams and sockets that wait for the first scan are counted in
// Stats (GET /api/status) as waiting: they hold slots of MaxClients, and
// with only subscribed clients counted an operator saw "0 clients" while
// new streams were refused for too many.
func TestStatsCountWhatWaitsForTheScan(t *testing.T) {
	ready := make(chan struct{})
	r := newWSRig(t, Options{}, WSOptions{Ready: ready})
	r.hub.HoldStreams(ready)
	ws, _, err := r.dial(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	conn, _, head := rawGet(t, r.srv.Listener.Addr().String(), "GET /all HTTP/1.1")
	if !strings.HasPrefix(head, "HTTP/1.1 200") {
		t.Fatalf("a stream during the scan: %q", head)
	}
	if st := r.hub.Stats(); st.Waiting != 2 || st.Clients != 0 {
		t.Fatalf("a socket and a stream wait for the scan: %d waiting, %d clients; want 2 and 0", st.Waiting, st.Clients)
	}
	ws.conn.CloseNow()
	waitFor(t, 5*time.Second, "the socket that left to be counted out", func() bool { return r.hub.Stats().Waiting == 1 })
	close(ready)
	waitFor(t, 5*time.Second, "the stream that waited to subscribe", func() bool { return r.hub.Stats().Clients == 1 })
	if st := r.hub.Stats(); st.Waiting != 0 {
		t.Errorf("after the scan: %d waiting; want 0", st.Waiting)
	}
	conn.Close()
}
