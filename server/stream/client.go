package stream

import "sync"

// client is one connection's queue. Publish offers records without
// blocking; when the queue already holds QueueSize of them, Publish drops
// the client from the hub and kicks it (closes done, once).
//
// The queue is a slice that grows only while events wait, with a one-slot
// wake channel, rather than a buffered channel: a channel of QueueSize
// pointers would hold 2 KiB for each of thousands of idle connections.
type client struct {
	view *view
	wake chan struct{} // holds a token when pending became non-empty
	done chan struct{}
	once sync.Once
	full fullStart // full-list views only: how the stream begins

	mu      sync.Mutex
	pending []*record // oldest first
}

func newClient(v *view) *client {
	return &client{view: v, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

func (c *client) kick() { c.once.Do(func() { close(c.done) }) }

// offer appends rec unless max records already wait; false means the
// client is too far behind.
func (c *client) offer(rec *record, max int) bool {
	c.mu.Lock()
	if len(c.pending) >= max {
		c.mu.Unlock()
		return false
	}
	c.pending = append(c.pending, rec)
	first := len(c.pending) == 1
	c.mu.Unlock()
	if first {
		select {
		case c.wake <- struct{}{}:
		default: // a token is already there: the writer will take this too
		}
	}
	return true
}

// take returns what waits, oldest first, and empties the queue. spare (a
// slice take returned before, done with) is reused for what comes next,
// unless a burst made it large: an idle client keeps little.
func (c *client) take(spare []*record) []*record {
	clear(spare)
	if cap(spare) > maxSpare {
		spare = nil
	}
	c.mu.Lock()
	recs := c.pending
	c.pending = spare[:0]
	c.mu.Unlock()
	return recs
}

// maxSpare is the largest queue buffer a client keeps between events.
const maxSpare = 8
