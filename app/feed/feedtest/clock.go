package feedtest

import (
	"sync"
	"time"

	"vibecraft.sh/helm/app/feed"
)

// Clock is a feed.Clock whose timers fire only when the test advances
// it, so that a test over real HTTP still decides when the machine's
// backoff, polls and watchdog happen.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
}

var _ feed.Clock = (*Clock)(nil)

type timer struct {
	c    *Clock
	at   time.Time
	f    func()
	done bool // fired or stopped
}

// NewClock returns a clock at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f at Now()+d.
func (c *Clock) AfterFunc(d time.Duration, f func()) feed.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Stop cancels the timer; false when it already fired or was stopped.
func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

// Advance moves the clock forward by d, running each timer that falls
// due, in time order, on the caller's goroutine.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *timer
		for _, t := range c.timers {
			if !t.done && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.timers = dropDone(c.timers)
			c.mu.Unlock()
			return
		}
		next.done = true
		c.now = next.at
		c.mu.Unlock()
		next.f()
	}
}

func dropDone(ts []*timer) []*timer {
	out := ts[:0]
	for _, t := range ts {
		if !t.done {
			out = append(out, t)
		}
	}
	return out
}
