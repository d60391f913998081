package main

import (
	"net/http"
	"runtime"
	"runtime/pprof"
)

// installHeapProfile serves GET /debug/heap, a heap profile in pprof's
// format (go tool pprof -sample_index=inuse_space), for measuring where
// the server's memory goes at scale. It is installed only with --env
// development, on the same mux as the API, so the token, Host and Origin
// checks guard it like every other path; runtime/pprof is used rather
// than net/http/pprof, whose init registers on http.DefaultServeMux.
// ?gc=1 collects garbage first, so inuse is the live heap; ?debug=1
// writes text with runtime.MemStats.
func installHeapProfile(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/heap", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("gc") == "1" {
			runtime.GC()
		}
		debug := 0
		if r.URL.Query().Get("debug") == "1" {
			debug = 1 // text, with runtime.MemStats at the end
		}
		w.Header().Set("Cache-Control", "no-store")
		if err := pprof.Lookup("heap").WriteTo(w, debug); err != nil {
			http.Error(w, "heap profile failed", http.StatusInternalServerError)
		}
	})
}
