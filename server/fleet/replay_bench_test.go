//go:build !nonats

package fleet

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/cputime"
	"vibecraft.sh/helm/server/stream"
)

// BenchmarkHubReplay is the hub's CPU per session when it (re)connects
// to a bucket holding one machine's 10,000 sessions and reads them all,
// over a real NATS server (in this process, as --nats-listen runs it):
// the process's CPU time from the watch's start until the stream hub
// lists every session, over the sessions.
func BenchmarkHubReplay(b *testing.B) {
	const n = 10_000
	s := startNATS(b)
	quiet := slog.New(slog.DiscardHandler)
	conn, err := Connect(ConnOptions{URLs: s.URL(), Token: token, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	kv, err := OpenBucket(ctx, conn.JS)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	now := time.Now().UnixMilli()
	if _, err := kv.Put(ctx, beatEntry("box").key, beatEntry("box").val); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		e := putEntry("box", realisticSession(i, now-rng.Int64N(30*24*3600*1000)))
		if _, err := kv.Put(ctx, e.key, e.val); err != nil {
			b.Fatal(err)
		}
	}
	var cpu float64
	for b.Loop() {
		hub := stream.NewHub(stream.Options{})
		v := NewView("hub", 0, NewMerger(hub, "hub", nil), quiet)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		cpu0 := cputime.Process()
		wg.Go(func() { _ = v.Run(ctx, conn) })
		deadline := time.Now().Add(time.Minute)
		for hub.Stats().Sessions < n {
			if time.Now().After(deadline) {
				b.Fatalf("the hub lists %d of %d sessions", hub.Stats().Sessions, n)
			}
			time.Sleep(time.Millisecond) // polling a condition, not synchronising
		}
		cpu += cputime.Process() - cpu0
		cancel()
		wg.Wait()
		hub.Close()
	}
	b.ReportMetric(cpu/float64(b.N*n)*1e6, "cpu-µs/session")
}
