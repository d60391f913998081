package stream

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"vibecraft.sh/helm/shared"
)

// wsMsg is one message of /api/sessions/ws as a client reads it.
type wsMsg struct {
	Event string          `json:"event"`
	ID    string          `json:"id"`
	Data  json.RawMessage `json:"data"`
	// Replies.
	Request, Session, Error string
	OK                      bool
}

type wsRig struct {
	hub *Hub
	srv *httptest.Server
}

type fakeClearer struct {
	mu   sync.Mutex
	keys []string
}

func (f *fakeClearer) Clear(_ context.Context, key string, waitingSince int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if waitingSince != 0 {
		key += "@" + strconv.FormatInt(waitingSince, 10)
	}
	f.keys = append(f.keys, key)
	return nil
}

// newWSRig serves a hub's SSE stream at /all and its WebSocket at /ws.
func newWSRig(t *testing.T, opts Options, wo WSOptions) *wsRig {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	h := NewHub(opts)
	mux := http.NewServeMux()
	mux.Handle("GET /all", h.Handler(nil))
	mux.Handle("GET /ws", h.WSHandler(wo))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(h.Close)
	return &wsRig{hub: h, srv: srv}
}

type wsClient struct {
	conn *websocket.Conn
	msgs chan wsMsg
	done chan struct{}
	err  error // why reading stopped, once msgs is closed
}

func (r *wsRig) dial(t *testing.T, query string, header http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.srv.URL, "http")+"/ws"+query,
		&websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		return nil, resp, err
	}
	c := &wsClient{conn: conn, msgs: make(chan wsMsg, 1024), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		defer close(c.msgs)
		for {
			_, b, err := conn.Read(context.Background())
			if err != nil {
				c.err = err
				return
			}
			var m wsMsg
			if err := json.Unmarshal(b, &m); err != nil {
				c.err = err
				return
			}
			c.msgs <- m
		}
	}()
	t.Cleanup(func() { conn.CloseNow(); <-c.done })
	return c, resp, nil
}

func (c *wsClient) next(t *testing.T) wsMsg {
	t.Helper()
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				t.Fatalf("socket ended: %v", c.err)
			}
			if m.Event != string(shared.EventKeepalive) {
				return m
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no message within 5s")
		}
	}
}

func (c *wsClient) send(t *testing.T, typ websocket.MessageType, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, typ, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

// The socket carries what the SSE stream carries: same types, ids and
// data, byte for byte, for a create, an update, a delete and a refresh.
func TestWSEventsAreTheSSEEvents(t *testing.T) {
	r := newWSRig(t, Options{}, WSOptions{})
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("a", shared.SourceClaude, 1)})

	resp, err := http.Get(r.srv.URL + "/all")
	if err != nil {
		t.Fatal(err)
	}
	sse := &sseClient{Resp: resp, frames: make(chan frame, 64), stop: make(chan struct{}), cancel: func() {}}
	sse.wg.Add(1)
	go func() {
		defer sse.wg.Done()
		defer close(sse.frames)
		sse.err = parseFrames(resp.Body, sse.frames, sse.stop)
	}()
	t.Cleanup(sse.close)
	ws, _, err := r.dial(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}

	sseInit, wsInit := sse.opening(t), ws.next(t)
	if wsInit.Event != "init" || wsInit.ID != sseInit.ID {
		t.Fatalf("init: ws %s %s, sse %s", wsInit.Event, wsInit.ID, sseInit.ID)
	}
	var a, b shared.Event
	_ = json.Unmarshal(wsInit.Data, &a)
	_ = json.Unmarshal([]byte(sseInit.Data), &b)
	if ids(a.Sessions) != ids(b.Sessions) || ids(a.Sessions) != "a" {
		t.Fatalf("init sessions: ws %s, sse %s", ids(a.Sessions), ids(b.Sessions))
	}

	up := sess("a", shared.SourceClaude, 2)
	up.Title = "renamed \x1b[2J"
	r.hub.Publish(shared.EventSessionUpdated, []shared.Session{up})
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("b", shared.SourceOpenCode, 3)})
	r.hub.Publish(shared.EventSessionDeleted, []shared.Session{up})
	r.hub.Publish(shared.EventRefresh, []shared.Session{sess("b", shared.SourceOpenCode, 3)})
	for _, want := range []string{"session-updated", "session-created", "session-deleted", "refresh"} {
		f, m := sse.event(t), ws.next(t)
		if f.Event != want || m.Event != f.Event || m.ID != f.ID || string(m.Data) != f.Data {
			t.Fatalf("want %s\n sse: %s %s %s\n ws:  %s %s %s", want, f.Event, f.ID, f.Data, m.Event, m.ID, m.Data)
		}
	}
	if st := r.hub.Stats(); st.Clients != 2 || st.PublishedByType != (EventCounts{Created: 2, Updated: 1, Deleted: 1, Refresh: 1}) {
		t.Errorf("stats: %+v", st)
	}
}

