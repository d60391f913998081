package main

import (
	"strconv"

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
