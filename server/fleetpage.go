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
