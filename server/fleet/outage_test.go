//go:build !nonats

package fleet

import (
	"bytes"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// lossyProxy stands between a client and NATS: it can lose what the
// client sends (a request whose answer never comes, as when the
// connection drops under it) and cut every connection.
type lossyProxy struct {
	ln   net.Listener
	up   string
	lose atomic.Bool
	// armed: lose from the first read that holds marks on (that one
	// too), so that a client connects and asks what it asks before it.
	armed atomic.Bool
	marks []byte        // what, lost, is told on lost
	lost  chan struct{} // told once
	once  sync.Once
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func newLossyProxy(t *testing.T, upstream string, marks []byte) *lossyProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &lossyProxy{ln: ln, up: upstream, marks: marks, lost: make(chan struct{})}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			p.wg.Go(func() { _, _ = io.Copy(c, u); c.Close() })
			p.wg.Go(func() {
				defer u.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					if p.armed.Load() && bytes.Contains(buf[:n], p.marks) && p.armed.CompareAndSwap(true, false) {
						p.lose.Store(true)
					}
					if p.lose.Load() {
						if bytes.Contains(buf[:n], p.marks) {
							p.once.Do(func() { close(p.lost) })
						}
						continue
					}
					if _, err := u.Write(buf[:n]); err != nil {
						return
					}
				}
			})
		}
	})
	t.Cleanup(func() { ln.Close(); p.cut(); p.wg.Wait() })
	return p
}

// cut closes every connection through the proxy.
func (p *lossyProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// A write of the publisher's in flight when its connection drops fails
// then: it waited out JetStream's timeout (5 s) after NATS was back, with
// the publisher's reconcile behind it, and the hub showed the machine's
// old list (and, at a short TTL, the machine offline) 5 s longer.
func TestWriteInFlightEndsWithItsConnection(t *testing.T) {
	s := startNATS(t)
	key := SessionKey("box", shared.SourceClaude, "b")
	px := newLossyProxy(t, s.Addr().String(), []byte(key))
	conn, err := Connect(ConnOptions{URLs: "nats://" + px.ln.Addr().String(), Token: token, Name: t.Name(), ReconnectWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	p := NewPublisher("box", time.Minute, nil)
	p.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	defer runPublisher(p, conn)()
	waitUntil(t, "box's reconcile", func() bool { return p.Stats().Reconciles == 1 })

	px.lose.Store(true)
	p.Observe(shared.EventSessionCreated, []shared.Session{session("b", 1)})
	select {
	case <-px.lost: // b's write is in flight, and its answer will not come
	case <-time.After(10 * time.Second):
		t.Fatal("box never wrote b")
	}
	px.lose.Store(false)
	px.cut() // NATS gone and back: the client reconnects within 20 ms

	direct := connect(t, s)
	waitWithin(t, 2*time.Second, "b in the bucket after the connection came back", func() bool {
		for _, k := range boxKeys(t, direct) {
			if k == key {
				return true
			}
		}
		return false
	})
	if st := p.Stats(); st.Errors != 0 {
		t.Errorf("the dropped connection's write counted as the publisher's error: %+v", st)
	}
}

// The hub's watch starts over on each connection. A request of that start
// lost as NATS dropped (here the watch's consumer, asked just before the
// cut) waited out JetStream's timeout (5 s) once NATS was back, with the
// new connection's start queued behind it: the hub showed its machines
// that much later after a NATS blip.
func TestViewStartEndsWithItsConnection(t *testing.T) {
	s := startNATS(t)
	p := NewPublisher("box", time.Minute, nil)
	p.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	defer runPublisher(p, connect(t, s))()
	waitUntil(t, "box's reconcile", func() bool { return p.Stats().Reconciles == 1 })

	px := newLossyProxy(t, s.Addr().String(), []byte("CONSUMER.CREATE.KV_"+Bucket))
	px.armed.Store(true)
	conn, err := Connect(ConnOptions{URLs: "nats://" + px.ln.Addr().String(), Token: token, Name: t.Name(), ReconnectWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close) // after the view's end (cleanups run last first)
	g, _ := runViewOn(t, conn)
	select {
	case <-px.lost: // the watch's consumer is asked, and its answer will not come
	case <-time.After(10 * time.Second):
		t.Fatal("the hub never started its watch")
	}
	px.lose.Store(false)
	px.cut() // NATS gone and back: the client reconnects within 20 ms

	a := shared.Session{ID: "a", Source: shared.SourceClaude, Host: "box", Remote: true}.Key()
	// The bound is the point: well under the 5 s the lost request waited.
	waitWithin(t, 3*time.Second, "box's session on the hub after NATS came back", func() bool {
		_, ok := g.Lookup(a)
		return ok
	})
}
