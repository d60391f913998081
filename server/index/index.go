// Package index holds the in-memory list of sessions that every source
// feeds and every reader (REST, the stream, the pre-rendered page) reads.
package index

import (
	"sync"

	"vibecraft.sh/helm/shared"
)

// Changes is what one update did to the index, each session in its new
// state (deleted ones in their last known state).
type Changes struct {
	Created []shared.Session
	Updated []shared.Session
	Deleted []shared.Session
}

// Keys lists the keys of every changed session.
func (c Changes) Keys() []string {
	keys := make([]string, 0, len(c.Created)+len(c.Updated)+len(c.Deleted))
	for _, group := range [][]shared.Session{c.Created, c.Updated, c.Deleted} {
		for _, s := range group {
			keys = append(keys, s.Key())
		}
	}
	return keys
}

// Index is a concurrency-safe map of sessions by shared.Session.Key.
// The zero value is not usable: call New.
type Index struct {
	mu       sync.RWMutex
	sessions map[string]shared.Session
}

// New returns an empty index.
func New() *Index {
	return &Index{sessions: make(map[string]shared.Session)}
}

// Apply upserts sessions and removes the sessions of the given source with
// the given IDs, and reports what actually changed: an upsert equal to
// what the index holds is not a change.
func (x *Index) Apply(src shared.Source, upserts []shared.Session, removedIDs []string) Changes {
	x.mu.Lock()
	defer x.mu.Unlock()
	var ch Changes
	for _, s := range upserts {
		x.put(s, &ch)
	}
	for _, id := range removedIDs {
		key := shared.Session{Source: src, ID: id}.Key()
		if old, ok := x.sessions[key]; ok {
			delete(x.sessions, key)
			ch.Deleted = append(ch.Deleted, old)
		}
	}
	return ch
}

// Replace makes the sessions of one source exactly the given set: a full
// scan's result. Sessions of other sources are untouched.
func (x *Index) Replace(src shared.Source, sessions []shared.Session) Changes {
	x.mu.Lock()
	defer x.mu.Unlock()
	var ch Changes
	if len(x.sessions) == 0 {
		// The first scan: made at its size, rather than grown by doubling
		// through 100,000 sessions (200 MB of garbage).
		x.sessions = make(map[string]shared.Session, len(sessions))
	}
	seen := make(map[string]struct{}, len(sessions))
	for _, s := range sessions {
		seen[s.Key()] = struct{}{}
		x.put(s, &ch)
	}
	for key, old := range x.sessions {
		if _, ok := seen[key]; !ok && old.Source == src {
			delete(x.sessions, key)
			ch.Deleted = append(ch.Deleted, old)
		}
	}
	return ch
}

func (x *Index) put(s shared.Session, ch *Changes) {
	key := s.Key()
	old, ok := x.sessions[key]
	switch {
	case !ok:
		ch.Created = append(ch.Created, s)
	case old != s:
		ch.Updated = append(ch.Updated, s)
	default:
		return
	}
	x.sessions[key] = s
}

// Get returns one session by key.
func (x *Index) Get(key string) (shared.Session, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	s, ok := x.sessions[key]
	return s, ok
}

// Len is the number of sessions.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.sessions)
}

// List returns the sessions that keep accepts (all when keep is nil),
// newest first.
func (x *Index) List(keep func(*shared.Session) bool) []shared.Session {
	x.mu.RLock()
	out := make([]shared.Session, 0, len(x.sessions))
	for _, s := range x.sessions {
		if keep == nil || keep(&s) {
			out = append(out, s)
		}
	}
	x.mu.RUnlock()
	shared.SortNewestFirst(out)
	return out
}
