package e2e

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fault is what the fault proxy does to requests.
type fault int32

const (
	passAll    fault = iota // forward everything
	failStream              // the stream answers 503, REST and the page still work
	failAll                 // every request answers 502, as a proxy whose upstream is gone
)

// faultProxy is a reverse proxy in front of helmd that can fail the
// stream or everything. Switching to a failing mode also cuts the streams
// it is forwarding, as a dying server or network would.
type faultProxy struct {
	URL  string
	srv  *httptest.Server
	mode atomic.Int32

	mu      sync.Mutex
	streams map[*http.Request]context.CancelFunc

	// What helmd answered the list's polls that named the list held
	// (?since=): 304s, and events (a JSON object, not the list's array).
	sinceNotModified, sinceEvents atomic.Int32
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{streams: map[*http.Request]context.CancelFunc{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0) // cut streams are the point, not errors
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != "/api/sessions" || !resp.Request.URL.Query().Has("since") {
			return nil
		}
		if resp.StatusCode == http.StatusNotModified {
			p.sinceNotModified.Add(1)
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if bytes.HasPrefix(body, []byte(`{"events":`)) {
			p.sinceEvents.Add(1)
		}
		return err
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stream := strings.HasSuffix(r.URL.Path, "/stream")
		switch fault(p.mode.Load()) {
		case failAll:
			http.Error(w, "upstream gone", http.StatusBadGateway)
			return
		case failStream:
			if stream {
				http.Error(w, "stream unavailable", http.StatusServiceUnavailable)
				return
			}
		}
		if stream {
			ctx, cancel := context.WithCancel(r.Context())
			r = r.WithContext(ctx)
			p.mu.Lock()
			p.streams[r] = cancel
			p.mu.Unlock()
			defer func() {
				p.mu.Lock()
				delete(p.streams, r)
				p.mu.Unlock()
				cancel()
			}()
		}
		rp.ServeHTTP(w, r)
	}))
	p.URL = p.srv.URL
	t.Cleanup(p.close)
	return p
}

// set switches the mode; a failing mode ends the streams in flight.
func (p *faultProxy) set(f fault) {
	p.mode.Store(int32(f))
	if f == passAll {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, cancel := range p.streams {
		cancel()
	}
}

// close ends the streams, then the server (which waits for its handlers).
func (p *faultProxy) close() {
	p.set(failAll)
	p.srv.CloseClientConnections()
	p.srv.Close()
}
