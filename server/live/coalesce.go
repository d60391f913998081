package live

import "time"

// coalescer limits how often one session is published: the first change
// after a quiet period goes out at once, a burst yields at most one flush
// per key per window, and the last change of a burst always goes out (a
// flush reads the state at flush time, so it carries the final state).
//
// It keeps no timer and no lock: Live's goroutine owns it, asks next for
// the earliest deadline to wait on, and calls due when it passes.
type coalescer struct {
	window  time.Duration
	last    map[string]time.Time // when each key was last flushed
	pending map[string]time.Time // keys held back, and when they are due
}

func newCoalescer(window time.Duration) *coalescer {
	return &coalescer{window: window, last: make(map[string]time.Time), pending: make(map[string]time.Time)}
}

// touch records that keys changed at now and returns those quiet for a
// whole window, to flush now, together; the others are held until their
// window ends.
func (c *coalescer) touch(now time.Time, keys []string) (flushNow []string) {
	for _, k := range keys {
		if _, held := c.pending[k]; held {
			continue // its flush will carry this change too
		}
		last, seen := c.last[k]
		if !seen || now.Sub(last) >= c.window {
			c.last[k] = now
			flushNow = append(flushNow, k)
			continue
		}
		c.pending[k] = last.Add(c.window)
	}
	return flushNow
}

// stamp counts keys as flushed at now: they were published out of band
// (a hook's hint), so the next change within the window is held.
func (c *coalescer) stamp(now time.Time, keys []string) {
	for _, k := range keys {
		c.last[k] = now
	}
}

// due returns the held keys whose window has ended by now, and counts
// them as flushed at now.
func (c *coalescer) due(now time.Time) []string {
	var out []string
	for k, at := range c.pending {
		if !at.After(now) {
			out = append(out, k)
			delete(c.pending, k)
			c.last[k] = now
		}
	}
	return out
}

// next returns the earliest deadline of a held key; ok is false when none
// is held.
func (c *coalescer) next() (at time.Time, ok bool) {
	for _, d := range c.pending {
		if !ok || d.Before(at) {
			at, ok = d, true
		}
	}
	return at, ok
}

// forget drops what the coalescer knows of keys that no longer exist, so
// its maps do not grow with every session ever seen. A held key stays: its
// flush publishes the deletion.
func (c *coalescer) forget(keys []string) {
	for _, k := range keys {
		if _, held := c.pending[k]; !held {
			delete(c.last, k)
		}
	}
}
