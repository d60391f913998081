package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared/snapshot"
)

// TestSnapshotGuarded: the compact snapshot is guarded like the JSON
// list (token, Host, cross-site requests), refuses parameters with a
// clear 4xx, and carries a hostile title byte for byte, as data.
func TestSnapshotGuarded(t *testing.T) {
	claude := t.TempDir()
	const sid = "5d000000-0000-4000-8000-000000000001"
	title := "<img src=x onerror=alert(1)> \u2028 " + strings.Repeat("long ", 20_000)
	fixture.Append(t, fixture.Path(claude, "/srv/app", sid), fixture.User(sid, "/srv/app", title, time.Now()))
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", claude, "--no-opencode")
	const path = "/api/sessions/snapshot"

	do := func(host, query string, header ...string) (int, string, http.Header) {
		t.Helper()
		resp, body := callHost(t, "GET", p.URL+path+query, host, header...)
		return resp.StatusCode, body, resp.Header
	}
	bearer := []string{"Authorization", "Bearer " + e2eToken}
	for _, tc := range []struct {
		name, host, query string
		header            []string
		want              int
	}{
		{"no token", "", "", nil, 401},
		{"a wrong token", "", "", []string{"Authorization", "Bearer guess-guess-guess-guess"}, 401},
		{"another Host (DNS rebinding)", "evil.example", "", bearer, 421},
		{"a cross-site fetch", "", "", append([]string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"}, bearer...), 403},
		{"a query for the list", "", "?q=login", bearer, 400},
		{"a broken query", "", "?%zz", bearer, 400},
		{"another Helm's page", "", "?instance=0123456789abcdef", bearer, 409},
	} {
		code, body, _ := do(tc.host, tc.query, tc.header...)
		if code != tc.want || !strings.Contains(body, `"error"`) || strings.Contains(body, "onerror") {
			t.Errorf("%s: %d %.200q, want %d and a JSON error without the sessions", tc.name, code, body, tc.want)
		}
	}
	code, body, h := do("", "", bearer...)
	if code != 200 || h.Get("Content-Type") != snapshot.ContentType || h.Get("X-Helm-Event-Id") == "" {
		t.Fatalf("with the token: %d %q, id %q", code, h.Get("Content-Type"), h.Get("X-Helm-Event-Id"))
	}
	sessions, err := snapshot.Decode([]byte(body))
	if err != nil || len(sessions) != 1 {
		t.Fatalf("decoded %d sessions: %v", len(sessions), err)
	}
	var list []struct{ Title string }
	getJSONFrom(t, p.URL+"/api/sessions", &list)
	if len(list) != 1 || sessions[0].Title != list[0].Title || !strings.HasPrefix(sessions[0].Title, "<img src=x") {
		t.Fatalf("the snapshot's title (%d bytes) is not the list's (%d)", len(sessions[0].Title), len(list[0].Title))
	}
}
