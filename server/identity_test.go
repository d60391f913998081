package main

import (
	"net/http"
	"testing"

	"vibecraft.sh/helm/server/ident"
)

// TestIdentityBehindTheGuard: helmd names itself only to requests that
// passed the access checks, on the list and the stream alike, and a
// request naming another instance gets 409 and no sessions.
func TestIdentityBehindTheGuard(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	s := launchAuth(t, "", token, "--no-opencode", "--host-name", "box-1")
	tests := []struct {
		name     string
		path     string
		token    bool
		status   int
		named    bool
		instance string // ?instance=; "mine" = this helmd's own
	}{
		{"no token: refused, unnamed", "/api/sessions", false, 401, false, ""},
		{"list", "/api/sessions", true, 200, true, ""},
		{"list, its own instance", "/api/sessions", true, 200, true, "mine"},
		{"list, another instance", "/api/sessions", true, 409, true, "0000000000000000"},
		{"stream, another instance", "/api/sessions/stream", true, 409, true, "ffffffffffffffff"},
		{"no token, another instance: refused by the guard first", "/api/sessions", false, 401, false, "0000000000000000"},
	}
	var mine string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := s.URL + tc.path
			switch tc.instance {
			case "":
			case "mine":
				if mine == "" {
					t.Fatal("no instance learned from an earlier answer")
				}
				url += "?instance=" + mine
			default:
				url += "?instance=" + tc.instance
			}
			req, _ := http.NewRequest("GET", url, nil)
			if tc.token {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			got := resp.Header.Get(ident.InstanceHeader)
			if (got != "") != tc.named {
				t.Errorf("%s: %q", ident.InstanceHeader, got)
			}
			if tc.named && resp.Header.Get(ident.HostHeader) != "box-1" {
				t.Errorf("%s: %q", ident.HostHeader, resp.Header.Get(ident.HostHeader))
			}
			if got != "" {
				mine = got
			}
		})
	}
}
