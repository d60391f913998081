package main

import (
	"net/http"
	"strings"
	"time"

	"vibecraft.sh/helm/server/internal/httperr"
)

// Until helmd's first scan is published, the list it holds is not the
// files' (an empty one, at a start): a client that asked then was told
// there were no sessions (`helmd ls` printed nothing, a session's page
// was "not found", the usage page was empty) and, a moment later, that
// there were thousands. So the requests that read sessions wait for the
// first scan: a stream as long as it takes (its client waits for its
// first event anyway), any other read up to firstScanWait (within
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
// is shorter. The WebSocket is not held here: its handshake must answer
// at once (a client gives up on one that takes seconds), so its handler
// waits for the scan after it (stream.WSOptions.Ready).
func afterFirstScan(next http.Handler, scanned <-chan struct{}, writeTimeout time.Duration) http.Handler {
	wait := firstScanWait
	if writeTimeout > 0 {
		wait = min(wait, writeTimeout/2)
	}
	return firstScanGate{scanned: scanned, wait: wait}.wrap(next)
}

// wsPath is the WebSocket's, which waits for the first scan itself.
const wsPath = "/api/sessions/ws"

type firstScanGate struct {
	scanned <-chan struct{}
	wait    time.Duration // a list request's, at most
	waiting func()        // tests: called when a request starts to wait
}

func (g firstScanGate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isClosed(g.scanned) || !readsSessions(r) || r.URL.Path == wsPath {
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

// isClosed reports whether ch is closed, without waiting.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
