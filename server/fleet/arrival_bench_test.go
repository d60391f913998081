package fleet

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"vibecraft.sh/helm/server/internal/cputime"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
)

// BenchmarkHubArrival is the hub's CPU per remote session that arrives:
// bucket entries through the View, the Merger and a real stream hub, as
// Run hands them over, without NATS (whose cost is the same whatever the
// hub does with an entry). A machine's publisher writes one key at a time,
// each waiting for the server's ack, so a live hub reads one entry per
// batch: that is how they come here.
//
//   - connect: a machine with 10,000 sessions (times spread over a month)
//     connects to a hub that holds none yet.
//   - connect-to-999-machines: the same, to a hub holding 999 machines of
//     one session each.
//   - wave: a hub holding 50 machines × 200 sessions; every machine
//     changes one of its sessions (an old one, becoming the newest).
//
// cpu-µs/session is the process's CPU time over the sessions that arrived.
func BenchmarkHubArrival(b *testing.B) {
	b.Run("connect", func(b *testing.B) { benchConnect(b, 0) })
	b.Run("connect-to-999-machines", func(b *testing.B) { benchConnect(b, 999) })
	b.Run("wave", func(b *testing.B) {
		const hosts, perHost = 50, 200
		rng := rand.New(rand.NewPCG(3, 4))
		now := time.Now().UnixMilli()
		hub := stream.NewHub(stream.Options{})
		defer hub.Close()
		v := NewView("hub", 0, NewMerger(hub, "hub", nil), nil)
		held := make([][]shared.Session, hosts)
		for h := range hosts {
			host := fmt.Sprintf("host-%02d", h)
			feedBatch(v, beatEntry(host))
			for i := range perHost {
				s := realisticSession(i, now-rng.Int64N(30*24*3600*1000))
				held[h] = append(held[h], s)
				feedBatch(v, putEntry(host, s))
			}
		}
		if got := hub.Stats().Sessions; got != hosts*perHost {
			b.Fatalf("the hub lists %d sessions, want %d", got, hosts*perHost)
		}
		var cpu float64
		for b.Loop() {
			b.StopTimer()
			wave := make([]entry, hosts)
			for h := range hosts {
				s := &held[h][rng.IntN(perHost)]
				now++
				s.MessageCount++
				s.UpdatedAt = now
				wave[h] = putEntry(fmt.Sprintf("host-%02d", h), *s)
			}
			b.StartTimer()
			cpu0 := cputime.Process()
			for _, e := range wave {
				feedBatch(v, e)
			}
			cpu += cputime.Process() - cpu0
		}
		b.ReportMetric(cpu/float64(b.N*hosts)*1e6, "cpu-µs/session")
	})
}

// benchConnect is a machine of 10,000 sessions connecting to a hub that
// holds others machines of one session each.
func benchConnect(b *testing.B, others int) {
	const n = 10_000
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UnixMilli()
	var before []entry
	for h := range others {
		host := fmt.Sprintf("host-%03d", h)
		before = append(before, beatEntry(host), putEntry(host, realisticSession(h, now-rng.Int64N(30*24*3600*1000))))
	}
	es := []entry{beatEntry("box")}
	for i := range n {
		es = append(es, putEntry("box", realisticSession(i, now-rng.Int64N(30*24*3600*1000))))
	}
	var cpu float64
	for b.Loop() {
		b.StopTimer()
		hub := stream.NewHub(stream.Options{})
		v := NewView("hub", 0, NewMerger(hub, "hub", nil), nil)
		feedBatch(v, before...)
		b.StartTimer()
		cpu0 := cputime.Process()
		for _, e := range es {
			feedBatch(v, e)
		}
		cpu += cputime.Process() - cpu0
		if got := hub.Stats().Sessions; got != others+n {
			b.Fatalf("the hub lists %d sessions, want %d", got, others+n)
		}
		hub.Close()
	}
	b.ReportMetric(cpu/float64(b.N*n)*1e6, "cpu-µs/session")
}

// realisticSession is a session summary of the size a machine publishes.
func realisticSession(i int, updated int64) shared.Session {
	id := fmt.Sprintf("5c1f0b2e-8a4d-4c1e-9f3a-%012d", i)
	return shared.Session{ID: id, Source: shared.SourceClaude,
		ProjectPath: "/home/dev/src/project-" + strconv.Itoa(i%40), ProjectName: "project-" + strconv.Itoa(i%40),
		Title:       strings.Repeat("a title of some length ", 3),
		FirstPrompt: strings.Repeat("please look at the failing test and fix it ", 4),
		GitBranch:   "main", Model: "claude-sonnet-4-5-20250929", MessageCount: 40 + i%200,
		Tokens:  shared.Tokens{Input: 12_000, Output: 30_000, CacheRead: 1_500_000, CacheWrite: 90_000},
		CostUSD: 1.25, Status: shared.StatusIdle, CreatedAt: updated - 3_600_000, UpdatedAt: updated, Version: "2.1.3"}
}

func beatEntry(host string) entry {
	b, _ := json.Marshal(Heartbeat{At: time.Now().UnixMilli(), TTLms: int64(time.Hour / time.Millisecond)})
	return entry{key: HeartbeatKey(host), val: b, op: jetstream.KeyValuePut, at: time.Now()}
}

func putEntry(host string, s shared.Session) entry {
	b, _ := json.Marshal(s)
	return entry{key: SessionKey(host, s.Source, s.ID), val: b, op: jetstream.KeyValuePut, at: time.Now()}
}
