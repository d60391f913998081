package connlimit

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Every test's server, clients and refusal goroutines are gone at the end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// serve runs an http.Server on a Listener with o, answering with h.
func serve(t *testing.T, o Options, h http.Handler) (*Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.Logger = quiet
	l := Wrap(ln, o)
	srv := &http.Server{Handler: h, ConnState: l.ConnState, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return l, "http://" + ln.Addr().String()
}

// client is one browser-like client: its own keep-alive connection.
func client(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 1}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func getOK(t *testing.T, c *http.Client, url string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", url, resp.StatusCode)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition
	}
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })

func TestIdleConnectionsMakeRoom(t *testing.T) {
	l, url := serve(t, Options{Max: 4, MaxIdle: 4}, ok)
	for range 4 {
		getOK(t, client(t), url) // each keeps its connection, idle
	}
	waitFor(t, "4 idle connections", func() bool { return l.Stats().Idle == 4 })
	// A fifth client is answered: the longest-idle connection is closed.
	getOK(t, client(t), url)
	st := l.Stats()
	if st.Shed != 1 || st.Refused != 0 || st.Open > 4 {
		t.Errorf("stats %+v: want one shed, none refused, at most 4 open", st)
	}
}

func TestIdleConnectionsBeyondMaxIdleAreClosed(t *testing.T) {
	l, url := serve(t, Options{Max: 20, MaxIdle: 2}, ok)
	for range 5 {
		getOK(t, client(t), url)
	}
	waitFor(t, "idle connections shed", func() bool { st := l.Stats(); return st.Idle == 2 && st.Shed == 3 })
}

func TestBusyAtTheCapIsRefusedCleanly(t *testing.T) {
	release := make(chan struct{})
	busy := make(chan struct{}, 2)
	l, url := serve(t, Options{Max: 2}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			busy <- struct{}{}
			<-release
		}
		io.WriteString(w, "ok")
	}))
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			resp, err := client(t).Get(url + "/slow")
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	<-busy
	<-busy
	// Every admitted connection is serving: a third is told to come back.
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no clean refusal: %v", err)
	}
	var body struct{ Error string }
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("refusal: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// JSON, as every refusal of helmd's, and whole (its Content-Length).
	if ct := resp.Header.Get("Content-Type"); err != nil || body.Error == "" || !strings.HasPrefix(ct, "application/json") || resp.ContentLength != int64(len(refuseJSON)) {
		t.Errorf("refusal body: %q, %+v, %v, length %d of %d", ct, body, err, resp.ContentLength, len(refuseJSON))
	}
	if st := l.Stats(); st.Refused != 1 {
		t.Errorf("stats %+v: want one refused", st)
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	getOK(t, client(t), url) // room again
}

// streamsAt answers path as a stream does: it takes the connection over
// (hijacks it), answers 200 and hands it to streams. Other paths get "ok".
func streamsAt(t *testing.T, path string, streams chan<- net.Conn) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			io.WriteString(w, "ok")
			return
		}
		c, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
		streams <- c
	})
}

func TestHijackedConnectionsLeaveTheCount(t *testing.T) {
	streams := make(chan net.Conn, 4)
	l, url := serve(t, Options{Max: 1}, streamsAt(t, "/stream", streams))
	for range 3 {
		conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
		s := <-streams
		defer s.Close()
	}
	waitFor(t, "streams counted out", func() bool { return l.Stats().Open == 0 })
	getOK(t, client(t), url) // three streams open, and the one plain slot is free
	if st := l.Stats(); st.Refused != 0 || st.Shed != 0 {
		t.Errorf("stats %+v: streams took plain slots", st)
	}
}

// A burst of streams, each sending its request at once, is served whole
// at a cap far below its size: Accept runs ahead of the goroutines that
// read requests, and shedding those silent-looking connections at once
// lost 1,493 of 10,000 streams dialled together in one run.
func TestBurstOfStreamsIsServedWhole(t *testing.T) {
	const burst = 300
	streams := make(chan net.Conn, burst)
	l, url := serve(t, Options{Max: 4}, streamsAt(t, "/stream", streams))
	addr := strings.TrimPrefix(url, "http://")
	conns := make([]net.Conn, 0, burst)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range burst {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		io.WriteString(conn, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	lost := 0
	for _, conn := range conns {
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			lost++
		}
	}
	for range burst - lost {
		(<-streams).Close()
	}
	if st := l.Stats(); lost > 0 || st.Shed != 0 || st.Refused != 0 {
		t.Errorf("%d of %d streams lost; stats %+v", lost, burst, st)
	}
}

// A connection that stays silent still gives way at the cap once its
// grace is over, so silent clients cannot hold every slot.
func TestSilentConnectionsGiveWayAfterTheGrace(t *testing.T) {
	l, url := serve(t, Options{Max: 2}, ok)
	addr := strings.TrimPrefix(url, "http://")
	for range 2 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
	}
	waitFor(t, "two silent connections counted", func() bool { return l.Stats().Open == 2 })
	start := time.Now()
	getOK(t, client(t), url)
	if st := l.Stats(); st.Shed != 1 || st.Refused != 0 {
		t.Errorf("stats %+v: want the longest-silent connection shed, nothing refused", st)
	}
	if waited := time.Since(start); waited < freshGrace/2 {
		t.Errorf("a silent connection was shed after %v, before its grace", waited)
	}
}
