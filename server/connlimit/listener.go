// Package connlimit caps the plain HTTP connections helmd keeps open.
//
// Each connection is a file descriptor, and browsers, proxies and scripts
// keep idle keep-alive connections for minutes: about 22k of them once
// exhausted helmd's descriptors, and /api/sessions stopped answering. A
// Listener admits at most Max connections; at the cap it makes room by
// closing the longest-idle one, and refuses a new one with a 503 only
// when every connection is busy. Stream connections are taken over from
// net/http (hijacked) and leave the count then: --max-clients caps them.
//
// A connection accepted but not yet read from is silent for a moment
// even when its client sent its request at once: in a burst (every tab
// reconnecting after a restart, thousands of streams at once) Accept runs
// ahead of the goroutines that read. So at the cap a new connection first
// waits, up to freshGrace, for room to appear; a connection silent for
// longer than that is shed as an idle one is.
package connlimit

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options configure a Listener.
type Options struct {
	// Max is how many plain connections may be open at once (default 512).
	Max int
	// MaxIdle is how many idle keep-alive connections are kept (default
	// Max/4): beyond it the longest-idle one is closed as another goes idle.
	MaxIdle int
	Logger  *slog.Logger
}

// Stats is what /api/status reports.
type Stats struct {
	Open    int   `json:"open"`    // plain connections open now
	Idle    int   `json:"idle"`    // of which waiting for a request
	Max     int   `json:"max"`     // the cap
	Shed    int64 `json:"shed"`    // idle connections closed to make room or over MaxIdle
	Refused int64 `json:"refused"` // connections refused at the cap, all busy
}

// freshGrace is how long, at the cap, a new connection waits for room,
// and how long an accepted connection may stay silent before it counts
// as idle. Shedding silent connections at once, 10,000 streams dialled
// together lost 1,493 of theirs in one run.
const freshGrace = time.Second

// phase is where a counted connection is in its life.
type phase int

const (
	fresh  phase = iota // accepted, no request yet
	idle                // between requests (keep-alive)
	active              // serving a request
)

type entry struct {
	phase phase
	since time.Time // when it entered phase
}

// Listener wraps a net.Listener. Its ConnState method must be set as the
// http.Server's ConnState, or connections are never released.
type Listener struct {
	net.Listener
	opts Options

	mu      sync.Mutex
	conns   map[net.Conn]*entry
	shed    int64
	refused int64
	refuse  chan struct{} // bounds the goroutines answering refused connections
	// changed is closed (and cleared) when a connection changes phase or
	// leaves, waking an Accept that waits for room; nil when none waits.
	changed chan struct{}
	closed  chan struct{} // closed by Close: nothing waits any more
	once    sync.Once
}

// Wrap returns a Listener admitting at most o.Max connections of ln.
func Wrap(ln net.Listener, o Options) *Listener {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Max <= 0 {
		o.Max = 512
	}
	// Half the descriptors at most: streams, watches and files need the rest.
	if lim, ok := openFileLimit(); ok && uint64(o.Max) > lim/2 {
		o.Logger.Warn("few file descriptors: fewer connections admitted", "openFileLimit", lim, "maxConns", lim/2)
		o.Max = max(1, int(lim/2))
	}
	if o.MaxIdle <= 0 || o.MaxIdle > o.Max {
		o.MaxIdle = max(1, o.Max/4)
	}
	return &Listener{
		Listener: ln,
		opts:     o,
		conns:    make(map[net.Conn]*entry, o.Max),
		refuse:   make(chan struct{}, 16),
		closed:   make(chan struct{}),
	}
}

// Accept returns the next connection admitted.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.admit(c) {
			return c, nil
		}
		l.refuseConn(c)
	}
}

