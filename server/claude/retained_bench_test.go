package claude

import (
	"context"
	"runtime"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/corpus"
	"vibecraft.sh/helm/server/internal/cputime"
)

// BenchmarkRetainedPerSession reports the heap a Source keeps per session
// after a cold scan of many small sessions (the shape of helmbench's
// 100,000-session corpus: about 17 KB of 1–4 KB records each), the
// sessions it returned included: the live heap after a collection, less
// the heap before the scan, over the sessions. It measures memory, not
// time, so it is stable on a loaded machine.
//
//	go test -run '^$' -bench RetainedPerSession -benchtime 3x ./server/claude/
func BenchmarkRetainedPerSession(b *testing.B) {
	const sessions = 2000
	dir := b.TempDir()
	if _, err := corpus.GenerateSmallRecords(dir, sessions*17<<10, sessions, 0, 1); err != nil {
		b.Fatal(err)
	}
	if err := corpus.SetModTimes(dir, time.Now().Add(-48*time.Hour)); err != nil {
		b.Fatal(err)
	}
	var retained uint64
	for b.Loop() {
		before := cputime.LiveHeap()
		src := New(Options{Roots: []string{dir}})
		out, err := src.Scan(context.Background())
		if err != nil || len(out) != sessions {
			b.Fatalf("scan: %d sessions, %v", len(out), err)
		}
		retained = cputime.LiveHeap() - before
		runtime.KeepAlive(src)
		runtime.KeepAlive(out)
	}
	b.ReportMetric(float64(retained)/sessions, "B/session")
}