// A socket opened with ?lastEventId= gets exactly what it missed, even
// when the id came from the SSE stream.
func TestWSResume(t *testing.T) {
	r := newWSRig(t, Options{}, WSOptions{})
	publishN(r.hub, 1, 5)
	cursor := formatEventID(r.hub.Epoch(), 2)
	ws, _, err := r.dial(t, "?lastEventId="+cursor, nil)
	if err != nil {
		t.Fatal(err)
	}
	for seq := uint64(3); seq <= 5; seq++ {
		m := ws.next(t)
		if m.Event != "session-updated" || m.ID != formatEventID(r.hub.Epoch(), seq) {
			t.Fatalf("replay: got %s %s, want seq %d", m.Event, m.ID, seq)
		}
	}
	// Unknown epoch: a fresh init, not a replay.
	ws2, _, err := r.dial(t, "?lastEventId=deadbeef-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := ws2.next(t); m.Event != "init" || m.ID != formatEventID(r.hub.Epoch(), 5) {
		t.Fatalf("foreign id: got %s %s, want init at seq 5", m.Event, m.ID)
	}
}

// Another site's page cannot open the socket; the configured origin can.
func TestWSOrigin(t *testing.T) {
	r := newWSRig(t, Options{}, WSOptions{OriginPatterns: []string{"https://app.example:8443"}})
	tests := []struct {
		origin string
		ok     bool
	}{
		{"", true}, // not a browser: the token decides (guard)
		{r.srv.URL, true},
		{"https://app.example:8443", true},
		{"http://app.example:8443", false}, // scheme matters
		{"https://evil.example", false},
		{"null", false},
	}
	for _, tc := range tests {
		h := http.Header{}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		ws, resp, err := r.dial(t, "", h)
		if tc.ok {
			if err != nil {
				t.Errorf("origin %q refused: %v", tc.origin, err)
				continue
			}
			ws.conn.CloseNow()
			continue
		}
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %q: want 403, got %v %v", tc.origin, resp, err)
		}
	}
	waitFor(t, 5*time.Second, "refused sockets to leave no client", func() bool { return r.hub.Stats().Clients == 0 })
}

