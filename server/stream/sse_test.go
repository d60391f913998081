package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/shared/sse"
)

// This file is the tests' SSE client: it parses the wire format strictly
// (shared/sse in strict mode: LF line ends, known fields only) so the
// tests see what a browser sees.

// frame is one block of fields up to a blank line.
type frame struct {
	Event, ID, Retry, Data string
	HasID                  bool
}

func (f frame) decode(t testing.TB) shared.Event {
	t.Helper()
	var ev shared.Event
	if err := json.Unmarshal([]byte(f.Data), &ev); err != nil {
		t.Fatalf("event %s %s: data is not an Event: %v", f.Event, f.ID, err)
	}
	if ev.Type != shared.EventType(f.Event) {
		t.Fatalf("event %q carries data of type %q", f.Event, ev.Type)
	}
	if !strings.Contains(f.Data, `"sessions":[`) {
		t.Fatalf("event %s: sessions is not an array: %s", f.Event, f.Data)
	}
	return ev
}

// seq is the seq of f's id in epoch, failing the test otherwise.
func (f frame) seq(t testing.TB, epoch string) uint64 {
	t.Helper()
	e, seq, ok := ParseEventID(f.ID)
	if !ok || e != epoch {
		t.Fatalf("event %s: id %q is not of epoch %s", f.Event, f.ID, epoch)
	}
	return seq
}

// parseFrames reads blocks from r until it fails, sending each on out.
// The parse is strict (LF line ends, known fields, one data line), so the
// tests see the exact encoding. A stream that ends cleanly is io.EOF.
func parseFrames(r io.Reader, out chan<- frame, stop <-chan struct{}) error {
	err := sse.Parse(r, sse.Options{Strict: true}, func(e sse.Event) error {
		select {
		case out <- frame{Event: e.Type, ID: e.ID, Retry: e.Retry, Data: e.Data, HasID: e.HasID}:
			return nil
		case <-stop:
			return errors.New("stopped")
		}
	})
	if err == nil {
		return io.EOF
	}
	return err
}

type sseClient struct {
	Resp   *http.Response
	frames chan frame
	stop   chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
	err    error // why the reader stopped, once frames is closed
}

// rig is a hub served by a real HTTP server: /all (every session),
// /claude and /claude-again (Claude Code only: two views with the same
// filter, which must not share event ids).
type rig struct {
	hub    *Hub
	srv    *httptest.Server
	client *http.Client
	views  map[string]*view // by path
}

// epoch is the first part of the event ids of the view at path.
func (r *rig) epoch(path string) string { return r.views[path].epoch }

func claudeOnly(s *shared.Session) bool { return s.Source == shared.SourceClaude }

// newRig starts a hub and its server, checking at the very end of the test
// (after every other cleanup) that no goroutine is left.
func newRig(t testing.TB, opts Options) *rig {
	t.Helper()
	before := goleak.IgnoreCurrent() // the harness's own (benchmarks run in goroutines)
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	h := NewHub(opts)
	views := map[string]*view{
		"/all":          h.Handler(nil).(*view),
		"/claude":       h.Handler(claudeOnly).(*view),
		"/claude-again": h.Handler(claudeOnly).(*view),
	}
	mux := http.NewServeMux()
	mux.Handle("GET /all", views["/all"])
	mux.Handle("/claude", views["/claude"])
	mux.Handle("/claude-again", views["/claude-again"])
	srv := httptest.NewServer(mux)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	t.Cleanup(srv.Close)
	t.Cleanup(h.Close) // streams end first, so srv.Close does not wait on them
	return &rig{hub: h, srv: srv, client: &http.Client{Transport: tr}, views: views}
}

// get sends a request whose body the caller owns.
func (r *rig) get(t testing.TB, path string, header http.Header) (*http.Response, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.srv.URL+path, nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := r.client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	return resp, cancel
}

// connect opens a stream (lastID as Last-Event-ID when set) and requires 200.
func (r *rig) connect(t testing.TB, path, lastID string) *sseClient {
	t.Helper()
	h := http.Header{}
	if lastID != "" {
		h.Set("Last-Event-ID", lastID)
	}
	resp, cancel := r.get(t, path, h)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return readStream(t, resp, cancel)
}

// readStream reads the frames of a stream's answer until its client
// closes it (cancel ends its request).
func readStream(t testing.TB, resp *http.Response, cancel context.CancelFunc) *sseClient {
	c := &sseClient{Resp: resp, frames: make(chan frame, 1024), stop: make(chan struct{}), cancel: cancel}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer close(c.frames)
		c.err = parseFrames(resp.Body, c.frames, c.stop)
	}()
	t.Cleanup(c.close)
	return c
}

func (c *sseClient) close() {
	select {
	case <-c.stop:
		return
	default:
	}
	close(c.stop)
	c.cancel()
	c.Resp.Body.Close()
	c.wg.Wait()
}

// next returns the next frame, keepalives included.
func (c *sseClient) next(t testing.TB) frame {
	t.Helper()
	select {
	case f, ok := <-c.frames:
		if !ok {
			t.Fatalf("stream ended: %v", c.err)
		}
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no frame within 5s")
	}
	return frame{}
}

// event returns the next frame that is not a keepalive.
func (c *sseClient) event(t testing.TB) frame {
	t.Helper()
	for {
		if f := c.next(t); f.Event != string(shared.EventKeepalive) {
			return f
		}
	}
}

// collect reads n events other than keepalives, from any goroutine.
func (c *sseClient) collect(n int, within time.Duration) ([]frame, error) {
	deadline := time.After(within)
	var out []frame
	for len(out) < n {
		select {
		case f, ok := <-c.frames:
			if !ok {
				return out, fmt.Errorf("stream ended after %d events: %v", len(out), c.err)
			}
			if f.Event != string(shared.EventKeepalive) {
				out = append(out, f)
			}
		case <-deadline:
			return out, fmt.Errorf("%d events within %v, want %d", len(out), within, n)
		}
	}
	return out, nil
}

// opening reads the retry field and the first event after it.
func (c *sseClient) opening(t testing.TB) frame {
	t.Helper()
	if f := c.next(t); f.Retry != "3000" || f.Event != "" || f.Data != "" || f.HasID {
		t.Fatalf("first block: want only retry: 3000, got %+v", f)
	}
	return c.event(t)
}

// ended waits until the server ends the stream.
func (c *sseClient) ended(t testing.TB, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case _, ok := <-c.frames:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatalf("stream still open after %v", within)
		}
	}
}

// waitFor polls cond until it holds, failing after within.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(within)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func sess(id string, src shared.Source, updated int64) shared.Session {
	return shared.Session{ID: id, Source: src, Title: "t-" + id, ProjectPath: "/p/" + id, UpdatedAt: updated, Status: shared.StatusIdle}
}

func ids(ss []shared.Session) string {
	var b []string
	for _, s := range ss {
		b = append(b, s.ID)
	}
	return strings.Join(b, ",")
}
