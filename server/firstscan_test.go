package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/httperr"
)

// firstScanRig serves a gate over a handler that answers "served" and
// counts its calls.
type firstScanRig struct {
	srv     *httptest.Server
	scanned chan struct{}
	calls   chan string // the path of each request the handler served
	waiting chan string // the path of each request the gate holds
}

func newFirstScanRig(t *testing.T, wait time.Duration) *firstScanRig {
	t.Helper()
	r := &firstScanRig{scanned: make(chan struct{}), calls: make(chan string, 16), waiting: make(chan string, 16)}
	next := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.calls <- req.URL.Path
		io.WriteString(w, "served")
	})
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// A gate per request, so that its hook says which path waits.
		g := firstScanGate{scanned: r.scanned, wait: wait, waiting: func() { r.waiting <- req.URL.Path }}
		g.wrap(next).ServeHTTP(w, req)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// noneServed fails t if the handler served any request so far.
func (r *firstScanRig) noneServed(t *testing.T) {
	t.Helper()
	select {
	case p := <-r.calls:
		t.Fatalf("%s served before the first scan", p)
	default:
	}
}

func (r *firstScanRig) get(t *testing.T, ctx context.Context, method, path string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, r.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), nil
}

// A list asked for before helmd's first scan is published is the
// scanned list, not the empty one helmd held until then: the request
// waits for the scan.
func TestListWaitsForTheFirstScan(t *testing.T) {
	r := newFirstScanRig(t, time.Hour)
	type answer struct {
		body string
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		_, body, err := r.get(t, context.Background(), "GET", "/api/sessions?limit=200")
		done <- answer{body, err}
	}()
	if p := <-r.waiting; p != "/api/sessions" {
		t.Fatalf("waiting: %q", p)
	}
	r.noneServed(t)
	close(r.scanned)
	if a := <-done; a.err != nil || a.body != "served" {
		t.Fatalf("after the scan: %q, %v", a.body, a.err)
	}
}

// A list request does not wait for ever: past its wait it gets a 503
// that says why, with a Retry-After, so a client (helmd ls, a script)
// tells the user rather than time out or print an empty list.
func TestListPastTheWaitSaysTheScanRuns(t *testing.T) {
	r := newFirstScanRig(t, 10*time.Millisecond)
	for _, path := range []string{"/api/sessions", "/api/claude-sessions/all", "/api/usage", "/api/sessions/claude/x/messages"} {
		resp, body, err := r.get(t, context.Background(), "GET", path)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "first scan") ||
			resp.Header.Get(httperr.FirstScanHeader) == "" { // what helmd ls waits on
			t.Errorf("%s: %d, Retry-After %q, %s; want 503 saying the first scan runs", path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	r.noneServed(t)
}

// A stream waits as long as the scan takes (its client waits for its
// first event anyway), and lets go when its client leaves. A session's
// transcript stream waits here, before its head (its 404 must be a
// status); the list streams wait in their handler, after theirs
// (stream.Hub.HoldStreams, TestOnlySessionReadsWaitForTheFirstScan).
func TestStreamWaitsForTheFirstScan(t *testing.T) {
	r := newFirstScanRig(t, time.Millisecond) // a list's wait: not a stream's
	for _, path := range []string{"/api/sessions/claude/x/messages/stream", "/api/sessions/opencode/y/messages/stream"} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, _, err := r.get(t, ctx, "GET", path)
			done <- err
		}()
		if p := <-r.waiting; p != path {
			t.Fatalf("waiting: %q, want %q", p, path)
		}
		cancel()
		if err := <-done; err == nil {
			t.Errorf("%s answered before the first scan", path)
		}
	}
	r.noneServed(t)
	// Once scanned, a stream is served at once.
	close(r.scanned)
	if _, body, err := r.get(t, context.Background(), "GET", "/api/sessions/claude/x/messages/stream"); err != nil || body != "served" {
		t.Fatalf("after the scan: %q, %v", body, err)
	}
}

// What does not read sessions never waits: the page (it shows "Loading
// sessions…"), its files, status, health, and the POSTs (hooks must
// reach helmd while it scans). Nor do the WebSocket and the list
// streams here: held before their handshake or head, a long scan ran
// into the client's bound on the wait for it (a handshake timeout,
// helmd watch's 15 s); they wait after it, in their handler
// (stream.WSOptions.Ready, stream.Hub.HoldStreams).
func TestOnlySessionReadsWaitForTheFirstScan(t *testing.T) {
	r := newFirstScanRig(t, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/s/claude/x"}, {"GET", "/web/app.wasm"}, {"GET", "/api/status"}, {"GET", "/healthz"},
		{"POST", "/api/hooks"}, {"POST", "/api/sessions/refresh"}, {"POST", "/api/sessions/claude/x/clear"},
		{"GET", "/api/fleet"}, {"GET", "/api/sessionsx"}, {"GET", "/api/sessions/ws"},
		{"GET", "/api/sessions/stream"}, {"GET", "/api/claude-sessions/stream"},
	} {
		_, body, err := r.get(t, ctx, c.method, c.path)
		if err != nil || body != "served" {
			t.Errorf("%s %s: %q, %v; want it served while the scan runs", c.method, c.path, body, err)
		}
	}
}
