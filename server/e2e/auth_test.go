package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// anonymous is a client with no credentials that shows redirects instead
// of following them: a stranger's script, or another local account.
var anonymous = &http.Client{
	Transport:     http.DefaultTransport,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// call sends a request with anonymous and returns the answer and its body.
func call(t *testing.T, method, target string, header ...string) (*http.Response, string) {
	t.Helper()
	return callHost(t, method, target, "", header...)
}

// callHost is call with the Host header set to host (when not empty).
func callHost(t *testing.T, method, target, host string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := anonymous.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func findCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == "helm_token" {
			return c
		}
	}
	return nil
}

// tokenEnv runs helmd with the token file of config (no HELM_TOKEN).
func tokenEnv(config string) []string {
	return []string{"XDG_CONFIG_HOME=" + config, "HELM_TOKEN="}
}

// TestTokenByDefault: on loopback, with no flag, helmd keeps a token in a
// private file, prints the URL that carries it, and serves nothing of the
// user's without it.
func TestTokenByDefault(t *testing.T) {
	claude, config := t.TempDir(), t.TempDir()
	const sid = "7e1b2c3d-1111-4222-8333-444455556666"
	const title = "Rotate the staging credentials"
	fixture.Append(t, fixture.Path(claude, "/srv/app", sid), fixture.User(sid, "/srv/app", title, time.Now()))
	args := []string{"--port", "0", "--claude-dir", claude, "--no-opencode"}
	p := startBinaryEnv(t, t.TempDir(), tokenEnv(config), args...)

	file := filepath.Join(config, "helm", "token")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("token file: %v", err)
	}
	if p.Token == "" || strings.TrimSpace(string(data)) != p.Token {
		t.Fatalf("printed token %q, file holds %q", p.Token, data)
	}
	for path, want := range map[string]os.FileMode{file: 0o600, filepath.Dir(file): 0o700} {
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v mode %04o, want %04o", path, err, st.Mode().Perm(), want)
		}
	}
	if strings.Contains(p.logs(), p.Token) {
		t.Error("the token must be printed to stdout, never logged")
	}

	// Without the token: 401 for the data, the page without any of it.
	for _, path := range []string{"/api/sessions", "/api/claude-sessions/all", "/api/status", "/api/sessions/stream", "/api/claude-sessions/stream"} {
		resp, body := call(t, "GET", p.URL+path)
		if resp.StatusCode != 401 || strings.Contains(body, title) || !strings.Contains(body, "token") {
			t.Errorf("GET %s without a token: %d %.200s", path, resp.StatusCode, body)
		}
	}
	if resp, body := call(t, "POST", p.URL+"/api/sessions/refresh"); resp.StatusCode != 401 {
		t.Errorf("POST refresh without a token: %d %s", resp.StatusCode, body)
	}
	resp, body := call(t, "GET", p.URL+"/", "Accept", "text/html")
	if resp.StatusCode != 401 || strings.Contains(body, title) || strings.Contains(body, sid) || !strings.Contains(body, `name="token"`) {
		t.Errorf("page without a token: %d, want the page asking for it and nothing of the sessions:\n%.400s", resp.StatusCode, body)
	}
	for _, path := range []string{"/healthz", "/app.js", "/app-worker.js", "/manifest.webmanifest", "/web/icon-192.png"} {
		if resp, _ := call(t, "GET", p.URL+path); resp.StatusCode != 200 {
			t.Errorf("public %s without a token: %d", path, resp.StatusCode)
		}
	}

	// The printed URL: the cookie, and back to the page without the token.
	printed := p.URL + "/?token=" + p.Token
	resp, _ = call(t, "GET", printed, "Accept", "text/html")
	c := findCookie(resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" || c == nil {
		t.Fatalf("printed URL: %d Location %q cookie %v", resp.StatusCode, resp.Header.Get("Location"), c)
	}
	if c.Value != p.Token || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.MaxAge != 30*24*3600 || c.Secure {
		t.Errorf("Set-Cookie %q: want HttpOnly, SameSite=Strict, Max-Age=2592000, not Secure over plain HTTP", resp.Header.Get("Set-Cookie"))
	}
	resp, body = call(t, "GET", p.URL+"/", "Accept", "text/html", "Cookie", "helm_token="+c.Value)
	if resp.StatusCode != 200 || !strings.Contains(body, title) {
		t.Errorf("page with the cookie: %d, want the list with %q", resp.StatusCode, title)
	}
	resp, body = call(t, "GET", p.URL+"/api/sessions", "Authorization", "Bearer "+p.Token)
	if resp.StatusCode != 200 || !strings.Contains(body, sid) {
		t.Errorf("API with Bearer: %d %.200s", resp.StatusCode, body)
	}
	// Behind a TLS proxy on this machine the cookie is Secure.
	resp, _ = call(t, "GET", printed, "X-Forwarded-Proto", "https")
	if c := findCookie(resp); c == nil || !c.Secure {
		t.Errorf("behind a TLS proxy: Set-Cookie %q, want Secure", resp.Header.Get("Set-Cookie"))
	}

	// `helmd url` prints the same URL while helmd runs, and after.
	port := p.URL[strings.LastIndex(p.URL, ":")+1:]
	helmdURL := func() string {
		t.Helper()
		cmd := exec.Command(helmdBin, "url", "--port", port)
		cmd.Env = append(os.Environ(), tokenEnv(config)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("helmd url: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	if got := helmdURL(); got != printed {
		t.Errorf("helmd url = %q, want %q", got, printed)
	}
	p.terminate(t)
	if got := helmdURL(); got != printed {
		t.Errorf("helmd url with helmd stopped = %q, want %q", got, printed)
	}

	// The token survives a restart: bookmarks and the installed app work on.
	p2 := startBinaryEnv(t, t.TempDir(), tokenEnv(config), args...)
	if p2.Token != p.Token {
		t.Fatalf("token after a restart %q, want %q", p2.Token, p.Token)
	}
	if resp, _ := call(t, "GET", p2.URL+"/api/sessions", "Cookie", "helm_token="+c.Value); resp.StatusCode != 200 {
		t.Fatalf("the cookie after a restart: %d", resp.StatusCode)
	}
}

// TestTokenFileReadableByOthersRefused: helmd will not start on a token
// others may already have read, and says what to do.
func TestTokenFileReadableByOthersRefused(t *testing.T) {
	config := t.TempDir()
	if err := os.MkdirAll(filepath.Join(config, "helm"), 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(config, "helm", "token")
	if err := os.WriteFile(file, []byte("abcdefghijklmnopqrstuvwxyz012345\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(helmdBin, "--port", "0", "--claude-dir", t.TempDir(), "--no-opencode")
	cmd.Env = append(os.Environ(), append(tokenEnv(config), "HELM_CACHE_DIR="+t.TempDir())...)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), file) || !strings.Contains(string(out), "chmod 600") {
		t.Fatalf("helmd with a 0644 token file: %v\n%s", err, out)
	}
}

// TestAuthNone: --auth none asks nothing, says so once, and keeps no file.
func TestAuthNone(t *testing.T) {
	config := t.TempDir()
	p := startBinaryEnv(t, t.TempDir(), tokenEnv(config), "--port", "0", "--claude-dir", t.TempDir(), "--no-opencode", "--auth", "none")
	if p.Token != "" {
		t.Fatalf("printed a token with --auth none: %q", p.Token)
	}
	for _, path := range []string{"/api/sessions", "/"} {
		if resp, body := call(t, "GET", p.URL+path); resp.StatusCode != 200 {
			t.Errorf("%s with --auth none: %d %.200s", path, resp.StatusCode, body)
		}
	}
	if n := strings.Count(p.logs(), "--auth none"); n != 1 {
		t.Errorf("want one warning line about --auth none, got %d:\n%s", n, p.logs())
	}
	if _, err := os.Stat(filepath.Join(config, "helm")); err == nil {
		t.Error("--auth none should not create a token folder")
	}
	out, err := exec.Command(helmdBin, "--auth", "none", "--host", "0.0.0.0", "--port", "0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "loopback only") {
		t.Errorf("--auth none off loopback: %v %s, want a refusal", err, out)
	}
}

// TestHostileTokenUse: the ways a token can leak or be abused, over the
// real binary.
func TestHostileTokenUse(t *testing.T) {
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", t.TempDir(), "--no-opencode")
	tok := p.Token

	t.Run("token in an API URL", func(t *testing.T) {
		for _, path := range []string{"/api/sessions?token=" + tok, "/api/sessions/stream?token=" + tok, "/api/status?token=wrong-wrong-wrong-wrong"} {
			resp, body := call(t, "GET", p.URL+path)
			if resp.StatusCode != 400 || !strings.Contains(body, "Authorization: Bearer") || findCookie(resp) != nil {
				t.Errorf("%s: %d %s, want 400 pointing to the header or the cookie", path, resp.StatusCode, body)
			}
		}
	})

	t.Run("open redirect", func(t *testing.T) {
		base, _ := url.Parse(p.URL + "/")
		for _, target := range []string{"//evil.example/", "///evil.example/", "/%2F%2Fevil.example/", "/%5Cevil.example/", "/%2F%5Cevil.example/", "/.//evil.example/", "/x/..//evil.example/"} {
			resp := rawRequest(t, p.URL, "GET "+target+"?token="+tok)
			loc := resp.Header.Get("Location")
			next, err := base.Parse(loc)
			if resp.StatusCode != http.StatusSeeOther || err != nil || next.Host != base.Host || strings.HasPrefix(loc, "//") || strings.Contains(loc, "\\") || strings.Contains(loc, "token") {
				t.Errorf("%s?token=…: %d Location %q: want a 303 to a path on this origin", target, resp.StatusCode, loc)
			}
		}
	})

	t.Run("cross-site", func(t *testing.T) {
		meta := func(site, mode, dest string) []string {
			return []string{"Sec-Fetch-Site", site, "Sec-Fetch-Mode", mode, "Sec-Fetch-Dest", dest, "Cookie", "helm_token=" + tok, "Accept", "text/html"}
		}
		tests := []struct {
			name, path string
			header     []string
			want       int
		}{
			{"fetch of the API", "/api/sessions", meta("cross-site", "cors", "empty"), 403},
			{"the page as a subresource", "/", meta("cross-site", "no-cors", "script"), 403},
			{"the page in a frame", "/", meta("cross-site", "navigate", "iframe"), 403},
			{"another localhost port's fetch", "/api/sessions", meta("same-site", "cors", "empty"), 403},
			{"a public asset", "/web/icon-192.png", meta("cross-site", "no-cors", "image"), 200},
			{"the user's own page", "/api/sessions", meta("same-origin", "cors", "empty"), 200},
		}
		for _, tc := range tests {
			resp, body := call(t, "GET", p.URL+tc.path, tc.header...)
			if resp.StatusCode != tc.want {
				t.Errorf("%s: %d, want %d (%.200s)", tc.name, resp.StatusCode, tc.want, body)
			}
			if tc.want == 403 && !strings.Contains(body, `"error"`) {
				t.Errorf("%s: the refusal should be a JSON error: %s", tc.name, body)
			}
			if got := resp.Header.Get("Cross-Origin-Resource-Policy"); got != "same-origin" {
				t.Errorf("%s: Cross-Origin-Resource-Policy %q", tc.name, got)
			}
		}
		// A link from another site opens Helm; the Strict cookie stays
		// behind, so it is the page asking for the token, which reloads
		// itself once from Helm's own origin (where the cookie is sent).
		resp, body := call(t, "GET", p.URL+"/", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document", "Accept", "text/html")
		if resp.StatusCode != 401 || !strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, `name="token"`) {
			t.Errorf("a link from another site: %d, want the page asking for the token:\n%.400s", resp.StatusCode, body)
		}
	})

	t.Run("wrong tokens are logged at most once per 10 s", func(t *testing.T) {
		for range 25 {
			call(t, "GET", p.URL+"/api/sessions", "Authorization", "Bearer guess-guess-guess-guess")
		}
		if n := strings.Count(p.logs(), "wrong token"); n != 1 {
			t.Errorf("25 wrong tokens logged %d lines, want 1:\n%s", n, p.logs())
		}
		if strings.Contains(p.logs(), "guess-guess") {
			t.Error("a presented token must never be logged")
		}
	})
}

// rawRequest sends a request line verbatim ("GET //x?y"): a Go client
// would clean or escape it, an attacker's would not.
func rawRequest(t *testing.T, base, line string) *http.Response {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	conn, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(conn, "%s HTTP/1.1\r\nHost: %s\r\nAccept: text/html\r\nConnection: close\r\n\r\n", line, host); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
