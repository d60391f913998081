package main

import (
	"net/http"
	"strconv"
	"strings"

	"vibecraft.sh/helm/server/api"
	"vibecraft.sh/helm/server/fleet/pages"
	"vibecraft.sh/helm/shared"
)

// remotePage checks, on a hub, a session page that names another machine
// (GET /api/sessions/<source>/<id>…?host=<machine>) before pages.Forward
// asks that machine for it, as remoteClear does a clear. A session the
// hub does not list on that machine, or a machine it has never seen, is
// a 404 saying so: asked over NATS, nothing answered on the subject of a
// machine there is not, and the hub said 502 "not answering", sending a
// script (or a link from another hub) looking for a machine that broke.
// It reports true when it answered. A listed session is the machine's to
// answer: one that does not is a 502, as the README promises, even when
// the hub shows it offline (a 409 there is what the page reads as a stale
// cursor, and the page says "Machine offline" on the 502).
func remotePage(w http.ResponseWriter, r *http.Request, self string, lookup func(key string) (shared.Session, bool), seen func(host string) bool) bool {
	if r.Method != http.MethodGet || !pages.IsPage(r.URL.Path) {
		return false // not a page Forward asks for: Forward answers it, or it is not remote
	}
	host, ok := otherHost(r, self)
	if !ok {
		return false // this machine's page, or Forward's to refuse
	}
	parts := strings.Split(r.URL.Path, "/") // "", api, sessions, <source>, <id>, …
	src, id := shared.Source(parts[3]), parts[4]
	if _, listed := lookup(shared.Session{Source: src, ID: id, Host: host, Remote: true}.Key()); listed {
		return false
	}
	w.Header().Set("Cache-Control", "no-store")
	if !seen(host) {
		api.WriteError(w, http.StatusNotFound, "no machine "+strconv.Quote(host)+" in this hub's fleet")
		return true
	}
	api.WriteError(w, http.StatusNotFound, "no "+string(src)+" session "+strconv.Quote(id)+" on machine "+strconv.Quote(host))
	return true
}

// remoteHeader is, for a request of the header of another machine's
// session the hub lists (GET /api/sessions/<source>/<id>?host=<machine>),
// that session as the hub lists it.
func remoteHeader(r *http.Request, self string, lookup func(key string) (shared.Session, bool)) (shared.Session, bool) {
	if r.Method != http.MethodGet || !pages.IsPage(r.URL.Path) {
		return shared.Session{}, false
	}
	host, ok := otherHost(r, self)
	parts := strings.Split(r.URL.Path, "/") // "", api, sessions, <source>, <id>: the header alone
	if !ok || len(parts) != 5 {
		return shared.Session{}, false
	}
	return lookup(shared.Session{Source: shared.Source(parts[3]), ID: parts[4], Host: host, Remote: true}.Key())
}

// withHubClock answers the header of s, another machine's session, as
// forward has that machine answer it, with the offset of the machine's
// clock the hub measured (HostClockAheadMs) and its name: the machine
// does not know its clock is off, and its page tells how long ago, and
// that its clock is off, by them. An answer that is not a header (an
// error, a body that does not read) goes as it came.
func withHubClock(w http.ResponseWriter, r *http.Request, s shared.Session, forward http.Handler) {
	rec := pages.NewRecorder()
	forward.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if rec.Status == http.StatusOK {
		if patched, ok := pages.HeaderOnHubClock(body, s.Host, int64(s.HostClockAheadMs)); ok {
			body = patched
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Status)
	_, _ = w.Write(body)
}
