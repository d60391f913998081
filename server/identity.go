package main

import (
	"vibecraft.sh/helm/server/ident"
	"vibecraft.sh/helm/server/opencode"
)

// identity names this helmd to its pages (see package ident): the host,
// and the folders whose sessions it serves. A demo's folder is new each
// run, so every demo is its own instance.
func identity(host string, demo bool, roots []string, oc *opencode.Source, openCodeDir string) ident.Identity {
	var sources []string
	for _, r := range roots {
		if demo {
			r = "demo:" + r
		}
		sources = append(sources, r)
	}
	if oc != nil {
		sources = append(sources, "opencode:"+openCodeDir)
	}
	return ident.New(host, sources...)
}
