package guard

import (
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/logbuf"
	"vibecraft.sh/helm/server/internal/warnlimit"
)

func tokenCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == CookieName {
			return c
		}
	}
	return nil
}

func TestCookieFlags(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	h := Wrap(app, Options{Token: secret})
	tests := []struct {
		name       string
		remote     string
		header     map[string]string
		tls        bool
		wantSecure bool
	}{
		{"plain HTTP on loopback", "127.0.0.1:40000", nil, false, false},
		{"TLS", "192.0.2.7:40000", nil, true, true},
		{"TLS proxy on loopback", "127.0.0.1:40000", map[string]string{"X-Forwarded-Proto": "https"}, false, true},
		{"TLS proxy on IPv6 loopback", "[::1]:40000", map[string]string{"X-Forwarded-Proto": "HTTPS, http"}, false, true},
		{"proxy said http", "127.0.0.1:40000", map[string]string{"X-Forwarded-Proto": "http"}, false, false},
		{"forwarded header from a remote peer is not believed", "192.0.2.7:40000", map[string]string{"X-Forwarded-Proto": "https"}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://127.0.0.1:5003/?token="+secret, nil)
			r.RemoteAddr = tc.remote
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			resp := w.Result()
			c := tokenCookie(resp)
			if resp.StatusCode != http.StatusSeeOther || c == nil {
				t.Fatalf("status %d cookie %v: want a 303 setting the cookie", resp.StatusCode, c)
			}
			if c.Value != secret || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.MaxAge != 30*24*3600 {
				t.Errorf("cookie %q: want the token, HttpOnly, SameSite=Strict, Path=/, Max-Age=2592000 (30 days)", resp.Header.Get("Set-Cookie"))
			}
			if c.Secure != tc.wantSecure {
				t.Errorf("Secure = %v, want %v (%s)", c.Secure, tc.wantSecure, resp.Header.Get("Set-Cookie"))
			}
		})
	}
}

func TestAPIQueryTokenRefused(t *testing.T) {
	srv := newServer(t, Options{Token: secret})
	for _, path := range []string{
		"/api/sessions?token=" + secret,
		"/api/sessions/stream?token=" + secret,
		"/api/sessions?token=nope",
		"/api/status?x=1&token=",
	} {
		for _, way := range []req{
			{method: "GET", path: path},
			{method: "GET", path: path, cookie: secret},
			{method: "POST", path: path, header: map[string]string{"Authorization": "Bearer " + secret}},
		} {
			resp, body := do(t, srv, way)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Authorization: Bearer") || !strings.Contains(body, "cookie") {
				t.Errorf("%s %s: %d %s; want 400 saying to use the header or the cookie", way.method, path, resp.StatusCode, body)
			}
			if c := tokenCookie(resp); c != nil {
				t.Errorf("%s: a refused request must not set the cookie", path)
			}
		}
	}
}

