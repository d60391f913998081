package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"time"
	"vibecraft.sh/helm/server/internal/fixture"
)

// TestRefusalsAreJSONWithTheRightStatus: a path helmd serves asked with
// another method is a 405 naming the method to use (routes with
// wildcards and those of every package alike), a request to the
// WebSocket endpoint that is no WebSocket handshake is refused, and each
// refusal is JSON {"error": …}, whichever layer answers.
func TestRefusalsAreJSONWithTheRightStatus(t *testing.T) {
	const sid, cwd = "4e5a0000-0000-4000-8000-000000000001", "/home/dev/refused"
	root := t.TempDir()
	fixture.Append(t, fixture.Path(root, cwd, sid), fixture.User(sid, cwd, "hello", time.Now()))
	srv := startHelmd(t, root)
	session := "/api/sessions/claude/" + sid
	ws := map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"}
	with := func(extra map[string]string) map[string]string {
		h := map[string]string{}
		for k, v := range ws {
			h[k] = v
		}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	for _, tc := range []struct {
		method, path string
		header       map[string]string
		status       int
		allow        string
	}{
		{"POST", "/api/usage", nil, http.StatusMethodNotAllowed, "GET"},
		{"POST", "/api/usage/block", nil, http.StatusMethodNotAllowed, "GET"},
		{"POST", "/api/push/key", nil, http.StatusMethodNotAllowed, "GET"},
		{"GET", "/api/push/subscribe", nil, http.StatusMethodNotAllowed, "POST"},
		{"GET", "/api/hooks", nil, http.StatusMethodNotAllowed, "POST"},
		{"POST", session, nil, http.StatusMethodNotAllowed, "GET"},
		{"POST", session + "/messages", nil, http.StatusMethodNotAllowed, "GET"},
		{"POST", session + "/find", nil, http.StatusMethodNotAllowed, "GET"},
		{"GET", session + "/clear", nil, http.StatusMethodNotAllowed, "POST"},
		{"POST", "/metrics", nil, http.StatusMethodNotAllowed, "GET, HEAD"},
		{"GET", "/api/nothing/here", nil, http.StatusNotFound, ""},
		{"GET", "/api/sessions/ws", nil, http.StatusUpgradeRequired, ""},
		{"GET", "/api/sessions/ws", with(map[string]string{"Sec-WebSocket-Version": "8"}), http.StatusBadRequest, ""},
		{"GET", "/api/sessions/ws", with(map[string]string{"Origin": "https://evil.example"}), http.StatusForbidden, ""},
	} {
		resp := request(t, tc.method, srv.URL+tc.path, tc.header)
		var body struct{ Error string }
		err := json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		what := tc.method + " " + tc.path
		if resp.StatusCode != tc.status || resp.Header.Get("Allow") != tc.allow {
			t.Errorf("%s: %d, Allow %q; want %d, Allow %q", what, resp.StatusCode, resp.Header.Get("Allow"), tc.status, tc.allow)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || err != nil || body.Error == "" {
			t.Errorf("%s: %q, %+v, %v; want a JSON error", what, ct, body, err)
		}
	}
}
