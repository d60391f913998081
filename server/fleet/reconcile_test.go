//go:build !nonats

package fleet

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"vibecraft.sh/helm/shared"
)

// reportTaken reports whether every subscriber of c has been told of the
// connection up now and has taken the report off its channel: what a
// publisher does about that connection is under way.
func reportTaken(c *Conn) bool {
	e := epoch(c.NC)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.subs {
		if !s.told || s.epoch != e || len(s.ch) > 0 {
			return false
		}
	}
	return true
}

// publishing runs a publisher of host box's session "a" on conn until
// the test ends. write has box's session say n messages and waits until
// the bucket holds that write; reconciles is the publisher's count.
func publishing(t *testing.T, conn *Conn) (p *Publisher, write func(n int), reconciles func() int) {
	t.Helper()
	kv := openBucket(t, conn.JS)
	p = NewPublisher("box", time.Minute, nil)
	p.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	t.Cleanup(runPublisher(p, conn))
	inBucket := func(n int) func() bool {
		return func() bool {
			e, err := kv.Get(context.Background(), SessionKey("box", shared.SourceClaude, "a"))
			if err != nil {
				return false
			}
			var s shared.Session
			return json.Unmarshal(e.Value(), &s) == nil && s.MessageCount == n
		}
	}
	waitUntil(t, "the first write", inBucket(1))
	write = func(n int) {
		t.Helper()
		p.Observe(shared.EventSessionUpdated, []shared.Session{session("a", n)})
		waitUntil(t, "write "+strconv.Itoa(n)+" in the bucket", inBucket(n))
	}
	return p, write, func() int { return p.Stats().Reconciles }
}

// A publisher reads the bucket once per connection: once at start, once
// after a reconnection, and not again while writes go on over it.
func TestPublisherReconcilesOncePerConnection(t *testing.T) {
	s := startNATS(t)
	conn := connect(t, s)
	_, write, reconciles := publishing(t, conn)
	n := 1
	// The reconcile's own writes may carry the next write: the count is
	// waited for before the writes, which then must not move it.
	writes := func(want int) {
		t.Helper()
		waitUntil(t, "reconcile "+strconv.Itoa(want), func() bool { return reconciles() >= want })
		for range 5 {
			n++
			write(n)
			if r := reconciles(); r != want {
				t.Fatalf("after write %d: %d reconciles, want %d", n, r, want)
			}
		}
	}
	waitUntil(t, "the first connection's report taken", func() bool { return reportTaken(conn) })
	writes(1)

	if err := conn.NC.ForceReconnect(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the reconnection's report taken", func() bool { return epoch(conn.NC) > 0 && reportTaken(conn) })
	writes(2)
}

// stallProxy forwards TCP connections to an address. Stalled, it holds
// what it reads: the client still thinks it is connected, and what it
// asks times out. Cut, its connections close, and those made after it
// flow again.
type stallProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup
	mu     sync.Mutex
	flow   chan struct{} // closed while not stalled
	conns  []net.Conn
}

func newStallProxy(t *testing.T, target string) *stallProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{ln: ln, target: target, flow: make(chan struct{})}
	close(p.flow)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() { _ = ln.Close(); p.cut(); p.wg.Wait() })
	return p
}

func (p *stallProxy) url() string { return "nats://" + p.ln.Addr().String() }

func (p *stallProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, s)
		go p.pipe(s, c)
	}
}

// pipe copies src to dst, holding what it read while the proxy stalls.
func (p *stallProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			flow := p.flow
			p.mu.Unlock()
			<-flow
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			_ = dst.Close()
			return
		}
	}
}

func (p *stallProxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flow = make(chan struct{})
}

// cut closes every connection, stalled or not; new ones flow.
func (p *stallProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
	select {
	case <-p.flow:
	default:
		close(p.flow)
	}
}

// After an outage the publisher reads the bucket over the new connection
// once its report comes, and only then: a write that wakes it between
// the reconnection and its report (the client calls back on its own
// goroutine, later) does not make it read first and again on the report.
func TestPublisherWaitsForTheReconnectionsReport(t *testing.T) {
	s := startNATS(t)
	proxy := newStallProxy(t, s.Addr().String())
	conn, err := Connect(ConnOptions{URLs: proxy.url(), Token: token, Name: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	// Writes into a stalled connection fail in a moment rather than in 5 s.
	js, err := jetstream.New(conn.NC, jetstream.WithDefaultTimeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	conn.JS = js
	p, write, reconciles := publishing(t, conn)
	waitUntil(t, "the first connection's report taken", func() bool { return reportTaken(conn) })
	write(2)

	// The client's report of its reconnection is held until the test
	// lets it go.
	reconnected, release := make(chan struct{}, 1), make(chan struct{})
	var once sync.Once
	let := func() { once.Do(func() { close(release) }) }
	t.Cleanup(let)
	conn.NC.SetReconnectHandler(func(nc *nats.Conn) {
		select {
		case reconnected <- struct{}{}:
		default:
		}
		<-release
		conn.notify(nc, "reconnected")
	})

	// An outage: a write fails, then the connection drops.
	proxy.stall()
	errs := p.Stats().Errors
	p.Observe(shared.EventSessionUpdated, []shared.Session{session("a", 3)})
	waitUntil(t, "the write during the outage to fail", func() bool { return p.Stats().Errors > errs })
	proxy.cut()
	select {
	case <-reconnected:
	case <-time.After(10 * time.Second):
		t.Fatal("the client did not reconnect")
	}
	// Connected again, not yet reported: a write wakes the publisher.
	p.Observe(shared.EventSessionUpdated, []shared.Session{session("a", 4)})
	waitUntil(t, "the publisher to take the wake-up", func() bool { return len(p.wake) == 0 })
	let()
	waitUntil(t, "the reconnection's report taken", func() bool { return reportTaken(conn) })
	// Its reconcile may write 5 before it is counted, not after.
	waitUntil(t, "the reconnection's reconcile", func() bool { return reconciles() >= 2 })
	write(5)
	if r := reconciles(); r != 2 {
		t.Fatalf("%d reconciles over two connections, want 2", r)
	}
	write(6)
	if r := reconciles(); r != 2 {
		t.Fatalf("after one more write: %d reconciles, want 2", r)
	}
}
