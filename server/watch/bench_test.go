package watch

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"
)

// latencyHandler timestamps each Changed call.
type latencyHandler struct{ at chan time.Time }

func (l latencyHandler) Changed([]string) {
	select {
	case l.at <- time.Now():
	default: // the benchmark waits for each call; extra ones are dropped
	}
}

func (latencyHandler) Rescan(string) {}

// BenchmarkChangedLatency measures the time from an isolated write to the
// Changed call that reports it (fsnotify mode), and reports p50 and p99.
func BenchmarkChangedLatency(b *testing.B) {
	dir := b.TempDir()
	path := join(dir, "s.jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()

	h := latencyHandler{at: make(chan time.Time, 16)}
	w := New(Options{Specs: []Spec{{Path: dir}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, h) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	<-w.Ready()

	line := []byte(`{"type":"assistant","message":{"content":"ok"}}` + "\n")
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := f.Write(line); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-h.at:
			lat = append(lat, at.Sub(start))
		case <-time.After(waitLimit):
			b.Fatal("no Changed call within 5 s of a write")
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
