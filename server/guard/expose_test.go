package guard

import (
	"encoding/json"
	"net/http"
	"testing"
)

// A page on the --cors-origin must be able to read the stream position a
// list names; no other origin gets the header exposed.
func TestEventIDHeaderExposedToTheCORSOrigin(t *testing.T) {
	srv := newServer(t, Options{CORSOrigin: "https://dash.example"})
	tests := []struct {
		origin, want string
	}{
		{"https://dash.example", "X-Helm-Event-Id"},
		{"https://evil.example", ""},
		{"", ""},
	}
	for _, tc := range tests {
		resp, _ := do(t, srv, req{method: "GET", path: "/api/sessions", header: map[string]string{"Origin": tc.origin}})
		if got := resp.Header.Get("Access-Control-Expose-Headers"); got != tc.want {
			t.Errorf("origin %q: Access-Control-Expose-Headers = %q, want %q", tc.origin, got, tc.want)
		}
	}
}

// The guard refuses in the body every layer uses: JSON {"error": …}.
func TestRefusalIsTheOneErrorBody(t *testing.T) {
	srv := newServer(t, Options{Token: "secret"})
	resp, body := do(t, srv, req{method: "GET", path: "/api/sessions"})
	var doc map[string]string
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" ||
		json.Unmarshal([]byte(body), &doc) != nil || doc["error"] == "" {
		t.Fatalf("refusal: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
