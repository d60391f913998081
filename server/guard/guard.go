// Package guard is helmd's front door: security headers on every answer,
// a Host check against DNS rebinding, cross-site refusal for requests that
// change state, optional CORS, and the access token when helmd is exposed
// beyond loopback. Transcripts hold secrets; nothing passes by default.
package guard

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"vibecraft.sh/helm/server/internal/httperr"
)

// CookieName holds the token once a browser has presented it.
const CookieName = "helm_token"

// MaxBodyBytes caps request bodies: no endpoint reads one, so anything
// large is a mistake or an attack.
const MaxBodyBytes = 64 << 10

// ContentSecurityPolicy allows what the go-app client needs — its own
// scripts, compiling its own wasm, its stylesheet, same-origin fetches,
// the stream and the service worker — and nothing else.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; " +
	"worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// Options configure the guard.
type Options struct {
	// Token, when set, is required on every request but the public ones
	// (health check and the client's static files, which hold no data).
	Token string
	// AllowedHosts are Host names accepted besides loopback names and IP
	// literals (a DNS-rebinding attack needs a hostname of its own).
	AllowedHosts []string
	// CORSOrigin, when set, may read the API cross-origin.
	CORSOrigin string
	Logger     *slog.Logger
}

// NewToken returns a random token for a server exposed without one.
func NewToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
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
	token := []byte(o.Token)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")

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
		if len(token) > 0 && !isPublic(r.URL.Path) {
			switch presented, fromQuery := tokenOf(r); {
			case presented == "":
				deny(w, r, http.StatusUnauthorized, "a token is required: open the URL helmd printed at start (…/?token=…), or send Authorization: Bearer <token>")
				return
			case subtle.ConstantTimeCompare([]byte(presented), token) != 1:
				o.Logger.Warn("wrong token", "remote", r.RemoteAddr, "path", r.URL.Path)
				deny(w, r, http.StatusUnauthorized, "wrong token")
				return
			case fromQuery:
				keepInCookie(w, r, presented)
				if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") {
					// Drop the token from the address bar and history.
					http.Redirect(w, r, withoutToken(r.URL), http.StatusSeeOther)
					return
				}
			}
		}
		cop.Handler(next).ServeHTTP(w, r)
	})
}

// tokenOf returns the token a request presents, and whether it came from
// the query string (the one-time way in).
func tokenOf(r *http.Request) (string, bool) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		if t, ok := strings.CutPrefix(auth, "Bearer "); ok {
			return strings.TrimSpace(t), false
		}
	}
	if t := r.URL.Query().Get("token"); t != "" {
		return t, true
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value, false
	}
	return "", false
}

func keepInCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: token, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
		MaxAge: 400 * 24 * 3600,
	})
}

func withoutToken(u *url.URL) string {
	q := u.Query()
	q.Del("token")
	v := *u
	v.RawQuery = q.Encode()
	return v.RequestURI()
}

// isPublic lists what a browser fetches without credentials (the manifest
// and its icons) or that holds no data: the client's own static files.
func isPublic(path string) bool {
	switch path {
	case "/healthz", "/manifest.webmanifest", "/app.js", "/app.css", "/wasm_exec.js", "/app-worker.js":
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
	if strings.HasPrefix(r.URL.Path, "/api/") || !strings.Contains(r.Header.Get("Accept"), "text/html") {
		httperr.Write(w, status, msg)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte("Helm: " + msg + "\n"))
}

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
