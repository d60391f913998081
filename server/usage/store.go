package usage

import (
	"sync"

	"vibecraft.sh/helm/shared"
)

// dim is what a slot's totals are split by: every grouping a query asks
// for (day comes from the slot itself).
type dim struct {
	model, project string
	source         shared.Source
}

// entry is one session as the store last took it: its cells, and the
// cost and tokens it reported, to tell when its cells are stale.
type entry struct {
	project string
	source  shared.Source
	cost    float64
	tokens  shared.Tokens
	cells   []Cell
}

// Store holds running totals per slot, model, project and source, and
// each session's part in them. It is safe for concurrent use.
type Store struct {
	mu       sync.RWMutex
	sessions map[string]*entry        // by shared.Session.Key
	slots    map[int64]map[dim]*spend // slot start → totals
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{sessions: map[string]*entry{}, slots: map[int64]map[dim]*spend{}}
}

// Stale reports whether s spent something other than what the store
// holds for it: its cells must be set again.
func (st *Store) Stale(s *shared.Session) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	e, ok := st.sessions[s.Key()]
	return !ok || e.cost != s.CostUSD || e.tokens != s.Tokens || e.project != s.ProjectPath
}

// Set makes cells session s's whole part in the totals, replacing what
// it had. Only the slots whose sums differ end up changed.
func (st *Store) Set(s *shared.Session, cells []Cell) {
	st.mu.Lock()
	defer st.mu.Unlock()
	key := s.Key()
	st.remove(key)
	e := &entry{project: s.ProjectPath, source: s.Source, cost: s.CostUSD, tokens: s.Tokens,
		cells: append([]Cell(nil), cells...)}
	st.sessions[key] = e
	st.apply(e, 1)
}

// Delete takes a session that is gone out of the totals.
func (st *Store) Delete(key string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.remove(key)
}

// Keys lists the sessions of source src the store holds.
func (st *Store) Keys(src shared.Source) []string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var out []string
	for k, e := range st.sessions {
		if e.source == src {
			out = append(out, k)
		}
	}
	return out
}

func (st *Store) remove(key string) {
	if e, ok := st.sessions[key]; ok {
		st.apply(e, -1)
		delete(st.sessions, key)
	}
}

// apply adds (sign 1) or takes away (-1) e's cells, dropping totals that
// fall to zero so that memory follows what is on disk.
func (st *Store) apply(e *entry, sign int) {
	for _, c := range e.cells {
		m := st.slots[c.At]
		if m == nil {
			m = map[dim]*spend{}
			st.slots[c.At] = m
		}
		d := dim{model: c.Model, project: e.project, source: e.source}
		sp := m[d]
		if sp == nil {
			sp = &spend{}
			m[d] = sp
		}
		sp.add(c.Tokens, c.Nano, sign)
		if sp.zero() {
			delete(m, d)
			if len(m) == 0 {
				delete(st.slots, c.At)
			}
		}
	}
}
