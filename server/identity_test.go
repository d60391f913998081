package main

import (
	"net"
	"net/http"
	"testing"

	"vibecraft.sh/helm/server/ident"
)

// TestIdentityBehindTheGuard: helmd names itself only to requests that
// passed the access checks, on the list and the stream alike (never on
// the public health check and static files), and a
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
		// What anyone may fetch names no host and no instance (a hash of
		// the host and the folders read, which a guess of the user's home
		// confirms): another account learns nothing of whose helmd it is.
		{"health check: unnamed", "/healthz", false, 200, false, ""},
		{"a static file: unnamed", "/web/helm.css", false, 200, false, ""},
		{"the manifest: unnamed", "/manifest.webmanifest", false, 200, false, ""},
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
			if host := resp.Header.Get(ident.HostHeader); tc.named && host != "box-1" || !tc.named && host != "" {
				t.Errorf("%s: %q", ident.HostHeader, host)
			}
			if got != "" {
				mine = got
			}
		})
	}
}

// TestDemoRestartedIsTheSameHelm: a demo stopped and started again on the
// same port is the same Helm to the pages it served (they reconnect and
// show the new demo's sessions), though each run simulates its own in a
// new folder; a real helmd on that port is another, as is a demo on
// another port or host, and the pages of one are refused by the other.
func TestDemoRestartedIsTheSameHelm(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := portOf(t, "http://"+ln.Addr().String())
	ln.Close()
	first := startHelmd(t, "", "--demo", "--host-name", "box-1", "--port", port)
	instance := func(s *testServer, named string) (string, int) {
		t.Helper()
		url := s.URL + "/api/sessions"
		if named != "" {
			url += "?instance=" + named
		}
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get(ident.InstanceHeader), resp.StatusCode
	}
	demo, _ := instance(first, "")
	first.stop(t)

	again := startHelmd(t, "", "--demo", "--host-name", "box-1", "--port", port)
	if got, status := instance(again, demo); got != demo || status != http.StatusOK {
		t.Errorf("the demo restarted on port %s: instance %q, %d to the first's pages; want %q, 200", port, got, status, demo)
	}
	again.stop(t)

	real := startHelmd(t, "", "--host-name", "box-1", "--port", port)
	if got, status := instance(real, demo); got == demo || status != http.StatusConflict {
		t.Errorf("a real helmd on the demo's port: instance %q, %d to the demo's pages; want another, 409", got, status)
	}
	real.stop(t)
	for _, args := range [][]string{{"--host-name", "box-2", "--port", port}, {"--host-name", "box-1"}} {
		s := startHelmd(t, "", append([]string{"--demo"}, args...)...)
		if got, _ := instance(s, ""); got == demo {
			t.Errorf("a demo with %v has the instance of the first", args)
		}
	}
}
