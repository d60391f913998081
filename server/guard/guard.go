// Package guard is helmd's front door: security headers on every answer,
// a Host check against DNS rebinding, refusal of cross-site reads and of
// cross-site requests that change state, optional CORS, and the access
// token, required on loopback too (other local accounts can reach it).
// Transcripts hold secrets; nothing but the public assets passes without it.
package guard

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"vibecraft.sh/helm/server/internal/httperr"
	"vibecraft.sh/helm/server/internal/tokenproof"
	"vibecraft.sh/helm/server/webui/headscript"
)

// MaxBodyBytes caps request bodies: no endpoint reads one, so anything
// large is a mistake or an attack.
const MaxBodyBytes = 64 << 10

// ContentSecurityPolicy allows what the go-app client needs — its own
// scripts, the one inline script of the page's head (by its hash),
// compiling its own wasm, its stylesheet, same-origin fetches, the stream
// and the service worker — and nothing else.
var ContentSecurityPolicy = "default-src 'self'; script-src 'self' " + headscript.CSPSource() + " 'wasm-unsafe-eval'; " +
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; " +
	"worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// Options configure the guard.
type Options struct {
	// Token, when set, is required on every request but the public ones
	// (health check and the client's static files, which hold no data);
	// empty turns authentication off (--auth none).
	Token string
	// AllowedHosts are Host names accepted besides loopback names and IP
	// literals (a DNS-rebinding attack needs a hostname of its own).
	AllowedHosts []string
	// CORSOrigin, when set, may read the API cross-origin.
	CORSOrigin string
	Logger     *slog.Logger
}

// Wrap returns next behind the guard.
func Wrap(next http.Handler, o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	allowed := make(map[string]bool, len(o.AllowedHosts))
	for _, h := range o.AllowedHosts {
		allowed[strings.ToLower(h)] = true
	}
	cop := http.NewCrossOriginProtection()
	if o.CORSOrigin != "" {
		_ = cop.AddTrustedOrigin(o.CORSOrigin) // validated at startup by ValidOrigin
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		deny(w, r, http.StatusForbidden, "cross-site request refused: this request changes state and must come from Helm's own page")
	}))
	auth := newAuthenticator(o.Token, o.Logger)
	protected := cop.Handler(next)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		// No other site may embed any answer as a subresource (image,
		// script, media), whatever its content type.
		h.Set("Cross-Origin-Resource-Policy", "same-origin")

		if r.ContentLength > MaxBodyBytes {
			deny(w, r, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		if !hostAllowed(r.Host, allowed) {
			deny(w, r, http.StatusMisdirectedRequest, "host "+quote(r.Host)+" is not served here: open Helm by its loopback address or IP, or start helmd with --allowed-hosts")
			return
		}
		if o.CORSOrigin != "" && r.Header.Get("Origin") == o.CORSOrigin {
			h.Set("Access-Control-Allow-Origin", o.CORSOrigin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Add("Vary", "Origin")
			// The REST reply names the stream position it matches; a
			// cross-origin client must be allowed to read it.
			h.Set("Access-Control-Expose-Headers", "X-Helm-Event-Id")
			if r.Method == http.MethodOptions {
				h.Set("Access-Control-Allow-Methods", "GET, POST")
				h.Set("Access-Control-Allow-Headers", "Authorization, Last-Event-ID")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if IsPublic(r.URL.Path) {
			protected.ServeHTTP(w, r)
			return
		}
		if crossSiteRead(r, o.CORSOrigin) {
			denyJSON(w, http.StatusForbidden, "cross-site request refused: only Helm's own page may fetch this; open Helm itself (a link to it still works)")
			return
		}
		if r.URL.Path == tokenproof.Path {
			// Asked without a token: it is how a client decides whether
			// to send one here.
			tokenproof.Serve(w, r, o.Token)
			return
		}
		if !auth.check(w, r) {
			return
		}
		protected.ServeHTTP(w, r)
	})
}

// IsPublic lists what a browser fetches without credentials (the manifest
// and its icons) or that holds no data: the client's own static files, as
// the web client serves them (go-app's generated files and web/). What
// the guard lets through without a token must say nothing of the user
// (helmd answers these without naming itself, run.go).
func IsPublic(path string) bool {
	switch path {
	case "/healthz", "/robots.txt",
		"/manifest.webmanifest", "/manifest.json", "/app.js", "/goapp.js", "/app.css", "/wasm_exec.js", "/app-worker.js",
		"/app.wasm", "/goapp.wasm":
		return true
	}
	return strings.HasPrefix(path, "/web/")
}

// hostAllowed accepts loopback names, IP literals and configured names.
func hostAllowed(hostport string, allowed map[string]bool) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	switch {
	case host == "":
		return false
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return true
	case net.ParseIP(host) != nil:
		return true
	}
	return allowed[host]
}

// ValidOrigin checks a --cors-origin value.
func ValidOrigin(origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Path == "" && u.RawQuery == ""
}

func deny(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isAPI(r.URL.Path) || !wantsPage(r) {
		denyJSON(w, status, msg)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte("Helm: " + msg + "\n"))
}

func denyJSON(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Cache-Control", "no-store")
	httperr.Write(w, status, msg)
}

// wantsPage reports a browser loading a page (rather than a script or
// the client fetching data): it gets an HTML answer.
func wantsPage(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html") || r.Header.Get("Sec-Fetch-Mode") == "navigate"
}

func isAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return strings.ToValidUTF8(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s), "?")
}
