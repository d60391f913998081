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

// Base is the published state (the stream hub's) as the index would hold
// it: this machine's sessions only, as their sources made them. An index
// over a base holds only where it differs from it, so that the sessions
// are kept once, not once by the index and once by the hub (each copy
// 30 MB or more at 100,000 sessions).
type Base interface {
	// Lookup returns one session by key.
	Lookup(key string) (shared.Session, bool)
	// Each calls fn with every session, which fn must not keep or modify.
	Each(fn func(*shared.Session))
}

// entry is a session where the index differs from its base: its state
// now, or gone, for a session the base still has and the index does not.
type entry struct {
	s    shared.Session
	gone bool
}

// Index is a concurrency-safe map of sessions by shared.Session.Key.
// The zero value is not usable: call New.
type Index struct {
	mu   sync.RWMutex
	base Base             // nil: none, own holds every session
	own  map[string]entry // where the index differs from base
	n    int              // sessions in the index
	peak int              // of len(own) since it was last made anew
}

// New returns an empty index.
func New() *Index {
	return &Index{own: make(map[string]entry)}
}

// Over makes the index hold only where it differs from base, which must
// hold no session now (call it before the first update). Settle drops
// what base has caught up with.
func (x *Index) Over(base Base) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.base = base
}

// Settle forgets the sessions whose state base now holds: those the
// publisher has sent since they changed. Without a base it does nothing.
func (x *Index) Settle() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.base == nil || len(x.own) == 0 {
		return
	}
	for key, e := range x.own {
		b, ok := x.base.Lookup(key)
		if e.gone && !ok || !e.gone && ok && b == e.s {
			delete(x.own, key)
		}
	}
	// A map keeps its largest table: after the first scan, every session's
	// slot. Made anew once most of it is empty.
	if x.peak >= minRemake && len(x.own)*4 <= x.peak {
		own := make(map[string]entry, len(x.own))
		for k, e := range x.own {
			own[k] = e
		}
		x.own, x.peak = own, len(own)
	}
}

// minRemake is the fewest entries Settle makes a map anew for.
const minRemake = 1024

// get returns the index's session of key. Called with mu held.
func (x *Index) get(key string) (shared.Session, bool) {
	if e, ok := x.own[key]; ok {
		return e.s, !e.gone
	}
	if x.base == nil {
		return shared.Session{}, false
	}
	return x.base.Lookup(key)
}

// set records s as the session of key, a change. Called with mu held.
func (x *Index) set(key string, s shared.Session) {
	x.own[key] = entry{s: s}
	x.peak = max(x.peak, len(x.own))
}

// remove records that the session of key, which the index has, is gone.
// Called with mu held.
func (x *Index) remove(key string) {
	x.n--
	if x.base != nil {
		if _, ok := x.base.Lookup(key); ok {
			x.own[key] = entry{gone: true}
			x.peak = max(x.peak, len(x.own))
			return
		}
	}
	delete(x.own, key)
}

// each calls fn with every session of the index: base's that the index
// does not differ from, then its own. Called with mu held; fn must not
// keep the pointer (own's are a copy, reused).
func (x *Index) each(fn func(*shared.Session)) {
	if x.base != nil {
		var buf [128]byte
		x.base.Each(func(s *shared.Session) {
			// string(bytes) as a map index allocates nothing.
			if _, differs := x.own[string(shared.AppendKey(buf[:0], s))]; !differs {
				fn(s)
			}
		})
	}
	// One entry for the loop: a loop variable of its own each turn,
	// its address given to fn, went to the heap, a copy of every
	// session on each call.
	var e entry
	for _, e = range x.own {
		if !e.gone {
			fn(&e.s)
		}
	}
}

// Apply upserts sessions and removes the sessions of the given source with
// the given IDs, and reports what actually changed: an upsert equal to
// what the index holds is not a change.
func (x *Index) Apply(src shared.Source, upserts []shared.Session, removedIDs []string) Changes {
	x.mu.Lock()
	defer x.mu.Unlock()
	var ch Changes
	for _, s := range upserts {
		x.put(s.Key(), s, &ch)
	}
	for _, id := range removedIDs {
		key := shared.Session{Source: src, ID: id}.Key()
		if old, ok := x.get(key); ok {
			x.remove(key)
			ch.Deleted = append(ch.Deleted, old)
		}
	}
	return ch
}

// Replace makes the sessions of one source exactly the given set: a full
// scan's result. Sessions of other sources are untouched.
func (x *Index) Replace(src shared.Source, sessions []shared.Session) Changes {
	var ch Changes
	ch.Deleted = x.replace(src, sessions, &ch)
	return ch
}

// ReplaceGone is Replace for a caller that needs only the sessions it
// deleted: a full scan, which publishes the whole list anyway. On the
// first scan the lists of created sessions were a third copy of every
// session (30 MB at 100,000, and as much again of garbage as they grew)
// at the moment helmd's heap is at its largest.
func (x *Index) ReplaceGone(src shared.Source, sessions []shared.Session) (deleted []shared.Session) {
	return x.replace(src, sessions, nil)
}

// replace is Replace, recording created and updated sessions in ch
// unless it is nil, and returning the deleted ones.
func (x *Index) replace(src shared.Source, sessions []shared.Session, ch *Changes) (deleted []shared.Session) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.n == 0 && len(x.own) == 0 {
		// The first scan: made at its size, rather than grown by doubling
		// through 100,000 sessions (200 MB of garbage).
		x.own = make(map[string]entry, len(sessions))
	}
	seen := make(map[string]struct{}, len(sessions))
	for _, s := range sessions {
		key := s.Key()
		seen[key] = struct{}{}
		x.put(key, s, ch)
	}
	var buf [128]byte
	x.each(func(s *shared.Session) {
		if s.Source != src {
			return
		}
		if _, ok := seen[string(shared.AppendKey(buf[:0], s))]; !ok {
			deleted = append(deleted, *s)
		}
	})
	for i := range deleted {
		x.remove(deleted[i].Key())
	}
	return deleted
}

// put sets the session of key, recording the change in ch unless ch is
// nil. Called with mu held.
func (x *Index) put(key string, s shared.Session, ch *Changes) {
	old, ok := x.get(key)
	switch {
	case !ok:
		if ch != nil {
			ch.Created = append(ch.Created, s)
		}
		x.n++
	case old != s:
		if ch != nil {
			ch.Updated = append(ch.Updated, s)
		}
	default:
		return
	}
	x.set(key, s)
}

// Get returns one session by key.
func (x *Index) Get(key string) (shared.Session, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.get(key)
}

// Len is the number of sessions.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.n
}

// List returns the sessions that keep accepts (all when keep is nil),
// newest first.
func (x *Index) List(keep func(*shared.Session) bool) []shared.Session {
	x.mu.RLock()
	// Made the index's size only when it all goes in: a session page
	// looking for a session's few subagents allocated it (47 MB at
	// 100,000 sessions), and as much again in copies for keep.
	var out []shared.Session
	if keep == nil {
		out = make([]shared.Session, 0, x.n)
	}
	var c shared.Session // one copy for keep, reused: a new one per session escaped to the heap
	x.each(func(s *shared.Session) {
		if keep == nil {
			out = append(out, *s)
			return
		}
		c = *s // keep sees a copy: it cannot change what the index holds
		if keep(&c) {
			out = append(out, c)
		}
	})
	x.mu.RUnlock()
	shared.SortNewestFirst(out)
	return out
}
