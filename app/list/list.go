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
	"maps"
	"slices"
	"strings"

	"vibecraft.sh/helm/shared"
)

// List holds sessions by key. The zero value is an empty list ready to use.
// It is not safe for concurrent use: the UI goroutine owns it.
//
// The sessions live once, in sorted (newest first); byKey maps a key to
// its position there and keys[i] is sorted[i].Key(). An index map rather
// than a map of sessions: at 100,000 sessions of ~300 bytes, a map of
// values was 100,000 allocations and a copy of each at the start, and
// ranging it copied each again.
type List struct {
	byKey  map[string]int32
	sorted []shared.Session
	keys   []string
	// indexed is how many of sorted byKey and keys cover (IndexSome);
	// dropped, earlier copies of a key found meanwhile, to remove.
	indexed int
	dropped []int32
	// texts[i] is shared.SearchText(&sorted[i]), nil until a search
	// needs them (textsFor) or FoldSome starts them; folded keeps them
	// from one sort to the next, so a session is lower-cased once per
	// change, not once per keystroke.
	//
	// A fold may be under way (FoldSome): then texts[:foldAt] are made,
	// and so is any text of a session upserted since, while the rest are
	// "" until made. stale is folded as it was when that fold began,
	// whose texts are reused; it goes when the fold ends, so that the
	// texts of sessions no longer held go with it.
	texts  []string
	folded map[string]foldedText
	stale  map[string]foldedText
	foldAt int

	version uint64 // counts changes; the caches below belong to one version
	view    view
	facets  facets
	counts  counts
	// statusFacet caches StatusCounts.
	statusFacet statusFacet
	needs       needs
	hosts       hostsCache
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

// Replace makes the list hold exactly sessions. sessions itself is not
// changed or kept.
//
// A snapshot or an init comes newest first: that order is kept rather
// than sorted again (at 100,000 sessions, moving them about in a sort
// took seconds in wasm), and its index by key is left to be built after
// (IndexSome), so that the page can draw the list first. Any other input
// is sorted first.
func (l *List) Replace(sessions []shared.Session) {
	l.changed()
	l.sorted = make([]shared.Session, 0, len(sessions))
	for i := range sessions {
		if sessions[i].ID != "" { // no identity: nothing could update or delete it
			l.sorted = append(l.sorted, sessions[i])
		}
	}
	l.byKey = make(map[string]int32, len(l.sorted))
	l.keys = make([]string, len(l.sorted))
	l.indexed, l.dropped = 0, nil
	if !slices.IsSortedFunc(l.sorted, cmpNewer) {
		// Later duplicates win, before the sort loses their order.
		at := make(map[string]int, len(l.sorted))
		kept := l.sorted[:0]
		for _, s := range l.sorted {
			k := s.Key()
			if j, ok := at[k]; ok {
				kept[j] = s
				continue
			}
			at[k] = len(kept)
			kept = append(kept, s)
		}
		l.sorted = kept
		l.keys = l.keys[:len(kept)]
		shared.SortNewestFirst(l.sorted)
	}
}

// indexChunk is how many sessions IndexSome indexes by default.
const indexChunk = 20_000

// IndexSome indexes up to n more sessions by key (n <= 0: a default
// part) and reports whether every session is. A page calls it between
// frames after a big Replace; Get, Upsert, Remove and a search finish
// the index themselves when it is not yet whole.
func (l *List) IndexSome(n int) (done bool) {
	if n <= 0 {
		n = indexChunk
	}
	end := min(len(l.sorted), l.indexed+n)
	for i := l.indexed; i < end; i++ {
		k := l.sorted[i].Key()
		if j, ok := l.byKey[k]; ok {
			// The same session twice: the later one (in a list newest
			// first, this one) wins; the earlier goes once all are seen.
			l.dropped = append(l.dropped, j)
		}
		l.keys[i] = k
		l.byKey[k] = int32(i)
	}
	l.indexed = end
	if l.indexed < len(l.sorted) {
		return false
	}
	if l.dropped != nil {
		slices.Sort(l.dropped)
		for _, j := range slices.Backward(l.dropped) {
			l.sorted = slices.Delete(l.sorted, int(j), int(j)+1)
			l.keys = slices.Delete(l.keys, int(j), int(j)+1)
		}
		l.dropped = nil
		clear(l.byKey)
		l.reindex(0, len(l.sorted))
		l.indexed = len(l.sorted)
		l.changed()
	}
	return true
}

// index finishes the index by key.
func (l *List) index() {
	if l.indexed < len(l.sorted) || l.dropped != nil {
		l.IndexSome(len(l.sorted))
	}
}

// reindex sets keys and byKey for sorted[from:to], whose sessions moved.
func (l *List) reindex(from, to int) {
	for i := from; i < to; i++ {
		k := l.sorted[i].Key()
		l.keys[i] = k
		l.byKey[k] = int32(i)
	}
}

// shifted fixes byKey for sorted[from:to] after an insert or a delete
// moved those sessions by one (keys moved with them).
func (l *List) shifted(from, to int) {
	for i := from; i < to; i++ {
		l.byKey[l.keys[i]] = int32(i)
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
		l.byKey = make(map[string]int32, len(sessions))
	}
	l.index()
	changed := false
	for _, s := range sessions {
		if s.ID == "" {
			continue
		}
		changed = true
		k := s.Key()
		// An update moves one row, without sorting again: a stream of
		// updates over a list of thousands must not sort thousands each
		// time.
		if i, had := l.byKey[k]; had {
			l.cut(int(i))
			at := l.insert(k, s)
			// Only the sessions between where s was and where it is
			// now moved.
			lo, hi := min(int(i), at), max(int(i), at)
			l.shifted(lo, hi+1)
			continue
		}
		at := l.insert(k, s)
		l.shifted(at, len(l.sorted))
	}
	l.indexed = len(l.sorted) // indexed whole above, and kept so
	if changed {
		l.version++
	}
	return changed
}

// cut removes sorted[i] (and its key and text), leaving byKey of the
// sessions after it to fix (shifted), and returns i.
func (l *List) cut(i int) int {
	delete(l.byKey, l.keys[i])
	l.sorted = slices.Delete(l.sorted, i, i+1)
	l.keys = slices.Delete(l.keys, i, i+1)
	if l.texts != nil {
		l.texts = slices.Delete(l.texts, i, i+1)
		if i < l.foldAt {
			l.foldAt-- // the rows after i moved up: none is skipped
		}
	}
	return i
}

// insert puts s, whose key is k, at its place in the order and returns
// that place; byKey of the sessions after it is left to fix (shifted).
func (l *List) insert(k string, s shared.Session) int {
	i, _ := slices.BinarySearchFunc(l.sorted, s, cmpNewer)
	l.sorted = slices.Insert(l.sorted, i, s)
	l.keys = slices.Insert(l.keys, i, k)
	if l.texts != nil {
		l.texts = slices.Insert(l.texts, i, l.foldOne(k, &l.sorted[i]))
		if i < l.foldAt {
			l.foldAt++ // the rows after i moved down, all made
		}
	}
	return i
}

// foldOne returns s's search text, from folded, or else stale, when its
// fields are unchanged, and keeps it in folded.
func (l *List) foldOne(k string, s *shared.Session) string {
	from := [5]string{s.Title, s.FirstPrompt, s.ProjectPath, s.GitBranch, s.Model}
	f, ok := l.folded[k]
	if !ok || f.from != from {
		if f, ok = l.stale[k]; !ok || f.from != from {
			f = foldedText{from: from, text: shared.SearchText(s)}
		}
		if l.folded == nil {
			l.folded = make(map[string]foldedText)
		}
		l.folded[k] = f
	}
	return f.text
}

// Remove deletes sessions by key and reports whether any was present.
func (l *List) Remove(sessions ...shared.Session) bool {
	l.index()
	changed := false
	for i := range sessions {
		k := sessions[i].Key()
		j, ok := l.byKey[k]
		if !ok {
			continue
		}
		l.shifted(l.cut(int(j)), len(l.sorted))
		delete(l.folded, k)
		changed = true
	}
	l.indexed = len(l.sorted)
	if changed {
		l.version++
	}
	return changed
}

// changed drops everything derived from the old contents.
func (l *List) changed() {
	l.texts = nil
	l.version++
}

// Len is the number of sessions.
func (l *List) Len() int { return len(l.sorted) }

// Get returns the session with key, if present.
func (l *List) Get(key string) (shared.Session, bool) {
	l.index()
	i, ok := l.byKey[key]
	if !ok {
		return shared.Session{}, false
	}
	return l.sorted[i], true
}

// Sessions returns the sessions newest first. The slice is shared until
// the next change: callers must not modify it.
func (l *List) Sessions() []shared.Session { return l.sorted }

// textsFor returns texts for a search: nil when it is blank (a matcher
// then reads no text), else made now if they are not yet. They are not
// made at the start: at 100,000 sessions that is over a second of wasm
// that a start need not wait for. The page makes them a part at a time
// once the list is held (FoldSome), so that a search rarely has any
// left to make.
func (l *List) textsFor(search string) []string {
	if strings.TrimSpace(search) == "" {
		return nil
	}
	l.FoldSome(len(l.sorted))
	return l.texts
}

// textAt is texts[i], or "" when texts is nil (a blank search).
func textAt(texts []string, i int) string {
	if texts == nil {
		return ""
	}
	return texts[i]
}

// foldChunk is how many search texts FoldSome makes by default: at about
// 10 µs each in wasm, a part the page does not notice between two frames.
const foldChunk = 2000

// Folded reports whether the index by key and every search text are
// made: no part is left for IndexSome or FoldSome to do.
func (l *List) Folded() bool {
	return l.indexed == len(l.sorted) && l.dropped == nil && l.texts != nil && l.foldAt == len(l.sorted)
}

// FoldSome makes up to n more search texts (n <= 0: a default part),
// reusing the text of every session whose searched fields did not change,
// and reports whether every session has its text. A page calls it
// between frames once the list is held (after IndexSome), so that the
// first search need not make them all; a search makes whatever is left.
func (l *List) FoldSome(n int) (done bool) {
	if n <= 0 {
		n = foldChunk
	}
	l.index()
	if l.texts == nil {
		// A fold from the start: the texts made so far are reused, and
		// those of sessions no longer held dropped at its end.
		if l.stale == nil {
			l.stale = l.folded
		} else {
			maps.Copy(l.stale, l.folded) // a fold begun again before its end
		}
		l.folded = make(map[string]foldedText, len(l.sorted))
		l.texts = make([]string, len(l.sorted))
		l.foldAt = 0
	}
	end := min(len(l.sorted), l.foldAt+n)
	for i := l.foldAt; i < end; i++ {
		l.texts[i] = l.foldOne(l.keys[i], &l.sorted[i])
	}
	l.foldAt = end
	if end < len(l.sorted) {
		return false
	}
	l.stale = nil
	return true
}
