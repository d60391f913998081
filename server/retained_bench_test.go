package main

import (
	"io"
	"net/http"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/corpus"
	"vibecraft.sh/helm/server/internal/cputime"
)

// BenchmarkServerRetainedPerSession reports the heap a whole helmd keeps
// per session (the Claude source, the index, the stream hub's published
// list, the usage store, the watcher, the web client) after the first scan
// of many small finished sessions, the shape of helmbench's 100,000-session
// corpus, and again after a client read the unpaged list (what that left
// behind). It measures memory, not time, so it is stable on a loaded
// machine; helmd's own GC pacing (gcpace) is not started in-process.
//
//	go test -run '^$' -bench ServerRetainedPerSession -benchtime 1x ./server/
func BenchmarkServerRetainedPerSession(b *testing.B) {
	const sessions = 2000
	dir := b.TempDir()
	if _, err := corpus.GenerateSmallRecords(dir, sessions*17<<10, sessions, 0, 1); err != nil {
		b.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour) // finished: none is working
	if err := corpus.SetModTimes(dir, old); err != nil {
		b.Fatal(err)
	}
	var scanned, listed uint64
	for b.Loop() {
		before := cputime.LiveHeap()
		srv := startHelmd(b, dir)
		scanned = cputime.LiveHeap() - before
		resp, err := http.Get(srv.URL + "/api/sessions")
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("list: %v %v", resp.Status, err)
		}
		listed = cputime.LiveHeap() - before
		srv.stop(b)
	}
	b.ReportMetric(float64(scanned)/sessions, "B/session")
	b.ReportMetric(float64(listed)/sessions, "B/session-after-list")
}
