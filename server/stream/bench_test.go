package stream

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// realisticList is n realistic sessions, the newest last.
func realisticList(n int) []shared.Session {
	all := make([]shared.Session, n)
	for i := range all {
		all[i] = realistic(i)
	}
	return all
}

// realistic is a session as the sources produce it, for size figures.
func realistic(i int) shared.Session {
	return shared.Session{
		ID:           "5c1f0b2e-8a4d-4c1e-9f3a-" + strconv.FormatInt(100000000000+int64(i), 10),
		Source:       shared.SourceClaude,
		ProjectPath:  "/home/dev/src/github.com/acme/webapp",
		ProjectName:  "webapp",
		Title:        "Fix the flaky login test in the auth middleware",
		FirstPrompt:  strings.Repeat("the login test fails one run in ten; find out why and fix it. ", 5)[:300],
		GitBranch:    "fix/login-flake",
		Model:        "claude-sonnet-4-5-20250929",
		MessageCount: 48,
		Tokens:       shared.Tokens{Input: 12345, Output: 67890, CacheRead: 1234567, CacheWrite: 89012},
		CostUSD:      1.2345,
		Status:       shared.StatusWorking,
		Active:       true,
		CreatedAt:    1763900000000,
		UpdatedAt:    1763990000000 + int64(i),
		Version:      "2.0.14",
	}
}

// BenchmarkPublishFanout measures Publish with N subscribers, which returns
// once every queue holds the event (the writers are not part of it: each
// connection's goroutine takes it from there). Subscribers are the hub's
// own, without HTTP; the queues are drained outside the timer.
func BenchmarkPublishFanout(b *testing.B) {
	for _, tc := range []struct {
		name     string
		clients  int
		filtered bool // half the clients behind a Claude-only handler
	}{
		{"clients=1000", 1000, false},
		{"clients=10000", 10000, false},
		{"clients=10000/half-filtered", 10000, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h := NewHub(Options{MaxClients: tc.clients})
			defer h.Close()
			all := h.Handler(nil).(*view)
			claude := h.Handler(claudeOnly).(*view)
			cs := make([]*client, tc.clients)
			for i := range cs {
				v := all
				if tc.filtered && i%2 == 1 {
					v = claude
				}
				c, _, err := h.subscribe(v, "")
				if err != nil {
					b.Fatal(err)
				}
				cs[i] = c
			}
			s := realistic(1)
			update := []shared.Session{s}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				update[0].UpdatedAt = int64(i)
				h.Publish(shared.EventSessionUpdated, update)
				b.StopTimer()
				for _, c := range cs {
					if len(c.take(nil)) != 1 {
						b.Fatal("a subscriber did not get the event")
					}
					<-c.wake
				}
				b.StartTimer()
			}
			b.StopTimer()
			if st := h.Stats(); st.SlowDisconnects != 0 {
				b.Fatalf("slow disconnects: %d", st.SlowDisconnects)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(tc.clients), "ns/subscriber")
		})
	}
}

// BenchmarkEventWireBytes reports the size on the wire of a
// session-updated event for one realistic session after a new message, as
// a change (what Handler sends) and whole (what it sends for a session
// the stream never sent), and the time to encode it.
func BenchmarkEventWireBytes(b *testing.B) {
	prev := realistic(1)
	cur := prev
	cur.MessageCount++
	cur.Tokens.Output += 812
	cur.Tokens.CacheRead += 40210
	cur.CostUSD += 0.0231
	cur.Status = shared.StatusWaiting
	cur.UpdatedAt += 4200
	at := time.UnixMilli(1763990000000)
	id := formatEventID(newEpoch(), 123456)
	for _, tc := range []struct {
		name string
		prev []shared.Session
	}{{"change", []shared.Session{prev}}, {"whole", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			var n int
			b.ReportAllocs()
			for b.Loop() {
				f, err := encodeFrame(shared.EventSessionUpdated, id, []shared.Session{cur}, tc.prev, at)
				if err != nil {
					b.Fatal(err)
				}
				n = len(f)
			}
			b.ReportMetric(float64(n), "wire-bytes")
		})
	}
}

// BenchmarkHTTPFanout measures, over real connections on loopback, the time
// from Publish until every client has read and parsed the event.
func BenchmarkHTTPFanout(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run("clients="+strconv.Itoa(n), func(b *testing.B) {
			r := newRig(b, Options{MaxClients: n})
			got := make(chan struct{}, n)
			for range n {
				c := r.connect(b, "/all", "")
				c.opening(b)
				go func() {
					for f := range c.frames {
						if f.Event == string(shared.EventSessionUpdated) {
							got <- struct{}{}
						}
					}
				}()
			}
			update := []shared.Session{realistic(1)}
			b.ResetTimer()
			for i := range b.N {
				update[0].UpdatedAt = int64(i)
				r.hub.Publish(shared.EventSessionUpdated, update)
				for range n {
					<-got
				}
			}
		})
	}
}
