package feedtest

import (
	"sync"
	"time"

	"vibecraft.sh/helm/shared"
)

// List is a client's copy of the session list, kept from a machine's
// OnEvent as the UI keeps it: snapshots replace it, created and updated
// sessions are upserted, deleted ones removed. Base and Apply are the
// machine's Options.Base and Options.OnEvent; the rest is for the test,
// from any goroutine.
type List struct {
	mu      sync.Mutex
	held    map[string]shared.Session
	changed chan struct{} // closed and replaced on every Apply
	applied int
}

// NewList returns an empty list.
func NewList() *List {
	return &List{held: map[string]shared.Session{}, changed: make(chan struct{})}
}

// Base is the client's copy of a session, for feed.Options.Base.
func (l *List) Base(key string) (shared.Session, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.held[key]
	return s, ok
}

// Apply takes an update, for feed.Options.OnEvent.
func (l *List) Apply(ev shared.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ev.Type.IsSnapshot() {
		clear(l.held)
	}
	for _, s := range ev.Sessions {
		switch {
		case s.ID == "":
		case ev.Type == shared.EventSessionDeleted:
			delete(l.held, s.Key())
		default:
			l.held[s.Key()] = s
		}
	}
	l.applied++
	close(l.changed)
	l.changed = make(chan struct{})
}

// Sessions returns the list newest first, as the server's REST list is.
func (l *List) Sessions() []shared.Session {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sessions()
}

func (l *List) sessions() []shared.Session {
	out := make([]shared.Session, 0, len(l.held))
	for _, s := range l.held {
		out = append(out, s)
	}
	shared.SortNewestFirst(out)
	return out
}

// Applied is how many updates the list took.
func (l *List) Applied() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.applied
}

// Wait returns true as soon as cond holds for the list (newest first), or
// false when it still does not after within. cond runs with the list
// locked: it must not call the list.
func (l *List) Wait(within time.Duration, cond func([]shared.Session) bool) bool {
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		ok, changed := cond(l.sessions()), l.changed
		l.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return false
		}
	}
}