// A socket that stops reading is cut once its queue fills, as on SSE.
func TestWSNonReadingClientIsCut(t *testing.T) {
	r := newWSRig(t, Options{QueueSize: 2, WriteTimeout: 2 * time.Second}, WSOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.srv.URL, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow() // never read
	big := sess("big", shared.SourceClaude, 0)
	for n := 0; r.hub.Stats().SlowDisconnects == 0; n++ {
		if n == 400 {
			t.Fatalf("still connected after %d events of 256 KiB", n)
		}
		big.UpdatedAt = int64(n + 1)
		big.FirstPrompt = strings.Repeat(string(rune('a'+n%26)), 256<<10)
		r.hub.Publish(shared.EventSessionUpdated, []shared.Session{big})
	}
	waitFor(t, 5*time.Second, "the cut client to leave", func() bool { return r.hub.Stats().Clients == 0 })
}

// Requests get one reply each, in order; what later features serve says
// "not yet"; clear goes to the Clearer; bad input gets an error reply and
// the socket stays open; an oversized message closes it.
func TestWSRequests(t *testing.T) {
	cl := &fakeClearer{}
	tests := []struct {
		name    string
		clearer Clearer
		typ     websocket.MessageType
		msg     string
		ok      bool
		errHas  string
	}{
		{"subscribe", nil, websocket.MessageText, `{"type":"subscribe","session":"claude:abc"}`, false, "not yet"},
		{"unsubscribe", nil, websocket.MessageText, `{"type":"unsubscribe","session":"claude:abc"}`, false, "not yet"},
		{"clear without clearer", nil, websocket.MessageText, `{"type":"clear","session":"claude:abc"}`, false, "not yet"},
		{"clear", cl, websocket.MessageText, `{"type":"clear","session":"opencode:ses_1"}`, true, ""},
		{"clear of the wait seen", cl, websocket.MessageText, `{"type":"clear","session":"claude:abc","waitingSince":1700000000123}`, true, ""},
		{"a wait before 1970", cl, websocket.MessageText, `{"type":"clear","session":"claude:abc","waitingSince":-1}`, false, "waitingSince"},
		{"a wait that is no number", cl, websocket.MessageText, `{"type":"clear","session":"claude:abc","waitingSince":"soon"}`, false, "want {"},
		{"a wait with a subscribe", nil, websocket.MessageText, `{"type":"subscribe","session":"claude:abc","waitingSince":5}`, false, "clear only"},
		{"not json", nil, websocket.MessageText, `hello`, false, "want {"},
		{"binary", nil, websocket.MessageBinary, `{"type":"clear","session":"claude:abc"}`, false, "text"},
		{"unknown type", nil, websocket.MessageText, `{"type":"rm -rf","session":"claude:abc"}`, false, "unknown type"},
		{"bad source", nil, websocket.MessageText, `{"type":"clear","session":"shell:abc"}`, false, "source"},
		{"escape in id", nil, websocket.MessageText, `{"type":"clear","session":"claude:a\u001b[2Jb"}`, false, "character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newWSRig(t, Options{}, WSOptions{Clearer: tc.clearer})
			ws, _, err := r.dial(t, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			ws.next(t) // init
			ws.send(t, tc.typ, tc.msg)
			m := ws.next(t)
			if m.Event != "reply" || m.OK != tc.ok || !strings.Contains(m.Error, tc.errHas) {
				t.Fatalf("reply %+v, want ok=%v error containing %q", m, tc.ok, tc.errHas)
			}
			if strings.ContainsAny(m.Error+m.Session, "\x1b") {
				t.Fatalf("reply echoes an escape: %q", m.Error)
			}
			// Still open: events keep coming.
			r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("x", shared.SourceClaude, 1)})
			if m := ws.next(t); m.Event != "session-created" {
				t.Fatalf("after the request: %+v", m)
			}
		})
	}
	if len(cl.keys) != 2 || cl.keys[0] != "opencode:ses_1" || cl.keys[1] != "claude:abc@1700000000123" {
		t.Errorf("clearer got %v", cl.keys)
	}

	t.Run("oversized", func(t *testing.T) {
		r := newWSRig(t, Options{}, WSOptions{})
		ws, _, err := r.dial(t, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		ws.next(t)
		ws.send(t, websocket.MessageText, `{"type":"clear","session":"claude:`+strings.Repeat("a", maxWSMessage)+`"}`)
		for range ws.msgs {
		}
		if websocket.CloseStatus(ws.err) != websocket.StatusMessageTooBig {
			t.Fatalf("want close 1009, got %v", ws.err)
		}
		waitFor(t, 5*time.Second, "the client to leave", func() bool { return r.hub.Stats().Clients == 0 })
	})
}

