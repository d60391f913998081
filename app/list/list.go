// Package list is the client's copy of the session list: a map by
// shared.Session.Key with a view sorted newest first. Stream events and
// poll results update it alike, so the UI renders from one place.
package list

import "vibecraft.sh/helm/shared"

// List holds sessions by key. The zero value is an empty list ready to use.
// It is not safe for concurrent use: the UI goroutine owns it.
type List struct {
	byKey  map[string]shared.Session
	sorted []shared.Session // nil when it must be rebuilt
}

// New returns a list holding sessions (later duplicates of a key win).
func New(sessions []shared.Session) *List {
	l := &List{}
	l.Replace(sessions)
	return l
}

// Apply updates the list from one stream event and reports whether the
// list changed. Snapshots (init, refresh, and poll results sent as
// refresh) replace the list; created and updated upsert; deleted removes.
// Keepalives and unknown types change nothing.
func (l *List) Apply(ev shared.Event) bool {
	switch {
	case ev.Type.IsSnapshot():
		l.Replace(ev.Sessions)
		return true
	case ev.Type == shared.EventSessionCreated, ev.Type == shared.EventSessionUpdated:
		return l.Upsert(ev.Sessions...)
	case ev.Type == shared.EventSessionDeleted:
		return l.Remove(ev.Sessions...)
	}
	return false
}

// Replace makes the list hold exactly sessions.
func (l *List) Replace(sessions []shared.Session) {
	l.byKey = make(map[string]shared.Session, len(sessions))
	for _, s := range sessions {
		if s.ID == "" {
			continue // no identity: nothing could update or delete it
		}
		l.byKey[s.Key()] = s
	}
	l.sorted = nil
}

// Upsert adds or replaces sessions by key and reports whether any was
// given.
func (l *List) Upsert(sessions ...shared.Session) bool {
	if l.byKey == nil {
		l.byKey = make(map[string]shared.Session, len(sessions))
	}
	changed := false
	for _, s := range sessions {
		if s.ID == "" {
			continue
		}
		l.byKey[s.Key()] = s
		changed = true
	}
	if changed {
		l.sorted = nil
	}
	return changed
}

// Remove deletes sessions by key and reports whether any was present.
func (l *List) Remove(sessions ...shared.Session) bool {
	changed := false
	for _, s := range sessions {
		if _, ok := l.byKey[s.Key()]; ok {
			delete(l.byKey, s.Key())
			changed = true
		}
	}
	if changed {
		l.sorted = nil
	}
	return changed
}

// Len is the number of sessions.
func (l *List) Len() int { return len(l.byKey) }

// Get returns the session with key, if present.
func (l *List) Get(key string) (shared.Session, bool) {
	s, ok := l.byKey[key]
	return s, ok
}

// Sessions returns the sessions newest first. The slice is shared until
// the next change: callers must not modify it.
func (l *List) Sessions() []shared.Session {
	if l.sorted == nil {
		l.sorted = make([]shared.Session, 0, len(l.byKey))
		for _, s := range l.byKey {
			l.sorted = append(l.sorted, s)
		}
		shared.SortNewestFirst(l.sorted)
	}
	return l.sorted
}
