package usage

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"time"
	_ "time/tzdata" // tz names work on machines without a zoneinfo database

	"vibecraft.sh/helm/server/pricing"
	"vibecraft.sh/helm/shared"
)

// Groupings a query may ask for.
const (
	ByDay     = "day"
	ByProject = "project"
	ByModel   = "model"
	BySource  = "source"
)

// MaxRange bounds a query: Helm keeps no more than what is on disk, and
// a range of centuries is a typo, not a question.
const MaxRange = 6 * 366 * 24 * time.Hour

// DefaultRange is the period asked for when from is not given.
const DefaultRange = 30 * 24 * time.Hour

// ErrBadQuery marks a query a client got wrong (a 400).
var ErrBadQuery = errors.New("bad usage query")

// Query is GET /api/usage's parameters: slots starting in [From, To),
// grouped By, days cut in Loc.
type Query struct {
	From, To int64 // epoch ms
	By       string
	Loc      *time.Location
}

// ParseQuery reads from, to (epoch ms; default the 30 days up to now), by
// (default day) and tz (an IANA name; default UTC).
func ParseQuery(v url.Values, now time.Time) (Query, error) {
	q := Query{To: now.UnixMilli(), By: ByDay, Loc: time.UTC}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"to", &q.To}, {"from", &q.From}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > 1<<53 {
			return Query{}, fmt.Errorf("%w: %s=%.40q: want epoch milliseconds", ErrBadQuery, p.name, s)
		}
		*p.dst = n
	}
	if v.Get("from") == "" {
		q.From = max(q.To-DefaultRange.Milliseconds(), 0)
	}
	if q.To <= q.From || q.To-q.From > MaxRange.Milliseconds() {
		return Query{}, fmt.Errorf("%w: from must be before to, at most 6 years apart", ErrBadQuery)
	}
	if by := v.Get("by"); by != "" {
		switch by {
		case ByDay, ByProject, ByModel, BySource:
			q.By = by
		default:
			return Query{}, fmt.Errorf("%w: by=%.40q: want day, project, model or source", ErrBadQuery, by)
		}
	}
	if tz := v.Get("tz"); tz != "" {
		// LoadLocation also takes "Local" and file paths relative to
		// ZONEINFO; only plain IANA names are asked for.
		if len(tz) > 64 || tz == "Local" {
			return Query{}, fmt.Errorf("%w: tz=%.40q: want an IANA time zone name", ErrBadQuery, tz)
		}
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return Query{}, fmt.Errorf("%w: tz=%.40q: want an IANA time zone name", ErrBadQuery, tz)
		}
		q.Loc = loc
	}
	return q, nil
}

// Totals, Bucket and Report are the wire types of GET /api/usage (shared).
type (
	Totals = shared.UsageTotals
	Bucket = shared.UsageBucket
	Report = shared.UsageReport
)

// group is one bucket being summed: byModel (nano-dollars) and
// tokByModel (Tokens.Total) by model id.
type group struct {
	key string
	spend
	byModel    []int64
	tokByModel []int
	unpriced   int // Tokens.Total of the cells of models without a price
}

// Query sums the slots in q's range by q's grouping. Sums are kept in
// nano-dollars and turned into dollars once, so a bucket is exact to the
// nano-dollar whatever the order of the slots. The loop is additions
// only: each slot's group is found by dim id, and a day's key is worked
// out once per day, not per slot.
func (st *Store) Query(q Query) Report {
	loc := q.Loc
	if loc == nil {
		loc = time.UTC
	}
	var groups []*group
	var total spend
	var unpricedTotal int
	var unpricedModel []bool // by model id: some of its tokens in range have no price
	st.mu.RLock()
	byDim := make([]int32, len(st.dims)) // dim id → group index + 1 (not by day)
	dayEnd, dayGroup := int64(math.MinInt64), int32(0)
	newGroup := func(key string) int32 {
		groups = append(groups, &group{key: key, byModel: make([]int64, len(st.models)), tokByModel: make([]int, len(st.models))})
		return int32(len(groups) - 1)
	}
	unpricedModel = make([]bool, len(st.models))
	lo, hi := st.between(q.From, q.To)
	for j := lo; j < hi; j++ {
		at := st.order[j]
		if q.By == ByDay && at >= dayEnd {
			y, m, d := time.UnixMilli(at).In(loc).Date()
			dayEnd = shared.DayStart(y, m, d+1, loc).UnixMilli()
			dayGroup = newGroup(fmt.Sprintf("%04d-%02d-%02d", y, m, d))
		}
		for _, c := range st.sums[j] {
			gi := dayGroup
			if q.By != ByDay {
				if byDim[c.dim] == 0 {
					byDim[c.dim] = st.groupFor(q.By, c.dim, groups, newGroup) + 1
				}
				gi = byDim[c.dim] - 1
			}
			g := groups[gi]
			g.add(c.tokens, c.nano, 1)
			m := st.dimModel[c.dim]
			g.byModel[m] += c.nano
			g.tokByModel[m] += c.tokens.Total()
			total.add(c.tokens, c.nano, 1)
			if st.dims[c.dim].unpriced {
				n := c.tokens.Total()
				g.unpriced += n
				unpricedTotal += n
				unpricedModel[m] = unpricedModel[m] || n != 0
			}
		}
	}
	// A copy: a forgotten model's id is reused (releaseModel), so the
	// names may change once the lock is let go.
	models := slices.Clone(st.models)
	st.mu.RUnlock()
	rep := Report{From: q.From, To: q.To, By: q.By, TZ: loc.String(), Buckets: make([]Bucket, 0, len(groups)),
		Total: Totals{CostUSD: pricing.Dollars(total.nano), Tokens: total.tokens, UnpricedTokens: unpricedTotal}}
	for m, u := range unpricedModel {
		if u {
			rep.Unpriced = append(rep.Unpriced, models[m])
		}
	}
	slices.Sort(rep.Unpriced)
	for _, g := range groups {
		b := Bucket{Key: g.key, CostUSD: pricing.Dollars(g.nano), Tokens: g.tokens, ByModel: map[string]float64{},
			TokensByModel: map[string]int{}, UnpricedTokens: g.unpriced}
		for m, n := range g.byModel {
			if n != 0 {
				b.ByModel[models[m]] = pricing.Dollars(n)
			}
			if n := g.tokByModel[m]; n != 0 {
				b.TokensByModel[models[m]] = n
			}
		}
		rep.Buckets = append(rep.Buckets, b)
	}
	slices.SortFunc(rep.Buckets, func(a, b Bucket) int {
		if q.By == ByDay {
			return cmp.Compare(a.Key, b.Key)
		}
		return cmp.Or(cmp.Compare(b.CostUSD, a.CostUSD), cmp.Compare(a.Key, b.Key))
	})
	return rep
}

// groupFor finds or makes the group of dim id for a grouping other than
// by day: dims of one project (or model, or source) share it.
func (st *Store) groupFor(by string, id int32, groups []*group, newGroup func(string) int32) int32 {
	d := st.dims[id]
	key := d.project
	switch by {
	case ByModel:
		key = d.model
	case BySource:
		key = string(d.source)
	}
	for i, g := range groups {
		if g.key == key {
			return int32(i)
		}
	}
	return newGroup(key)
}