// Keepalives reach the socket, with a ping the client's reader answers;
// Close ends the socket promptly.
func TestWSKeepaliveAndClose(t *testing.T) {
	r := newWSRig(t, Options{Keepalive: 20 * time.Millisecond}, WSOptions{})
	ws, _, err := r.dial(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	keepalives := 0
	for keepalives < 3 {
		select {
		case m, ok := <-ws.msgs:
			if !ok {
				t.Fatalf("socket ended: %v", ws.err)
			}
			if m.Event == "keepalive" {
				if m.ID != "" {
					t.Fatalf("keepalive with id %q moves the cursor", m.ID)
				}
				keepalives++
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no keepalive within 5s")
		}
	}
	r.hub.Close()
	select {
	case <-ws.done:
	case <-time.After(5 * time.Second):
		t.Fatal("socket still open 5s after Close")
	}
	if errors.Is(ws.err, context.DeadlineExceeded) {
		t.Fatalf("reader: %v", ws.err)
	}
}

// A peer that is gone without closing (it answers no ping) is cut at the
// first keepalive's ping, though every write still fits in the buffers.
func TestWSPeerThatAnswersNoPingIsCut(t *testing.T) {
	r := newWSRig(t, Options{Keepalive: 20 * time.Millisecond, WriteTimeout: 300 * time.Millisecond}, WSOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// coder/websocket answers pings only while a Read runs: never reading
	// is a peer that answers none.
	conn, _, err := websocket.Dial(ctx, "ws"+r.srv.URL[len("http"):]+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	waitFor(t, 5*time.Second, "the silent peer to be cut", func() bool { return r.hub.Stats().Clients == 0 })
}

// Close does not wait out a ping: a writer waiting for the pong of a peer
// that answers none (an hour of write timeout left) returns at once, so
// helmd stops promptly with such a page connected.
func TestWSCloseDoesNotWaitForAPong(t *testing.T) {
	r := newWSRig(t, Options{Keepalive: 20 * time.Millisecond, WriteTimeout: time.Hour}, WSOptions{})
	conn, br := rawWS(t, r)
	waitForPing(t, br) // the writer now waits for a pong that never comes
	closed := make(chan struct{})
	go func() { r.hub.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close still waits for the pong of a peer that answers no ping")
	}
	conn.Close()
}

// A peer whose connection drops while the writer waits for its pong frees
// its slot at once, not when the write timeout (an hour here) runs out.
func TestWSPeerGoneDuringAPingIsNoticed(t *testing.T) {
	r := newWSRig(t, Options{Keepalive: 20 * time.Millisecond, WriteTimeout: time.Hour}, WSOptions{})
	conn, br := rawWS(t, r)
	waitForPing(t, br)
	conn.Close()
	waitFor(t, 5*time.Second, "the dropped peer's slot to free", func() bool { return r.hub.Stats().Clients == 0 })
}

// rawWS opens /ws with a handshake of its own, so the test reads the
// server's frames itself and answers none of its pings.
func rawWS(t *testing.T, r *wsRig) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, br, head := rawGet(t, r.srv.Listener.Addr().String(), "GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
	if !strings.HasPrefix(head, "HTTP/1.1 101") {
		t.Fatalf("handshake: %q", head)
	}
	return conn, br
}

// waitForPing reads frames up to the first ping: then the server's writer
// waits for a pong.
func waitForPing(t *testing.T, br *bufio.Reader) {
	t.Helper()
	for {
		op, err := readWSFrame(br)
		if err != nil {
			t.Fatalf("reading frames before the first ping: %v", err)
		}
		if op == 0x9 {
			return
		}
	}
}

// readWSFrame reads one unmasked frame (server to client) and returns its
// opcode.
func readWSFrame(br *bufio.Reader) (byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return 0, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126, 127:
		ext := make([]byte, map[uint64]int{126: 2, 127: 8}[n])
		if _, err := io.ReadFull(br, ext); err != nil {
			return 0, err
		}
		n = 0
		for _, b := range ext {
			n = n<<8 | uint64(b)
		}
	}
	if _, err := io.CopyN(io.Discard, br, int64(n)); err != nil {
		return 0, err
	}
	return h[0] & 0x0f, nil
}

// A socket opened while helmd's first scan runs (Ready still open) has
// its handshake at once: held before it, a long scan ran into the
// client's handshake timeout, a failed connection. Its first message is
// the list the scan published, not the empty one before it, and a
// request sent meanwhile is answered after that list.
func TestWSOpensBeforeReadyAndSendsTheReadyList(t *testing.T) {
	ready := make(chan struct{})
	cl := &fakeClearer{}
	r := newWSRig(t, Options{}, WSOptions{Ready: ready, Clearer: cl})
	ws, resp, err := r.dial(t, "", nil) // within the dial's 5 s, Ready still open
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake while the scan runs: %v", err)
	}
	ws.send(t, websocket.MessageText, `{"type":"clear","session":"claude:a"}`)
	r.hub.Publish(shared.EventRefresh, []shared.Session{sess("a", shared.SourceClaude, 1)}) // the scan's list
	close(ready)
	m := ws.next(t)
	var ev shared.Event
	_ = json.Unmarshal(m.Data, &ev)
	if m.Event != "init" || ids(ev.Sessions) != "a" {
		t.Fatalf("first message: %s %s; want the init of the scanned list", m.Event, m.Data)
	}
	if m := ws.next(t); m.Event != "reply" || !m.OK {
		t.Fatalf("then: %+v; want the clear's reply", m)
	}
}

// A helmd stopped during its first scan does not hang on a socket that
// waits for it: the hub's Close ends it at once.
func TestWSWaitingForReadyEndsWithTheHub(t *testing.T) {
	r := newWSRig(t, Options{}, WSOptions{Ready: make(chan struct{})})
	ws, _, err := r.dial(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() { r.hub.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the hub's Close waits for a socket that waits for the first scan")
	}
	select {
	case m, ok := <-ws.msgs:
		if ok {
			t.Fatalf("got %s %s before the scan", m.Event, m.Data)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the socket is still open after the hub closed")
	}
}
