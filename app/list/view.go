package list

import (
	"cmp"
	"slices"

	"vibecraft.sh/helm/shared"
)

// Result is what a query keeps of the list, in the query's order: the
// positions of its sessions in the list's sorted slice, not copies (over
// thousands of sessions, copying them on every keystroke is most of the
// work and all of the garbage). It is valid until the list changes.
type Result struct {
	sessions []shared.Session // the list's sorted sessions
	idx      []int32
}

// Len is how many sessions the query keeps.
func (r Result) Len() int { return len(r.idx) }

// At is the i-th session kept. It must not be modified.
func (r Result) At(i int) *shared.Session { return &r.sessions[r.idx[i]] }

// Head copies the first n sessions kept (all of them when n < 0 or
// n > Len): the rows a page shows.
func (r Result) Head(n int) []shared.Session {
	if n < 0 || n > len(r.idx) {
		n = len(r.idx)
	}
	out := make([]shared.Session, n)
	for i := range out {
		out[i] = r.sessions[r.idx[i]]
	}
	return out
}

// Index is the position of the session with key in the result, or -1.
func (r Result) Index(key string) int {
	for i, j := range r.idx {
		if r.sessions[j].Key() == key {
			return i
		}
	}
	return -1
}

// view caches the last Filter answer.
type view struct {
	version uint64
	valid   bool
	q       shared.Query
	res     Result
}

// Filter returns what q keeps of the list, in q's order.
//
// Typing narrows a search, so when only the search changed and the new
// one contains the old, the last answer is filtered again instead of the
// whole list: the cost of a keystroke falls with each character.
func (l *List) Filter(q shared.Query) Result {
	all := l.Sessions()
	v := &l.view
	fresh := v.valid && v.version == l.version
	if fresh && v.q == q {
		return v.res
	}
	var idx []int32
	if fresh && narrows(v.q, q) {
		idx = l.matching(q, v.res.idx) // already in q's order
	} else {
		idx = l.matching(q, nil)
		if q.Sort != "" && q.Sort != shared.SortActivity { // the list is newest first already
			sortBy(idx, all, q)
		}
	}
	*v = view{version: l.version, valid: true, q: q, res: Result{sessions: all, idx: idx}}
	return v.res
}

// matching returns, in a new slice, the positions of the sessions q
// keeps: among among, in its order, when it is not nil (the answer to a
// query q narrows), else among all of them, newest first.
func (l *List) matching(q shared.Query, among []int32) []int32 {
	all := l.Sessions()
	match := q.Matcher()
	texts := l.textsFor(q.Search)
	if among != nil {
		idx := make([]int32, 0, len(among))
		for _, j := range among {
			if match(&all[j], textAt(texts, int(j))) {
				idx = append(idx, j)
			}
		}
		return idx
	}
	idx := make([]int32, 0, len(all))
	for j := range all {
		if match(&all[j], textAt(texts, j)) {
			idx = append(idx, int32(j))
		}
	}
	return idx
}

// sorted is a session's position in the list and its value to sort by.
type sorted struct {
	f float64 // cost
	n int64   // creation, messages
	j int32
}

// sortBy puts idx, positions in all, in q's order (shared.Query.Compare).
//
// Compare breaks ties with shared.Newer, which copies both sessions and
// may make both keys; all is newest first, so the tie-break is the
// position. Each value is read once, not at each comparison: at 100,000
// sessions, sorting by cost took 250 ms of wasm and sorting by messages
// 150 ms, a click's whole budget.
func sortBy(idx []int32, all []shared.Session, q shared.Query) {
	var val func(s *shared.Session) sorted
	switch q.Sort {
	case shared.SortCost:
		val = func(s *shared.Session) sorted { return sorted{f: s.CostUSD} }
	case shared.SortCreated:
		val = func(s *shared.Session) sorted { return sorted{n: s.CreatedAt} }
	case shared.SortMessages:
		val = func(s *shared.Session) sorted { return sorted{n: int64(s.MessageCount)} }
	default: // a sort this does not know: as Compare orders it
		slices.SortFunc(idx, func(a, b int32) int { return q.Compare(&all[a], &all[b]) })
		return
	}
	rows := make([]sorted, len(idx))
	for i, j := range idx {
		rows[i] = val(&all[j])
		rows[i].j = j
	}
	slices.SortFunc(rows, func(a, b sorted) int {
		switch { // descending, as Compare's cmpDesc: a NaN cost ties
		case a.f > b.f, a.n > b.n:
			return -1
		case a.f < b.f, a.n < b.n:
			return 1
		}
		return cmp.Compare(a.j, b.j)
	})
	for i := range rows {
		idx[i] = rows[i].j
	}
}

// narrows reports whether every session next keeps is one prev kept:
// the same filters and sort, and a search that narrows the old one
// (shared.Narrows).
func narrows(prev, next shared.Query) bool {
	if prev.Search == next.Search {
		return false // the cache would have answered; other fields differ
	}
	p, n := prev, next
	p.Search, n.Search = "", ""
	return p == n && shared.Narrows(prev.Search, next.Search)
}
