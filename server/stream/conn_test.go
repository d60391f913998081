package stream

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"vibecraft.sh/helm/shared"
)

// rawGet sends a request line by hand and returns the connection with the
// response head already read, so a test sees the exact bytes that follow.
func rawGet(t *testing.T, addr, requestLine string) (net.Conn, *bufio.Reader, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, requestLine+"\r\nHost: stream.test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(conn)
	var head strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the response head: %v (so far %q)", err, head.String())
		}
		head.WriteString(line)
		if line == "\r\n" {
			return conn, br, head.String()
		}
	}
}

// A stream taken over from net/http still answers as HTTP should: the
// protocol of the request, the headers that middleware set before the
// stream handler ran (security headers, CORS, cookies), a body that is the
// event stream itself, ended by closing the connection.
func TestTakenOverStreamIsProperHTTP(t *testing.T) {
	r := newRig(t, Options{})
	mw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		w.Header().Set("Access-Control-Allow-Origin", "https://dash.example")
		http.SetCookie(w, &http.Cookie{Name: "helm_token", Value: "t0k", HttpOnly: true})
		r.hub.Handler(nil).ServeHTTP(w, req)
	}))
	t.Cleanup(mw.Close)

	for _, tc := range []struct{ request, status string }{
		{"GET /all HTTP/1.1", "HTTP/1.1 200 OK\r\n"},
		{"GET /all HTTP/1.0", "HTTP/1.0 200 OK\r\n"},
	} {
		_, br, head := rawGet(t, mw.Listener.Addr().String(), tc.request)
		if !strings.HasPrefix(head, tc.status) {
			t.Errorf("%s: status line of %q", tc.request, head)
		}
		for _, want := range []string{
			"Content-Type: text/event-stream; charset=utf-8\r\n",
			"Cache-Control: no-cache\r\n",
			"X-Accel-Buffering: no\r\n",
			"Connection: close\r\n",
			"Content-Security-Policy: default-src 'self'\r\n",
			"Access-Control-Allow-Origin: https://dash.example\r\n",
			"Set-Cookie: helm_token=t0k; HttpOnly\r\n",
		} {
			if !strings.Contains(head, want) {
				t.Errorf("%s: no %q in %q", tc.request, want, head)
			}
		}
		if strings.Contains(head, "Transfer-Encoding") || strings.Contains(head, "Content-Length") {
			t.Errorf("%s: the body must end with the connection, not be framed: %q", tc.request, head)
		}
		// The body is the event stream, not chunks of it.
		if line, err := br.ReadString('\n'); err != nil || line != "retry: 3000\n" {
			t.Errorf("%s: body starts with %q, %v", tc.request, line, err)
		}
	}

	// Closing the hub ends the body: the client reads to EOF.
	_, br, _ := rawGet(t, mw.Listener.Addr().String(), "GET /all HTTP/1.1")
	r.hub.Close()
	if _, err := io.Copy(io.Discard, br); err != nil {
		t.Errorf("stream not ended by Close: %v", err)
	}
}

// A client that leaves is noticed at once, not at the next write: its
// slot frees with no event or keepalive sent in between.
func TestLeavingClientIsNoticedWithoutAWrite(t *testing.T) {
	r := newRig(t, Options{Keepalive: time.Hour})
	conn, _, _ := rawGet(t, r.srv.Listener.Addr().String(), "GET /all HTTP/1.1")
	waitFor(t, 5*time.Second, "the client to register", func() bool { return r.hub.Stats().Clients == 1 })
	conn.Close()
	waitFor(t, 5*time.Second, "the client's slot to free", func() bool { return r.hub.Stats().Clients == 0 })
	if st := r.hub.Stats(); st.Published != 0 {
		t.Errorf("something was published: %+v", st)
	}
}

// Close returns promptly even while a writer is blocked on a peer that
// stopped reading, with an hour left on its write deadline.
func TestCloseUnblocksAStalledWriter(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	h := NewHub(Options{WriteTimeout: time.Hour, QueueSize: 64})
	// Both ends' socket buffers are fixed small, so that a megabyte, not
	// the tens the kernel's autotuning would buffer on loopback, blocks
	// the writer: under -race, encoding 32 MiB of events took most of the
	// test's half-minute.
	srv := httptest.NewUnstartedServer(h.Handler(nil))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			if err := c.(*net.TCPConn).SetWriteBuffer(4 << 10); err != nil {
				t.Errorf("server's send buffer: %v", err)
			}
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(h.Close) // streams end first, so srv.Close does not wait on them
	// Never read after the head: the socket buffers fill and the write blocks.
	conn, _, _ := rawGet(t, srv.Listener.Addr().String(), "GET /all HTTP/1.1")
	if err := conn.(*net.TCPConn).SetReadBuffer(4 << 10); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the client to register", func() bool { return h.Stats().Clients == 1 })
	big := sess("big", shared.SourceClaude, 0)
	for i := range 32 { // 2 MiB: far more than the two buffers hold
		big.UpdatedAt = int64(i)
		big.FirstPrompt = strings.Repeat(string(rune('a'+i%26)), 64<<10)
		h.Publish(shared.EventSessionUpdated, []shared.Session{big})
	}
	closed := make(chan struct{})
	go func() { h.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close still waits on a writer blocked by a stalled peer")
	}
	if st := h.Stats(); st.SlowDisconnects != 0 {
		t.Errorf("the queue was meant to hold every event: %+v", st)
	}
}

// Where the connection cannot be taken over (HTTP/2 here), the stream is
// served through net/http instead, with the same events.
func TestStreamOverHTTP2(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	h := NewHub(Options{})
	srv := httptest.NewUnstartedServer(h.Handler(nil))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	t.Cleanup(h.Close)
	client := srv.Client() // trusts the test certificate and speaks HTTP/2
	t.Cleanup(client.CloseIdleConnections)

	h.Publish(shared.EventSessionCreated, []shared.Session{sess("a", shared.SourceClaude, 1)})
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("want an HTTP/2 event stream, got %s %q", resp.Proto, resp.Header.Get("Content-Type"))
	}
	frames := make(chan frame, 16)
	stop := make(chan struct{})
	defer close(stop)
	go parseFrames(resp.Body, frames, stop)
	next := func() frame {
		t.Helper()
		select {
		case f := <-frames:
			return f
		case <-time.After(5 * time.Second):
			t.Fatal("no frame within 5s")
		}
		return frame{}
	}
	if f := next(); f.Retry != "3000" {
		t.Fatalf("first block: %+v", f)
	}
	if f := next(); f.Event != "init" || ids(f.decode(t).Sessions) != "a" {
		t.Fatalf("init: %+v", f)
	}
	h.Publish(shared.EventSessionCreated, []shared.Session{sess("b", shared.SourceClaude, 2)})
	if f := next(); f.Event != "session-created" || ids(f.decode(t).Sessions) != "b" {
		t.Fatalf("created: %+v", f)
	}
}
