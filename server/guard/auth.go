package guard

import (
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"vibecraft.sh/helm/server/internal/warnlimit"
)

// CookieName holds the token once a browser has presented it.
const CookieName = "helm_token"

// CookieMaxAge is the cookie's life: long enough for a bookmark or the
// installed app to go unused for weeks, renewed on every page load.
const CookieMaxAge = 30 * 24 * time.Hour

// warnEvery spaces the WARN lines for wrong tokens: a script guessing
// tokens must not fill the log (or the disk).
const warnEvery = 10 * time.Second

// authenticator checks the token on requests for anything that is not
// public.
type authenticator struct {
	token []byte // empty: authentication is off
	log   *slog.Logger
	warn  *warnlimit.Limit
}

func newAuthenticator(token string, log *slog.Logger) *authenticator {
	return &authenticator{token: []byte(token), log: log, warn: warnlimit.New(warnEvery, time.Now)}
}

// check reports whether r may go on; when not, it has answered.
func (a *authenticator) check(w http.ResponseWriter, r *http.Request) bool {
	if len(a.token) == 0 {
		return true
	}
	if isAPI(r.URL.Path) && r.URL.Query().Has("token") {
		// A token in an API URL ends up in histories, proxy logs and
		// Referer headers; the page and EventSource carry the cookie.
		denyJSON(w, http.StatusBadRequest, "do not put the token in the URL of /api/ requests: "+
			"send it as Authorization: Bearer <token>, or open Helm's page once with ?token= so the browser keeps it in a cookie")
		return false
	}
	presented, from := tokenOf(r)
	switch {
	case presented == "":
		unauthorized(w, r, "")
		return false
	case subtle.ConstantTimeCompare([]byte(presented), a.token) != 1:
		if ok, suppressed := a.warn.Allow(); ok {
			a.log.Warn("wrong token", "remote", r.RemoteAddr, "path", quote(r.URL.Path), "suppressedSinceLast", suppressed)
		}
		unauthorized(w, r, "That token is not this Helm's.")
		return false
	case from == fromQuery:
		keepInCookie(w, r, presented)
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			// Drop the token from the address bar and history, staying
			// on this origin whatever the path looks like.
			w.Header().Set("Location", localTarget(r.URL))
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusSeeOther)
			return false
		}
	case from == fromCookie && r.Method == http.MethodGet && !isAPI(r.URL.Path):
		// A page load renews the cookie, so an app in daily use never
		// finds it expired.
		keepInCookie(w, r, presented)
	}
	return true
}

// Where a request's token came from.
const (
	fromHeader = iota
	fromQuery
	fromCookie
)

// tokenOf returns the token a request presents, and where it came from:
// the Authorization header (scripts), the query string (the one-time way
// in), or the cookie (the browser from then on).
func tokenOf(r *http.Request) (string, int) {
	if auth := r.Header.Get("Authorization"); len(auth) > len("Bearer ") && strings.EqualFold(auth[:len("Bearer ")], "Bearer ") {
		return strings.TrimSpace(auth[len("Bearer "):]), fromHeader
	}
	if t := r.URL.Query().Get("token"); t != "" {
		return t, fromQuery
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value, fromCookie
	}
	return "", fromHeader
}

func keepInCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: token, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: viaTLS(r),
		MaxAge: int(CookieMaxAge / time.Second),
	})
}

// viaTLS reports a request that reached the browser's side over TLS:
// directly, or through a TLS-terminating proxy on this machine. Only a
// loopback peer's X-Forwarded-Proto is believed: anyone else could send
// one, though all they would gain is a cookie their own browser keeps
// off plain HTTP.
func viaTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https") && loopbackPeer(r.RemoteAddr)
}

func loopbackPeer(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
