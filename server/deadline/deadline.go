// Package deadline bounds how long a response may take to send.
//
// A client that asks for the page or the session list and then stops
// reading pins the response's memory for as long as its connection
// lives; 30 of them at 10k sessions once held 2.2 GB. With a write
// deadline, net/http fails the writes once it passes and closes the
// connection, and the memory goes with it.
package deadline

import (
	"net/http"
	"time"
)

// Wrap gives every request that skip does not select a write deadline of
// d from its start. Streams must be skipped: they are long by design and
// set a deadline per write themselves. The ResponseWriter is not wrapped,
// so streams can still take their connection over.
func Wrap(next http.Handler, d time.Duration, skip func(*http.Request) bool) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if skip == nil || !skip(r) {
			// http.ErrNotSupported (a writer without deadlines, as in
			// tests) serves the request without one.
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
		}
		next.ServeHTTP(w, r)
	})
}

// Body gives every request that has a body (a POST's) a read deadline of
// d from its start. Without one, a client that sends the headers of a
// body and then nothing held its connection for ever, even on a refused
// request: net/http reads a small unread body before it writes the reply
// (to keep the connection), so not even the 401 went out, and a few
// hundred such connections, no token needed, filled --max-conns. Past
// the deadline the read fails, the reply goes out and the connection is
// closed. Requests without a body (the streams, WebSocket upgrades) are
// left alone: net/http sets their deadlines for the next request itself.
func Body(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
		}
		next.ServeHTTP(w, r)
	})
}
