package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
)

// BenchmarkPageStreamLatency is the session page's live budget (≤ 100 ms
// from a write to the event): each iteration appends one prompt to a
// transcript an open page stream follows, through a real helmd and
// fsnotify, and waits for the event that carries it. Reported as p50-ms
// and p99-ms over the iterations (make bench runs 200).
func BenchmarkPageStreamLatency(b *testing.B) {
	root := b.TempDir()
	const sid = "be4c0000-0000-4000-8000-000000000001"
	cwd := "/home/dev/bench"
	path := fixture.Path(root, cwd, sid)
	start := time.Now()
	fixture.Append(b, path, fixture.User(sid, cwd, "p", start))
	srv := startHelmd(b, root)
	c := ssetest.Connect(b, streamURL(srv.URL, "claude", sid, ""), "")
	c.Next(b, 5*time.Second)
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		text := fmt.Sprintf("prompt %d", i)
		wrote := time.Now()
		fixture.Append(b, path, fixture.User(sid, cwd, text, start.Add(time.Duration(i)*time.Millisecond)))
		for {
			ev := c.Next(b, 5*time.Second)
			if ev.Type == "messages" && containsText(ev.Raw, text) {
				break
			}
		}
		lat = append(lat, time.Since(wrote))
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[(len(lat)*99)/100]), "p99-ms")
}

func containsText(raw, text string) bool { return strings.Contains(raw, `"text":"`+text+`"`) }
