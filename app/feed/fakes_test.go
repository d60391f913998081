package feed

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock fires timers only when the test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c       *fakeClock
	at      time.Time
	d       time.Duration
	f       func()
	stopped bool
	fired   bool
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), d: d, f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped && !t.fired
	t.stopped = true
	return was
}

// Advance moves time forward by d, firing due timers in time order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.stopped && !t.fired && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		next.fired = true
		c.now = next.at
		c.mu.Unlock()
		next.f()
	}
}

// pending lists the durations of timers that are neither stopped nor fired.
func (c *fakeClock) pending() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for _, t := range c.timers {
		if !t.stopped && !t.fired {
			out = append(out, t.d)
		}
	}
	slices.Sort(out)
	return out
}

// fakeTransport records each stream opened.
type fakeTransport struct {
	mu      sync.Mutex
	streams []*fakeStream
}

type fakeStream struct {
	url    string
	h      StreamHandler
	mu     sync.Mutex
	closed bool
}

func (f *fakeTransport) Open(url string, h StreamHandler) Stream {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := &fakeStream{url: url, h: h}
	f.streams = append(f.streams, s)
	return s
}

func (s *fakeStream) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}

func (s *fakeStream) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (f *fakeTransport) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.streams)
}

func (f *fakeTransport) last(t *testing.T) *fakeStream {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.streams) == 0 {
		t.Fatal("no stream opened")
	}
	return f.streams[len(f.streams)-1]
}

// fakePoller holds each poll until the test answers it.
type fakePoller struct {
	mu       sync.Mutex
	calls    []*fakePoll
	canceled int
}

type fakePoll struct {
	url  string
	head func(string) // PollHead's; nil for Poll
	done func([]byte, string, error)
}

// PollHead makes the fake a HeadPoller: a test calls head when the
// answer's headers "arrive", or never.
func (p *fakePoller) PollHead(url string, head func(string), done func([]byte, string, error)) func() {
	cancel := p.Poll(url, done)
	p.mu.Lock()
	p.calls[len(p.calls)-1].head = head
	p.mu.Unlock()
	return cancel
}

func (p *fakePoller) Poll(url string, done func([]byte, string, error)) func() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, &fakePoll{url: url, done: done})
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.canceled++
	}
}

func (p *fakePoller) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

func (p *fakePoller) last(t *testing.T) *fakePoll {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.calls) == 0 {
		t.Fatal("no poll made")
	}
	return p.calls[len(p.calls)-1]
}
