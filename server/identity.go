package main

import (
	"net/http"
	"strconv"

	"vibecraft.sh/helm/server/guard"
	"vibecraft.sh/helm/server/ident"
	"vibecraft.sh/helm/server/opencode"
)

// identity names this helmd to its pages (see package ident): the host,
// and the folders whose sessions it serves. A demo's folders are new each
// run, and its sessions simulated: it is named by its host and port
// instead, so that a demo restarted where it ran is the same Helm to the
// pages it served, which reconnect and show the new run's sessions
// rather than calling it another Helm. No real helmd is named so: its
// sources are its folders.
func identity(host string, demo bool, port int, roots []string, oc *opencode.Source, openCodeDir string) ident.Identity {
	if demo {
		return ident.New(host, "demo:port "+strconv.Itoa(port))
	}
	sources := make([]string, 0, len(roots)+1)
	sources = append(sources, roots...)
	if oc != nil {
		sources = append(sources, "opencode:"+openCodeDir)
	}
	return ident.New(host, sources...)
}

// named names id on the answers of next (ident.Wrap), but for the paths
// the guard lets through without a token (the health check, the client's
// static files): any account on the machine may fetch those, and the
// host name, and an instance that a guess of the user's home and host
// confirms, tell it whose helmd listens there. No page reads them there.
func named(next http.Handler, id ident.Identity) http.Handler {
	withID := ident.Wrap(next, id)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if guard.IsPublic(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		withID.ServeHTTP(w, r)
	})
}