func TestAskPageWithoutToken(t *testing.T) {
	srv := newServer(t, Options{Token: secret})
	page := map[string]string{"Accept": "text/html,application/xhtml+xml"}
	tests := []struct {
		name, path string
		header     map[string]string
		wantIn     []string
		wantOut    []string
	}{
		{"no token", "/", page, []string{`name="token"`, "helmd url"}, []string{"ok GET", "http-equiv"}},
		{"wrong token", "/?token=wrong-wrong-wrong", page, []string{`name="token"`, "not this Helm"}, []string{"ok GET"}},
		{"the path is not echoed", "/%22%3E%3Cscript%3Ealert(1)%3C/script%3E", page, []string{`name="token"`}, []string{"<script", "alert"}},
		{"a link from another site reloads once, same-origin, to carry the cookie", "/",
			map[string]string{"Accept": "text/html", "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"},
			[]string{`<meta http-equiv="refresh" content="0">`, `name="token"`}, []string{"ok GET"}},
		{"that reload, still without a cookie, stops here", "/",
			map[string]string{"Accept": "text/html", "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"},
			[]string{`name="token"`}, []string{"http-equiv"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, srv, req{method: "GET", path: tc.path, header: tc.header})
			if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("%d %s: want a 401 HTML page", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			for _, s := range tc.wantIn {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tc.wantOut {
				if strings.Contains(body, s) {
					t.Errorf("page has %q:\n%s", s, body)
				}
			}
		})
	}
	// Scripts and the API get JSON.
	resp, body := do(t, srv, req{method: "GET", path: "/api/sessions", header: page})
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, "Authorization: Bearer") {
		t.Fatalf("API without token: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

func TestCookieRenewedOnPageLoads(t *testing.T) {
	srv := newServer(t, Options{Token: secret})
	resp, _ := do(t, srv, req{method: "GET", path: "/", cookie: secret})
	if c := tokenCookie(resp); resp.StatusCode != 200 || c == nil || c.MaxAge != 30*24*3600 {
		t.Fatalf("page load with the cookie: %d, Set-Cookie %q: want it renewed for 30 days", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
	for _, rq := range []req{
		{method: "GET", path: "/api/sessions", cookie: secret},
		{method: "GET", path: "/", header: map[string]string{"Authorization": "Bearer " + secret}},
	} {
		resp, _ := do(t, srv, rq)
		if resp.StatusCode != 200 || resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s %+v: %d Set-Cookie %q: only page loads by cookie renew it", rq.path, rq.header, resp.StatusCode, resp.Header.Get("Set-Cookie"))
		}
	}
}

func TestAuthOff(t *testing.T) {
	srv := newServer(t, Options{})
	for _, p := range []string{"/", "/api/sessions", "/api/sessions?token=whatever"} {
		if resp, body := do(t, srv, req{method: "GET", path: p}); resp.StatusCode != 200 || resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s with auth off: %d %s %q", p, resp.StatusCode, body, resp.Header.Get("Set-Cookie"))
		}
	}
}

// syncBuffer is a log destination the handler goroutines share.
type syncBuffer = logbuf.Buffer

func TestWrongTokenWarningsRateLimited(t *testing.T) {
	var logs syncBuffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := newAuthenticator(secret, slog.New(slog.NewTextHandler(&logs, nil)))
	a.warn = warnlimit.New(warnEvery, func() time.Time { return now })
	guess := func(n int) {
		for range n {
			r := httptest.NewRequest("GET", "/api/sessions", nil)
			r.Header.Set("Authorization", "Bearer guess-guess-guess")
			w := httptest.NewRecorder()
			if a.check(w, r) || w.Code != 401 {
				t.Fatalf("a wrong token passed: %d", w.Code)
			}
		}
	}
	lines := func() []string { return strings.Split(strings.TrimSpace(logs.String()), "\n") }

	guess(50)
	if l := lines(); len(l) != 1 || !strings.Contains(l[0], "level=WARN") || !strings.Contains(l[0], "suppressedSinceLast=0") {
		t.Fatalf("50 wrong tokens at once: want one WARN line, got %q", l)
	}
	now = now.Add(9 * time.Second)
	guess(1)
	if l := lines(); len(l) != 1 {
		t.Fatalf("9 s later: still one line, got %q", l)
	}
	now = now.Add(2 * time.Second)
	guess(1)
	l := lines()
	if len(l) != 2 || !strings.Contains(l[1], "suppressedSinceLast=50") {
		t.Fatalf("11 s after the first: want a second line counting the 50 held back, got %q", l)
	}
	if strings.Contains(logs.String(), "guess-guess") {
		t.Fatal("the presented token must not be logged")
	}
}

func TestWrongTokenWarningsOverHTTP(t *testing.T) {
	var logs syncBuffer
	srv := newServer(t, Options{Token: secret, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(srv.URL + "/?token=nope-nope-nope-nope")
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	if n := strings.Count(logs.String(), "wrong token"); n != 1 {
		t.Fatalf("20 wrong tokens within a moment wrote %d WARN lines, want 1:\n%s", n, logs.String())
	}
}
