// Package list is the client's copy of the session list: a map by
// shared.Session.Key with a view sorted newest first. Stream events and
// poll results update it alike, so the UI renders from one place.
//
// It also answers the page's questions fast enough for every keystroke
// over thousands of sessions: which sessions a query keeps (Filter), the
// projects to choose from (Projects) and how many sessions wait (Count).
// Each answer is cached until the list or the question changes.
package list

import (
	"slices"
	"strings"

	"vibecraft.sh/helm/shared"
)

// List holds sessions by key. The zero value is an empty list ready to use.
// It is not safe for concurrent use: the UI goroutine owns it.
type List struct {
	byKey  map[string]shared.Session
	sorted []shared.Session // nil when it must be rebuilt
	// texts[i] is shared.SearchText(&sorted[i]), nil until a search
	// needs them (textsFor); folded keeps them from one sort to the next,
	// so a session is lower-cased once per change, not once per keystroke.
	texts  []string
	folded map[string]foldedText

	version uint64 // counts changes; the caches below belong to one version
	view    view
	facets  facets
	counts  counts
	// statusFacet caches StatusCounts.
	statusFacet statusFacet
	needs       needs
}

// foldedText is a session's search text and the fields it was made from.
type foldedText struct {
	from [5]string
	text string
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
	for i := range sessions {
		s := &sessions[i]
		if s.ID == "" {
			continue // no identity: nothing could update or delete it
		}
		l.byKey[s.Key()] = *s
	}
	l.changed()
	// A snapshot or an init comes newest first: keep that order rather
	// than sort again (at 100,000 sessions, moving them about in a sort
	// took seconds in wasm). Only when every session was kept once.
	if len(l.byKey) == len(sessions) && slices.IsSortedFunc(sessions, cmpNewer) {
		l.sorted = slices.Clone(sessions)
	}
}

// cmpNewer orders sessions as the list shows them (shared.Newer).
func cmpNewer(a, b shared.Session) int {
	switch {
	case shared.Newer(a, b):
		return -1
	case shared.Newer(b, a):
		return 1
	}
	return 0
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
		k := s.Key()
		old, had := l.byKey[k]
		l.byKey[k] = s
		changed = true
		if l.sorted != nil {
			l.move(old, had, s)
		}
	}
	if changed {
		l.version++
	}
	return changed
}

// move keeps sorted (and texts) in order after old became s, without
// sorting again: an update moves one row, and a stream of updates over a
// list of thousands must not sort thousands each time.
func (l *List) move(old shared.Session, had bool, s shared.Session) {
	if had {
		i := l.search(old)
		if i < len(l.sorted) && l.sorted[i].Key() == old.Key() {
			l.sorted = slices.Delete(l.sorted, i, i+1)
			if l.texts != nil {
				l.texts = slices.Delete(l.texts, i, i+1)
			}
		} else {
			l.sorted, l.texts = nil, nil // cannot happen; rebuild to be safe
			return
		}
	}
	i := l.search(s)
	l.sorted = slices.Insert(l.sorted, i, s)
	if l.texts != nil {
		l.texts = slices.Insert(l.texts, i, l.foldOne(&s))
	}
}

// search is where s is or would be in sorted.
func (l *List) search(s shared.Session) int {
	i, _ := slices.BinarySearchFunc(l.sorted, s, func(a, b shared.Session) int {
		switch {
		case shared.Newer(a, b):
			return -1
		case shared.Newer(b, a):
			return 1
		}
		return 0
	})
	return i
}

// foldOne returns s's search text, from folded when its fields are
// unchanged.
func (l *List) foldOne(s *shared.Session) string {
	from := [5]string{s.Title, s.FirstPrompt, s.ProjectPath, s.GitBranch, s.Model}
	k := s.Key()
	f, ok := l.folded[k]
	if !ok || f.from != from {
		f = foldedText{from: from, text: shared.SearchText(s)}
		if l.folded == nil {
			l.folded = make(map[string]foldedText)
		}
		l.folded[k] = f
	}
	return f.text
}

// Remove deletes sessions by key and reports whether any was present.
func (l *List) Remove(sessions ...shared.Session) bool {
	changed := false
	for _, s := range sessions {
		old, ok := l.byKey[s.Key()]
		if !ok {
			continue
		}
		delete(l.byKey, s.Key())
		delete(l.folded, s.Key())
		changed = true
		if i := l.search(old); l.sorted != nil && i < len(l.sorted) && l.sorted[i].Key() == old.Key() {
			l.sorted = slices.Delete(l.sorted, i, i+1)
			if l.texts != nil {
				l.texts = slices.Delete(l.texts, i, i+1)
			}
		} else {
			l.sorted, l.texts = nil, nil
		}
	}
	if changed {
		l.version++
	}
	return changed
}

// changed drops everything derived from the old contents.
func (l *List) changed() {
	l.sorted, l.texts = nil, nil
	l.version++
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

// textsFor returns texts for a search: nil when it is blank (a matcher
// then reads no text), else folded now if they are not yet. Folding is
// left to the first search: at 100,000 sessions it is over a second of
// wasm that a start, or a list nobody searches, need not wait for.
func (l *List) textsFor(search string) []string {
	if strings.TrimSpace(search) == "" {
		return nil
	}
	l.Sessions()
	if l.texts == nil {
		l.fold()
	}
	return l.texts
}

// textAt is texts[i], or "" when texts is nil (a blank search).
func textAt(texts []string, i int) string {
	if texts == nil {
		return ""
	}
	return texts[i]
}

// fold fills texts for sorted, reusing the text of every session whose
// searched fields did not change.
func (l *List) fold() {
	old := l.folded
	l.folded = make(map[string]foldedText, len(l.sorted))
	l.texts = make([]string, len(l.sorted))
	for i := range l.sorted {
		s := &l.sorted[i]
		from := [5]string{s.Title, s.FirstPrompt, s.ProjectPath, s.GitBranch, s.Model}
		k := s.Key()
		f, ok := old[k]
		if !ok || f.from != from {
			f = foldedText{from: from, text: shared.SearchText(s)}
		}
		l.folded[k] = f
		l.texts[i] = f.text
	}
}
