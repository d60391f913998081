package guard

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/webui/headscript"
)

const secret = "s3cret-token"

// newServer serves a stand-in app behind the guard: every path answers
// 200 "ok <method> <path>", so a test sees whether the guard let it through.
func newServer(t *testing.T, o Options) *httptest.Server {
	t.Helper()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok "+r.Method+" "+r.URL.Path)
	})
	srv := httptest.NewServer(Wrap(app, o))
	t.Cleanup(srv.Close)
	return srv
}

type req struct {
	method, path string
	header       map[string]string
	cookie       string
}

func do(t *testing.T, srv *httptest.Server, rq req) (*http.Response, string) {
	t.Helper()
	r, err := http.NewRequest(rq.method, srv.URL+rq.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range rq.header {
		if k == "Host" {
			r.Host = v
			continue
		}
		r.Header.Set(k, v)
	}
	if rq.cookie != "" {
		r.AddCookie(&http.Cookie{Name: CookieName, Value: rq.cookie})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestTokenOnEveryEndpoint(t *testing.T) {
	srv := newServer(t, Options{Token: secret})
	endpoints := []req{
		{method: "GET", path: "/"},
		{method: "GET", path: "/some/page"},
		{method: "GET", path: "/api/sessions"},
		{method: "GET", path: "/api/claude-sessions/all"},
		{method: "GET", path: "/api/sessions/stream"},
		{method: "GET", path: "/api/status"},
		{method: "POST", path: "/api/sessions/refresh"},
	}
	ways := []struct {
		name       string
		apply      func(req) req
		wantStatus int
	}{
		{"no token", func(r req) req { return r }, 401},
		{"wrong bearer", func(r req) req { r.header = map[string]string{"Authorization": "Bearer nope"}; return r }, 401},
		{"wrong cookie", func(r req) req { r.cookie = "nope"; return r }, 401},
		{"wrong query", func(r req) req { r.path += "?token=nope"; return r }, 401},
		{"bearer", func(r req) req { r.header = map[string]string{"Authorization": "Bearer " + secret}; return r }, 200},
		{"lower-case bearer", func(r req) req { r.header = map[string]string{"Authorization": "bearer " + secret}; return r }, 200},
		{"basic", func(r req) req { r.header = map[string]string{"Authorization": "Basic " + secret}; return r }, 401},
		{"cookie", func(r req) req { r.cookie = secret; return r }, 200},
	}
	for _, ep := range endpoints {
		for _, way := range ways {
			resp, body := do(t, srv, way.apply(ep))
			want := way.wantStatus
			if way.name == "wrong query" && strings.HasPrefix(ep.path, "/api/") {
				want = http.StatusBadRequest // no token in API URLs at all: TestAPIQueryTokenRefused
			}
			if resp.StatusCode != want {
				t.Errorf("%s %s with %s: status %d, want %d (%s)", ep.method, ep.path, way.name, resp.StatusCode, want, body)
				continue
			}
			if want == 401 && !strings.Contains(body, "token") {
				t.Errorf("%s %s with %s: the 401 should say a token is needed: %s", ep.method, ep.path, way.name, body)
			}
		}
	}
}

func TestQueryTokenBecomesCookie(t *testing.T) {
	srv := newServer(t, Options{Token: secret})
	resp, _ := do(t, srv, req{method: "GET", path: "/?token=" + secret + "&source=claude", header: map[string]string{"Accept": "text/html"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/?source=claude" {
		t.Fatalf("page with ?token= should redirect to the same URL without it: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == CookieName {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != secret || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie = %+v, want HttpOnly SameSite=Strict with the token", cookie)
	}
}

func TestPublicPathsNeedNoToken(t *testing.T) {
	srv := newServer(t, Options{Token: secret})
	for _, p := range []string{"/healthz", "/manifest.webmanifest", "/manifest.json", "/app.js", "/goapp.js", "/app.css", "/wasm_exec.js", "/app-worker.js", "/web/app.wasm", "/app.wasm", "/web/icon-192.png", "/robots.txt"} {
		if resp, body := do(t, srv, req{method: "GET", path: p}); resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
}

func TestHostCheck(t *testing.T) {
	srv := newServer(t, Options{AllowedHosts: []string{"helm.lan"}})
	tests := []struct {
		host string
		want int
	}{
		{"127.0.0.1:5003", 200},
		{"localhost:5003", 200},
		{"LOCALHOST", 200},
		{"app.localhost", 200},
		{"[::1]:5003", 200},
		{"192.168.1.20:5003", 200},
		{"helm.lan:5003", 200},
		{"evil.example", 421},
		{"evil.example:5003", 421},
		{"localhost.evil.example", 421},
		{"helm.lan.evil.example", 421},
	}
	for _, tc := range tests {
		resp, body := do(t, srv, req{method: "GET", path: "/api/sessions", header: map[string]string{"Host": tc.host}})
		if resp.StatusCode != tc.want {
			t.Errorf("Host %q: %d, want %d (%s)", tc.host, resp.StatusCode, tc.want, body)
		}
	}
}

func TestCrossSiteStateChangeRefused(t *testing.T) {
	srv := newServer(t, Options{})
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"same origin fetch", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": srv.URL}, 200},
		{"script without browser headers", nil, 200},
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"cross-origin without fetch metadata", map[string]string{"Origin": "https://evil.example"}, 403},
	}
	for _, tc := range tests {
		resp, body := do(t, srv, req{method: "POST", path: "/api/sessions/refresh", header: tc.header})
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d (%s)", tc.name, resp.StatusCode, tc.want, body)
		}
	}
	// Reads cross-site are refused too (TestCrossSiteReads), with no CORS header.
	resp, _ := do(t, srv, req{method: "GET", path: "/api/sessions", header: map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", "Origin": "https://evil.example"}})
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("cross-site read: %d, CORS %q: want 403 and no CORS header unless --cors-origin is set", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestSecurityHeadersAndCORS(t *testing.T) {
	srv := newServer(t, Options{CORSOrigin: "https://dash.example"})
	resp, _ := do(t, srv, req{method: "GET", path: "/"})
	for k, want := range map[string]string{
		"Content-Security-Policy": ContentSecurityPolicy,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(ContentSecurityPolicy, "'wasm-unsafe-eval'") || strings.Contains(ContentSecurityPolicy, "'unsafe-inline'") {
		t.Error("the CSP must allow wasm compilation and no inline code")
	}
	if !strings.Contains(ContentSecurityPolicy, "script-src 'self' "+headscript.CSPSource()+" ") {
		t.Error("the CSP must allow the page head's one inline script, by its hash")
	}
	resp, _ = do(t, srv, req{method: "GET", path: "/api/sessions", header: map[string]string{"Origin": "https://dash.example", "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"}})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://dash.example" {
		t.Errorf("the configured origin should read with CORS headers: %d", resp.StatusCode)
	}
	resp, _ = do(t, srv, req{method: "GET", path: "/api/sessions", header: map[string]string{"Origin": "https://other.example"}})
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("another origin must not get CORS headers")
	}
	resp, _ = do(t, srv, req{method: "OPTIONS", path: "/api/sessions", header: map[string]string{"Origin": "https://dash.example"}})
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("preflight: %d", resp.StatusCode)
	}
	resp, _ = do(t, srv, req{method: "POST", path: "/api/sessions/refresh", header: map[string]string{"Origin": "https://dash.example", "Sec-Fetch-Site": "cross-site"}})
	if resp.StatusCode != 200 {
		t.Errorf("POST from the trusted origin: %d", resp.StatusCode)
	}
}

func FuzzHostAllowed(f *testing.F) {
	for _, s := range []string{"localhost:5003", "evil.example", "[::1]:1", "a.localhost", "", "\x00", "127.0.0.1.nip.io"} {
		f.Add(s)
	}
	allowed := map[string]bool{"helm.lan": true}
	f.Fuzz(func(t *testing.T, host string) {
		ok := hostAllowed(host, allowed)
		h := strings.ToLower(host)
		// Whatever is accepted is a loopback name, an IP or the configured name.
		if ok && !strings.Contains(h, "localhost") && !strings.Contains(h, "helm.lan") && !strings.ContainsAny(h, "0123456789:") {
			t.Fatalf("accepted %q", host)
		}
	})
}

func FuzzTokenCheck(f *testing.F) {
	f.Add("Bearer "+secret, "", "")
	f.Add("", "token="+secret, "")
	f.Add("Basic x", "token=%00", "\xff")
	h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), Options{Token: secret})
	f.Fuzz(func(t *testing.T, auth, rawQuery, cookie string) {
		r := httptest.NewRequest("GET", "http://127.0.0.1/api/sessions", nil)
		r.URL.RawQuery = rawQuery
		r.Header.Set("Authorization", auth)
		if cookie != "" {
			r.Header.Set("Cookie", CookieName+"="+cookie)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		presented, _ := tokenOf(r)
		// A token in an API URL is refused whatever it is.
		if (w.Code == 200) != (presented == secret && !r.URL.Query().Has("token")) {
			t.Fatalf("auth %q query %q cookie %q: status %d, presented %q", auth, rawQuery, cookie, w.Code, presented)
		}
	})
}

func TestLargeBodiesRefused(t *testing.T) {
	srv := newServer(t, Options{})
	resp, err := http.Post(srv.URL+"/api/sessions/refresh", "application/octet-stream", strings.NewReader(strings.Repeat("x", MaxBodyBytes+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a %d-byte body: %d, want 413", MaxBodyBytes+1, resp.StatusCode)
	}
	resp, err = http.Post(srv.URL+"/api/sessions/refresh", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("an empty body: %d", resp.StatusCode)
	}
}
