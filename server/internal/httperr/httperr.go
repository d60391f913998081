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

// FirstScanHeader marks helmd's 503 while it reads the transcripts after
// it starts (its first scan), which it sends with a Retry-After: a client
// that waits (helmd ls) asks again, where another 503 (too many
// connections, too many streams) is an answer to give the user.
const FirstScanHeader = "X-Helm-First-Scan"
