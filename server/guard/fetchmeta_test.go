package guard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCrossSiteReads(t *testing.T) {
	srv := newServer(t, Options{Token: secret})
	trusted := newServer(t, Options{Token: secret, CORSOrigin: "https://dash.example"})
	meta := func(site, mode, dest string) map[string]string {
		return map[string]string{"Sec-Fetch-Site": site, "Sec-Fetch-Mode": mode, "Sec-Fetch-Dest": dest}
	}
	tests := []struct {
		name   string
		srv    *httptest.Server
		path   string
		header map[string]string
		want   int
	}{
		{"another site fetches the API", srv, "/api/sessions", meta("cross-site", "cors", "empty"), 403},
		{"another site opens the stream", srv, "/api/sessions/stream", meta("cross-site", "cors", "empty"), 403},
		{"another site loads the page as an image", srv, "/", meta("cross-site", "no-cors", "image"), 403},
		{"another site frames the page", srv, "/", meta("cross-site", "navigate", "iframe"), 403},
		{"another localhost port fetches the API", srv, "/api/sessions", meta("same-site", "cors", "empty"), 403},
		{"another localhost port embeds the page", srv, "/", meta("same-site", "no-cors", "script"), 403},
		{"a link from another site opens Helm", srv, "/", meta("cross-site", "navigate", "document"), 200},
		{"a link from another localhost port opens Helm", srv, "/", meta("same-site", "navigate", "document"), 200},
		{"Helm's own page fetches the API", srv, "/api/sessions", meta("same-origin", "cors", "empty"), 200},
		{"the address bar", srv, "/", meta("none", "navigate", "document"), 200},
		{"a script without fetch metadata", srv, "/api/sessions", nil, 200},
		{"another site may load an icon", srv, "/web/icon-192.png", meta("cross-site", "no-cors", "image"), 200},
		{"the configured origin may read", trusted, "/api/sessions", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", "Origin": "https://dash.example"}, 200},
		{"another origin may not", trusted, "/api/sessions", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", "Origin": "https://evil.example"}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, tc.srv, req{method: "GET", path: tc.path, header: tc.header, cookie: secret})
			if resp.StatusCode != tc.want {
				t.Fatalf("%d, want %d (%s)", resp.StatusCode, tc.want, body)
			}
			if tc.want == 403 && (!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, "cross-site request refused")) {
				t.Fatalf("the refusal should be a clear JSON error: %s %s", resp.Header.Get("Content-Type"), body)
			}
		})
	}
}

func TestResourcePolicyOnEveryAnswer(t *testing.T) {
	srv := newServer(t, Options{Token: secret})
	for _, rq := range []req{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/web/app.wasm"},
		{method: "GET", path: "/", cookie: secret},
		{method: "GET", path: "/api/sessions"},                                     // 401
		{method: "GET", path: "/api/sessions?token=x"},                             // 400
		{method: "GET", path: "/?token=" + secret},                                 // 303
		{method: "GET", path: "/", header: map[string]string{"Host": "evil.test"}}, // 421
		{method: "GET", path: "/api/sessions", header: map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}}, // 403
	} {
		resp, _ := do(t, srv, rq)
		if got := resp.Header.Get("Cross-Origin-Resource-Policy"); got != "same-origin" {
			t.Errorf("%s %s (%d): Cross-Origin-Resource-Policy %q, want same-origin", rq.method, rq.path, resp.StatusCode, got)
		}
	}
}

// FuzzFetchMetadata: whatever the Sec-Fetch headers say, public assets
// pass, and a subresource request from another site never reaches the app.
func FuzzFetchMetadata(f *testing.F) {
	f.Add("cross-site", "no-cors", "image", "/")
	f.Add("same-site", "navigate", "document", "/api/sessions")
	f.Add("CROSS-SITE", "Navigate", "", "/web/x")
	f.Add("none", "cors", "empty", "/healthz")
	f.Add("\x00", "navigate\r\n", "iframe", "//x")
	reached := false
	h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }), Options{Token: secret})
	f.Fuzz(func(t *testing.T, site, mode, dest, path string) {
		r := httptest.NewRequest("GET", "http://127.0.0.1/", nil)
		r.URL.Path = "/" + strings.TrimLeft(path, "/")
		r.Header.Set("Sec-Fetch-Site", site)
		r.Header.Set("Sec-Fetch-Mode", mode)
		r.Header.Set("Sec-Fetch-Dest", dest)
		r.Header.Set("Cookie", CookieName+"="+secret)
		reached = false
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		public := IsPublic(r.URL.Path)
		site, mode, dest = strings.ToLower(site), strings.ToLower(mode), strings.ToLower(dest)
		subresource := (site == "cross-site" || site == "same-site") && (mode != "navigate" || (dest != "" && dest != "document"))
		switch {
		case public && !reached:
			t.Fatalf("public %q refused (%d) for site %q mode %q", r.URL.Path, w.Code, site, mode)
		case !public && subresource && (reached || w.Code != http.StatusForbidden):
			t.Fatalf("%q from site %q mode %q dest %q: %d, reached %v; want 403", r.URL.Path, site, mode, dest, w.Code, reached)
		case !public && !subresource && !reached:
			t.Fatalf("%q from site %q mode %q dest %q: %d; want it served", r.URL.Path, site, mode, dest, w.Code)
		}
	})
}
