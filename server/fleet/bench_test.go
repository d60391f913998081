//go:build !nonats

package fleet

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
)

// clock is a stream hub that notes when each session state arrives: the
// hub's side of the latency.
type clock struct {
	*stream.Hub
	mu      sync.Mutex
	sent    map[string]time.Time // key/messageCount → when its publisher observed it
	lat     []time.Duration
	pending int
	done    chan struct{}
	n       int // sessions held
}

func (c *clock) Publish(t shared.EventType, ss []shared.Session) {
	c.Hub.Publish(t, ss)
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if t == shared.EventSessionCreated {
		c.n += len(ss)
	}
	for _, s := range ss {
		id := s.Key() + "/" + strconv.Itoa(s.MessageCount)
		if at, ok := c.sent[id]; ok {
			delete(c.sent, id)
			c.lat = append(c.lat, now.Sub(at))
			if c.pending--; c.pending == 0 {
				close(c.done)
			}
		}
	}
}

// BenchmarkFleetHub: 50 simulated publishers × 200 sessions into one hub
// (a View, a Merger and a real stream hub), over an embedded NATS. Each
// iteration every publisher changes one session at once; the figure is
// the time from a publisher's Observe to the hub's stream Publish.
func BenchmarkFleetHub(b *testing.B) {
	const hosts, perHost = 50, 200
	s := startNATS(b)
	hub := stream.NewHub(stream.Options{})
	defer hub.Close()
	c := &clock{Hub: hub, sent: map[string]time.Time{}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := NewView("hub", 0, NewMerger(c, "hub", nil), nil)
	// 51 connections, each logging its "connected": quiet, so that the
	// figure is not lost in make bench's output.
	quiet := slog.New(slog.DiscardHandler)
	hubConn, err := Connect(ConnOptions{URLs: s.URL(), Token: token, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer hubConn.Close()
	wg.Go(func() { _ = v.Run(ctx, hubConn) })

	pubs := make([]*Publisher, hosts)
	sessions := make([][]shared.Session, hosts)
	for h := range pubs {
		conn, err := Connect(ConnOptions{URLs: s.URL(), Token: token, Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		pubs[h] = NewPublisher(fmt.Sprintf("host-%02d", h), time.Minute, nil)
		for i := range perHost {
			s := session(fmt.Sprintf("5c1f0b2e-8a4d-4c1e-9f3a-%012d", i), 1)
			s.Title = strings.Repeat("a title of some length ", 3)
			s.ProjectPath = "/home/dev/project-" + strconv.Itoa(i%20)
			sessions[h] = append(sessions[h], s)
		}
		pubs[h].Observe(shared.EventRefresh, sessions[h])
		p := pubs[h]
		wg.Go(func() { _ = p.Run(ctx, conn) })
	}
	loadStart := time.Now()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c.mu.Lock()
		n := c.n
		c.mu.Unlock()
		if n == hosts*perHost {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("hub holds %d of %d sessions; view %+v; a publisher %+v", n, hosts*perHost, v.Stats(), pubs[0].Stats())
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not synchronising
	}
	load := time.Since(loadStart)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)

	b.ResetTimer()
	for i := range b.N {
		done := make(chan struct{})
		c.mu.Lock()
		c.pending, c.done = hosts, done
		c.mu.Unlock()
		for h, p := range pubs {
			s := &sessions[h][i%perHost]
			s.MessageCount++
			s.UpdatedAt++
			c.mu.Lock()
			c.sent[shared.Session{ID: s.ID, Source: s.Source, Host: p.host, Remote: true}.Key()+"/"+strconv.Itoa(s.MessageCount)] = time.Now()
			c.mu.Unlock()
			p.Observe(shared.EventSessionUpdated, []shared.Session{*s})
		}
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			b.Fatal("updates did not all reach the hub")
		}
	}
	b.StopTimer()
	slices.Sort(c.lat)
	q := func(p float64) float64 { return float64(c.lat[int(p*float64(len(c.lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(load.Seconds(), "initial-load-s")
	b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/(1<<20), "heap-MB")
	b.ReportMetric(rssMB(), "rss-MB")
}

// rssMB is this process's peak resident set (NATS server, hub and the 50
// publishers together, all in this process), from /proc; 0 elsewhere.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	return 0
}
