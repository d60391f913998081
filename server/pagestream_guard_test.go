package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestPageStreamIsGuarded: the page stream is behind the same token,
// Host and cross-site checks as the rest of the API (helmd as deployed:
// a token required).
func TestPageStreamIsGuarded(t *testing.T) {
	root := t.TempDir()
	const sid = "5e55a0e0-0000-4000-8000-0000000000b1"
	cwd := "/home/dev/webapp"
	fixture.Append(t, fixture.Path(root, cwd, sid), fixture.User(sid, cwd, "hi", time.Now()))
	const token = "page-stream-test-token-0123456789"
	base := launchAuth(t, root, token, "--no-opencode").URL
	do := func(header http.Header, host string) int {
		req, err := http.NewRequest("GET", streamURL(base, "claude", sid, ""), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header = header
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close() // a stream ends here: this test reads statuses
		return resp.StatusCode
	}
	bearer := http.Header{"Authorization": {"Bearer " + token}}
	waitFor(t, "the session, with the token", func() bool { return do(bearer, "") == http.StatusOK })
	cases := []struct {
		name   string
		header http.Header
		host   string
		want   int
	}{
		{"no token", http.Header{}, "", http.StatusUnauthorized},
		{"a wrong token", http.Header{"Authorization": {"Bearer " + strings.Repeat("x", 32)}}, "", http.StatusUnauthorized},
		{"a rebinding Host", bearer, "evil.example:5003", http.StatusMisdirectedRequest},
		{"a cross-site fetch", http.Header{"Authorization": bearer["Authorization"], "Sec-Fetch-Site": {"cross-site"}, "Sec-Fetch-Mode": {"cors"}, "Origin": {"https://evil.example"}}, "", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := do(tc.header, tc.host); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
}
