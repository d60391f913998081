package main

import (
	"net/http"
	"strings"
	"time"

	"vibecraft.sh/helm/server/internal/closed"
	"vibecraft.sh/helm/server/internal/httperr"
)

// Until helmd's first scan is published, the list it holds is not the
// files' (an empty one, at a start): a client that asked then was told
// there were no sessions (`helmd ls` printed nothing, a session's page
// was "not found", the usage page was empty) and, a moment later, that
// there were thousands. So the requests that read sessions wait for the
// first scan: a stream as long as it takes (its client waits for its
// first event anyway; the list streams after their head, ownWait), any
// other read up to firstScanWait (within
// `helmd ls`'s 15 s per request, and half the write timeout at most, so
// that the answer still has time to go out), then a 503 that says why.
// The scan of a large workspace takes about a second, a start from the
// scan cache far less (3 s at 100,000 sessions). The page itself does
// not wait: it renders with no list ("Loading sessions…", webui's seed)
// and its stream brings the list.
const firstScanWait = 10 * time.Second

// afterFirstScan serves next, holding the requests that read sessions
// until scanned is closed; a stream's (isStream) as long as it takes, any
// other up to firstScanWait or half of writeTimeout (0: none), whichever
// is shorter. The WebSocket and the list streams are not held here
// (ownWait): their handlers wait for the scan after answering.
func afterFirstScan(next http.Handler, scanned <-chan struct{}, writeTimeout time.Duration) http.Handler {
	wait := firstScanWait
	if writeTimeout > 0 {
		wait = min(wait, writeTimeout/2)
	}
	return firstScanGate{scanned: scanned, wait: wait}.wrap(next)
}

// wsPath is the WebSocket's, which waits for the first scan itself.
const wsPath = "/api/sessions/ws"

// ownWait reports whether r's handler waits for the first scan itself,
// after the answer's head, so that no bound a client or a proxy puts on
// the wait for a head is run into by a long scan: the WebSocket (a
// handshake that takes seconds is given up on) and the list streams
// (stream.Hub.HoldStreams; helmd watch gave up after 15 s). A session's
// transcript stream is still held here: its 404, for a session the scan
// does not find, must be its status, not a stream that ends.
func ownWait(r *http.Request) bool {
	switch r.URL.Path {
	case wsPath, "/api/sessions/stream", "/api/claude-sessions/stream":
		return true
	}
	return false
}

type firstScanGate struct {
	scanned <-chan struct{}
	wait    time.Duration // a list request's, at most
	waiting func()        // tests: called when a request starts to wait
}

func (g firstScanGate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if closed.Is(g.scanned) || !readsSessions(r) || ownWait(r) {
			next.ServeHTTP(w, r)
			return
		}
		var limit <-chan time.Time
		if !isStream(r) {
			t := time.NewTimer(g.wait)
			defer t.Stop()
			limit = t.C
		}
		if g.waiting != nil {
			g.waiting()
		}
		select {
		case <-g.scanned:
			next.ServeHTTP(w, r)
		case <-limit:
			w.Header().Set("Retry-After", "1")
			w.Header().Set(httperr.FirstScanHeader, "1") // helmd ls waits on it
			httperr.Write(w, http.StatusServiceUnavailable, "helmd is still reading the transcripts (its first scan since it started): try again in a moment")
		case <-r.Context().Done():
			// The client left, or helmd is stopping: nobody reads an answer.
		}
	})
}

// readsSessions reports whether r reads sessions: a GET of the lists,
// their streams, a session's transcript, or usage. Hooks, clears and
// refreshes (POSTs), status, health and the page's files do not wait.
func readsSessions(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	return p == "/api/sessions" || strings.HasPrefix(p, "/api/sessions/") ||
		strings.HasPrefix(p, "/api/claude-sessions/") ||
		p == "/api/usage" || strings.HasPrefix(p, "/api/usage/")
}
