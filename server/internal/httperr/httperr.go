// Package httperr writes the one error body helmd answers with, whichever
// layer refuses a request (the guard, the stream, the API): JSON
// {"error": "…"} with the status, so a client parses every failure alike.
package httperr

import (
	"encoding/json"
	"net/http"
)

// Write answers with status and {"error": msg}. Headers already set on w
// (Allow, Retry-After) go out with it.
func Write(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(status)
	// A string map cannot fail to encode; a failed write means the client left.
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
