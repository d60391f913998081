package webui

import (
	"context"
	"time"
)

// gate bounds how many pages render at once. A render holds the whole
// page (the first screen of sessions, the encoded HTML) in memory, and
// many clients asking at once would otherwise hold as many copies.
type gate struct {
	slots chan struct{}
	wait  time.Duration // how long a render waits for a slot before 503
}

func newGate(n int, wait time.Duration) *gate {
	return &gate{slots: make(chan struct{}, n), wait: wait}
}

// enter takes a slot, waiting at most g.wait and never past ctx (the
// client left). It reports whether the caller holds a slot and must leave.
func (g *gate) enter(ctx context.Context) bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (g *gate) leave() { <-g.slots }
