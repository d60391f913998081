package fleet

// Helpers shared by the package's tests, with or without an embedded NATS
// server. The tests that start one (natsd, or nats-server itself) carry
// the build tag "!nonats": make's fuzz build sets nonats, so its
// instrumented binary leaves the NATS server out (~50 CPU-s to build).

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"vibecraft.sh/helm/shared"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runPublisher runs p on conn until stop, which waits for Run to return.
func runPublisher(p *Publisher, conn *Conn) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx, conn) }()
	return func() { cancel(); <-done }
}

// target is a stand-in for the stream hub: the list its events imply.
type target struct {
	mu      sync.Mutex
	state   map[string]shared.Session
	n       int            // events
	offline int            // sessions listed with their host offline, over every event
	sent    map[string]int // by key: the events that listed the session
}

func newTarget() *target {
	return &target{state: map[string]shared.Session{}, sent: map[string]int{}}
}

func (g *target) Publish(t shared.EventType, ss []shared.Session) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	if t == shared.EventRefresh {
		clear(g.state)
	}
	for _, s := range ss {
		g.sent[s.Key()]++
		if s.HostOffline && t != shared.EventSessionDeleted {
			g.offline++
		}
		if t == shared.EventSessionDeleted {
			delete(g.state, s.Key())
		} else {
			g.state[s.Key()] = s
		}
	}
}

func (g *target) Lookup(k string) (shared.Session, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.state[k]
	return s, ok
}

// sentOf is how many events listed the session of key k.
func (g *target) sentOf(k string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sent[k]
}

func (g *target) list() []shared.Session {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]shared.Session, 0, len(g.state))
	for _, s := range g.state {
		out = append(out, s)
	}
	return out
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, 10*time.Second, what, cond)
}

// waitWithin is waitUntil for what a user expects within d.
func waitWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not synchronising
	}
}

func session(id string, n int) shared.Session {
	return shared.Session{ID: id, Source: shared.SourceClaude, Title: "t " + id, MessageCount: n, CreatedAt: 1, UpdatedAt: int64(n)}
}

// runViewOn runs a view of the bucket (as host "hub") on conn into a
// target until the test ends.
func runViewOn(t *testing.T, conn *Conn) (*target, *View) {
	t.Helper()
	return startView(t, conn, 0, nil)
}

// startView is runViewOn with the view's --fleet-forget and, when setup
// is not nil, what it changes of the view (its clocks) before it runs.
func startView(t *testing.T, conn *Conn, forget time.Duration, setup func(*View)) (*target, *View) {
	t.Helper()
	g := newTarget()
	v := NewView("hub", forget, NewMerger(g, "hub", nil), nil)
	if setup != nil {
		setup(v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = v.Run(ctx, conn) }()
	t.Cleanup(func() { cancel(); <-done })
	return g, v
}

// openBucket is OpenBucket for a test, with room for a machine under
// load: without a deadline of its own, JetStream gives a request 5 s,
// which the race suite beside the browser tests outlasted in CI once
// (TestViewSkipsHostileEntries: "context deadline exceeded"). It ends
// the test when the bucket cannot be opened.
func openBucket(t testing.TB, js jetstream.JetStream) jetstream.KeyValue {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kv, err := OpenBucket(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	return kv
}
