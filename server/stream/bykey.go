package stream

import (
	"strings"

	"vibecraft.sh/helm/shared"
)

// byKey maps sessions by shared.Session.Key without building the key: a
// map per source, in which this machine's sessions are held under their
// own ID string and a remote one under "<id>@<host>", the rest of its
// Key after "<source>:". So 100,000 sessions allocate no key, where a
// "claude:<id>" string was 48 bytes each. Sources never hold a ':'.
type byKey[V any] struct {
	m map[shared.Source]map[string]V
	n int
}

// newByKey returns a byKey with room for the sessions of each source in
// sessions (none: empty).
func newByKey[V any](sessions []shared.Session) *byKey[V] {
	b := &byKey[V]{m: make(map[shared.Source]map[string]V, 2)}
	if len(sessions) == 0 {
		return b
	}
	count := make(map[shared.Source]int, 2)
	for i := range sessions {
		count[sessions[i].Source]++
	}
	for src, n := range count {
		b.m[src] = make(map[string]V, n) // made at its size: no doubling through 100,000
	}
	return b
}

// rest is s's Key after "<source>:".
func rest(s *shared.Session) string {
	if s.Remote {
		return s.ID + "@" + s.Host
	}
	return s.ID
}

// get returns the value of key, a shared.Session.Key.
func (b *byKey[V]) get(key string) (V, bool) {
	src, r, _ := strings.Cut(key, ":")
	v, ok := b.m[shared.Source(src)][r]
	return v, ok
}

// of returns the value of s's key.
func (b *byKey[V]) of(s *shared.Session) (V, bool) {
	v, ok := b.m[s.Source][rest(s)]
	return v, ok
}

// set sets the value of s's key.
func (b *byKey[V]) set(s *shared.Session, v V) {
	m := b.m[s.Source]
	if m == nil {
		m = make(map[string]V)
		b.m[s.Source] = m
	}
	r := rest(s)
	if _, had := m[r]; !had {
		b.n++
	}
	m[r] = v
}

// del removes key, a shared.Session.Key.
func (b *byKey[V]) del(key string) {
	src, r, _ := strings.Cut(key, ":")
	m := b.m[shared.Source(src)]
	if _, had := m[r]; had {
		delete(m, r)
		b.n--
	}
}

// len is the number of keys held.
func (b *byKey[V]) len() int { return b.n }