// Close stops Accept, a wait for room included.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// admit counts c in. At the cap it closes the longest-idle connection,
// or one silent for freshGrace; failing both it waits, up to freshGrace,
// for a connection to change or leave; then it sheds the longest-silent
// one, or refuses c when every connection is busy.
func (l *Listener) admit(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	deadline := time.Now().Add(freshGrace)
	for len(l.conns) >= l.opts.Max {
		if victim := l.oldest(idle); victim != nil {
			l.dropLocked(victim)
			break
		}
		victim := l.oldest(fresh)
		if victim != nil && time.Since(l.conns[victim].since) >= freshGrace {
			l.dropLocked(victim) // connected but silent: as good as idle
			break
		}
		if wait := time.Until(deadline); wait > 0 && l.waitLocked(wait) {
			continue
		}
		if victim == nil {
			l.refused++
			return false
		}
		l.dropLocked(victim)
	}
	l.conns[c] = &entry{phase: fresh, since: time.Now()}
	return true
}

// waitLocked waits, with l.mu released, until a connection changes phase
// or leaves, or d passes. It reports false once the listener is closed.
func (l *Listener) waitLocked(d time.Duration) bool {
	if l.changed == nil {
		l.changed = make(chan struct{})
	}
	changed := l.changed
	l.mu.Unlock()
	defer l.mu.Lock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-changed:
	case <-t.C:
	case <-l.closed:
		return false
	}
	return true
}

// changedLocked wakes an Accept waiting for room.
func (l *Listener) changedLocked() {
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// ConnState is the http.Server's ConnState hook: it follows each
// connection between requests and releases it when it closes or is
// taken over by a stream.
func (l *Listener) ConnState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.conns[c]
	if !ok {
		return // shed already, or not ours
	}
	defer l.changedLocked()
	switch s {
	case http.StateActive:
		e.phase, e.since = active, time.Now()
	case http.StateIdle:
		e.phase, e.since = idle, time.Now()
		if l.countLocked(idle) > l.opts.MaxIdle {
			if victim := l.oldest(idle); victim != nil {
				l.dropLocked(victim)
			}
		}
	case http.StateHijacked, http.StateClosed:
		delete(l.conns, c)
	}
}

// oldest is the connection longest in phase p, or nil.
func (l *Listener) oldest(p phase) net.Conn {
	var (
		found net.Conn
		at    time.Time
	)
	for c, e := range l.conns {
		if e.phase == p && (found == nil || e.since.Before(at)) {
			found, at = c, e.since
		}
	}
	return found
}

func (l *Listener) countLocked(p phase) int {
	n := 0
	for _, e := range l.conns {
		if e.phase == p {
			n++
		}
	}
	return n
}

// dropLocked closes an idle connection and counts it out at once. A
// client may have sent a request on it just now: clients retry an
// idempotent request that fails on a reused connection (net/http and
// browsers do), as they must for any server's idle timeout.
func (l *Listener) dropLocked(c net.Conn) {
	delete(l.conns, c)
	l.shed++
	_ = c.Close()
	l.changedLocked()
}

// refuseBody is the whole answer to a connection refused at the cap:
// JSON {"error"}, as every refusal of helmd's (the commands tell helmd
// from another server by it).
const refuseBody = "HTTP/1.1 503 Service Unavailable\r\n" +
	"Content-Type: application/json; charset=utf-8\r\n" +
	"Retry-After: 1\r\nConnection: close\r\nContent-Length: 63\r\n\r\n" +
	refuseJSON

const refuseJSON = `{"error":"helmd has too many connections open; retry shortly"}` + "\n"

// refuseConn answers 503 and closes. The request is read (briefly) before
// closing, or the kernel would reset the connection and the client might
// never see the answer. At most cap(l.refuse) refusals are in flight;
// beyond that a connection is just closed.
func (l *Listener) refuseConn(c net.Conn) {
	select {
	case l.refuse <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-l.refuse }()
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(time.Second))
		if _, err := c.Write([]byte(refuseBody)); err != nil {
			return
		}
		if tc, ok := c.(interface{ CloseWrite() error }); ok {
			_ = tc.CloseWrite()
		}
		var buf [512]byte
		for {
			if _, err := c.Read(buf[:]); err != nil {
				return
			}
		}
	}()
}

// Stats reports the connections now and the counts so far.
func (l *Listener) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{
		Open: len(l.conns), Idle: l.countLocked(idle), Max: l.opts.Max,
		Shed: l.shed, Refused: l.refused,
	}
}
