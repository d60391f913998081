package main

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"vibecraft.sh/helm/server/api"
	"vibecraft.sh/helm/server/fleet/pages"
	"vibecraft.sh/helm/shared"
)

// remoteClear checks, on a hub, a "Needs you" clear that names another
// machine (POST /api/sessions/<source>/<id>/clear?host=<machine>) before
// pages.Forward sends it to that machine over NATS. The machine makes the
// clear, keeps it (its cleared.json) and publishes it as it does a clear
// made on its own page: the hub keeps none, so the machine's page, every
// hub and every device agree, and a session of the hub's own, or of a
// third machine, with the same id is never touched. It answers here, and
// reports true, what the hub already knows to refuse: a malformed source
// or id (400), a session it does not list on that machine (404), a
// machine shown offline (409: nothing there to ask, and its sessions are
// in no one's "Needs you" until it is back). Anything else is the
// machine's to answer.
func remoteClear(w http.ResponseWriter, r *http.Request, self string, lookup func(key string) (shared.Session, bool)) bool {
	if r.Method != http.MethodPost || !pages.IsClear(r.URL.Path) {
		return false // not a clear: every other request passes here, so it is told first
	}
	host, ok := otherHost(r, self)
	if !ok {
		return false // this machine's clear, or Forward's to refuse
	}
	parts := strings.Split(r.URL.Path, "/") // "", api, sessions, <source>, <id>, clear
	id := parts[4]
	refuse := func(status int, format string, args ...any) bool {
		w.Header().Set("Cache-Control", "no-store")
		api.WriteError(w, status, fmt.Sprintf(format, args...))
		return true
	}
	src, err := api.ClearTarget(parts[3], id)
	var bad *api.Error
	if errors.As(err, &bad) {
		return refuse(bad.Status, "%s", bad.Message)
	}
	since, err := api.ClearedWait(r)
	if errors.As(err, &bad) {
		return refuse(bad.Status, "%s", bad.Message)
	}
	s, ok := lookup(shared.Session{Source: src, ID: id, Host: host, Remote: true}.Key())
	switch {
	case !ok:
		return refuse(http.StatusNotFound, "no %s session %s on machine %s", src, id, strconv.Quote(host))
	case s.HostOffline:
		return refuse(http.StatusConflict, "machine %s is offline: clear its session when it is back", strconv.Quote(host))
	}
	if err := api.SameWaitAsSeen(s, since); errors.As(err, &bad) {
		return refuse(bad.Status, "%s", bad.Message) // the machine checks again: its list may be newer
	}
	return false
}

// otherHost is the one machine r names (?host=) when it is not self:
// false for this machine's request, and for a missing, empty or repeated
// host, which Forward refuses.
func otherHost(r *http.Request, self string) (string, bool) {
	hosts, named := r.URL.Query()["host"]
	if !named || len(hosts) != 1 || hosts[0] == "" || hosts[0] == self {
		return "", false
	}
	return hosts[0], true
}
