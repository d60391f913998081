package list

import (
	"slices"

	"vibecraft.sh/helm/shared"
)

// Order is a frozen row order: the position each session had when the
// user turned "stable order" on. Rows keep those positions whatever
// their activity does since; sessions that appeared later follow them,
// in the query's order. The zero Order freezes nothing.
type Order struct {
	rank map[string]int
}

// Freeze records the order of sessions (usually the whole list, so a
// later filter or search keeps the same relative order).
func Freeze(sessions []shared.Session) Order {
	o := Order{rank: make(map[string]int, len(sessions))}
	for i := range sessions {
		o.rank[sessions[i].Key()] = i
	}
	return o
}

// Frozen reports whether o holds an order.
func (o Order) Frozen() bool { return o.rank != nil }

// Apply returns r in o's order. r itself is not changed (the list caches
// it). The sort is stable, so new sessions keep the query's order among
// themselves.
func (o Order) Apply(r Result) Result {
	if o.rank == nil || len(r.idx) == 0 {
		return r
	}
	// One map lookup per row, not per comparison.
	type ranked struct {
		j    int32
		rank int
	}
	rows := make([]ranked, len(r.idx))
	for i, j := range r.idx {
		n, ok := o.rank[r.sessions[j].Key()]
		if !ok {
			n = len(o.rank) // after every frozen row
		}
		rows[i] = ranked{j, n}
	}
	slices.SortStableFunc(rows, func(a, b ranked) int { return a.rank - b.rank })
	idx := make([]int32, len(rows))
	for i, x := range rows {
		idx[i] = x.j
	}
	return Result{sessions: r.sessions, idx: idx}
}
