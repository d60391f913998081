package live

import (
	"sync"
	"time"
)

// coalescer limits how often one session is published: the first change
// after a quiet period goes out at once, a burst yields at most one flush
// per key per window, and the last change of a burst always goes out
// (the flush reads the state at flush time, so it carries the final state).
type coalescer struct {
	window time.Duration
	now    func() time.Time
	after  func(time.Duration, func()) // schedules f after d
	flush  func(keys []string)         // publishes the current state of keys

	mu      sync.Mutex
	last    map[string]time.Time // when each key was last flushed
	pending map[string]bool      // keys with a flush scheduled
}

func newCoalescer(window time.Duration, flush func([]string)) *coalescer {
	return &coalescer{
		window:  window,
		now:     time.Now,
		after:   func(d time.Duration, f func()) { time.AfterFunc(d, f) },
		flush:   flush,
		last:    make(map[string]time.Time),
		pending: make(map[string]bool),
	}
}

// touch records that keys changed. Keys quiet for a whole window are
// flushed before touch returns, together; the others are flushed when
// their window ends.
func (c *coalescer) touch(keys []string) {
	if len(keys) == 0 {
		return
	}
	now := c.now()
	var due []string
	c.mu.Lock()
	for _, k := range keys {
		if c.pending[k] {
			continue // its scheduled flush will carry this change too
		}
		last, seen := c.last[k]
		if !seen || now.Sub(last) >= c.window {
			c.last[k] = now
			due = append(due, k)
			continue
		}
		c.pending[k] = true
		c.after(last.Add(c.window).Sub(now), func() { c.fire(k) })
	}
	c.mu.Unlock()
	if len(due) > 0 {
		c.flush(due)
	}
}

func (c *coalescer) fire(key string) {
	c.mu.Lock()
	delete(c.pending, key)
	c.last[key] = c.now()
	c.mu.Unlock()
	c.flush([]string{key})
}

// forget drops what the coalescer knows of keys that no longer exist, so
// its maps do not grow with every session ever seen.
func (c *coalescer) forget(keys []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if !c.pending[k] {
			delete(c.last, k)
		}
	}
}
