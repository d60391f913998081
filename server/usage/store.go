package usage

import (
	"slices"
	"sync"

	"vibecraft.sh/helm/shared"
)

// dim is what a slot's totals are split by: every grouping a query asks
// for (day comes from the slot itself), and whether the model has a
// price. Dims are interned: a slot holds small ids, so a query adds
// numbers instead of hashing strings. model is the model's key
// (shared.ModelKey): claude-haiku-4-5 and its dated, Bedrock and Vertex
// ids are one model, one row of the report by model.
type dim struct {
	model, project string
	source         shared.Source
	unpriced       bool
}

// cellSum is a slot's total for one dim.
type cellSum struct {
	dim int32
	spend
}

// sessionID names a session in the store: its source and ID, the
// session's own strings, so that holding 100,000 sessions allocates no
// key (a "source:id" key was 48 bytes each).
type sessionID struct {
	source shared.Source
	id     string
}

// entry is one session as the store last took it: its cells, and the cost, tokens and project it reported, to tell
// when its cells are stale.
type entry struct {
	project string
	cost    float64
	tokens  shared.Tokens
	cells   []heldCell
	seen    uint32 // the Keep that last found it listed (in the size class's spare bytes)
}

// heldCell is a Cell as the store keeps it: its model, with the session's
// project and source, as the interned dim (4 bytes where the model's name
// took 16).
type heldCell struct {
	at  int64
	dim int32
	spend
}

// Store holds running totals per slot, model, project and source, and
// each session's part in them. It is safe for concurrent use.
type Store struct {
	mu sync.RWMutex
	// Entries by pointer: a map's table grows by doubling, and slots the
	// size of an entry made the room it keeps ahead cost more than the
	// pointers do.
	sessions map[sessionID]*entry
	dims     []dim
	dimIDs   map[dim]int32
	// dimUses counts, by dim id, the held cells of that dim: a dim no
	// cell holds is forgotten and its id reused (freeDims), so the dims
	// follow the (model, project, source) combinations still on disk, not
	// every project a long-running helmd ever saw (each worktree is one).
	dimUses  []int32
	freeDims []int32
	models   []string         // model names by id, for byModel
	modelIDs map[string]int32 //
	dimModel []int32          // dim id → model id
	// modelUses counts, by model id, the dims of that model: a model no
	// dim holds has no cell left, its totals are zero, and it is
	// forgotten and its id reused (freeModels), as dims are. A transcript
	// writing a new model name per line grew models without bound.
	modelUses  []int32
	freeModels []int32
	byModel    []spend // all-time totals by model id, for ModelTotals
	// unpricedByModel is, by model id, the part of byModel's tokens
	// (Tokens.Total) spent without a price, for ModelTotals.
	unpricedByModel []int
	// order holds the slot starts with a total, sorted, and sums their
	// totals by dim, index for index: a range is a binary search away
	// and is read in sequence.
	order []int64
	sums  [][]cellSum
	keeps uint32 // Keep calls, to mark the entries each finds listed
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{sessions: map[sessionID]*entry{}, dimIDs: map[dim]int32{}, modelIDs: map[string]int32{}}
}

// Stale reports whether s spent something other than what the store
// holds for it: its cells must be set again.
func (st *Store) Stale(s *shared.Session) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	e, ok := st.sessions[sessionID{s.Source, s.ID}]
	return !ok || e.cost != s.CostUSD || e.tokens != s.Tokens || e.project != s.ProjectPath
}

// Set makes cells session s's whole part in the totals, replacing what
// it had. Only the slots whose sums differ end up changed.
func (st *Store) Set(s *shared.Session, cells []Cell) {
	st.mu.Lock()
	defer st.mu.Unlock()
	key := sessionID{s.Source, s.ID}
	old := st.sessions[key]
	e := &entry{project: s.ProjectPath, cost: s.CostUSD, tokens: s.Tokens}
	if len(cells) > 0 {
		e.cells = make([]heldCell, len(cells))
		for i, c := range cells {
			d := dim{model: shared.ModelKey(c.Model), project: s.ProjectPath, source: s.Source, unpriced: c.Unpriced}
			id := st.dimID(d)
			st.dimUses[id]++
			e.cells[i] = heldCell{at: c.At, dim: id, spend: spend{tokens: c.Tokens, nano: c.Nano}}
		}
	}
	st.sessions[key] = e
	// The new cells first: a slot the session keeps never falls to zero
	// and out of the order in between.
	st.apply(e.cells, 1)
	if old != nil {
		st.apply(old.cells, -1)
		st.releaseDims(old.cells)
	}
}

// Delete takes session id of source src, which is gone, out of the
// totals.
func (st *Store) Delete(src shared.Source, id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	key := sessionID{src, id}
	if e, ok := st.sessions[key]; ok {
		st.apply(e.cells, -1)
		st.releaseDims(e.cells)
		delete(st.sessions, key)
	}
}

// Keep takes every session of source src that list does not hold out of
// the totals: list is all of src's sessions (a full scan's). It allocates
// nothing: a refresh at 100,000 sessions made a set of the list's IDs and
// a list of the store's (IDs), ~12 MB of garbage, to find the few gone.
func (st *Store) Keep(src shared.Source, list []shared.Session) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.keeps++
	for i := range list {
		if e, ok := st.sessions[sessionID{src, list[i].ID}]; ok {
			e.seen = st.keeps
		}
	}
	for k, e := range st.sessions {
		if k.source == src && e.seen != st.keeps {
			st.apply(e.cells, -1)
			st.releaseDims(e.cells)
			delete(st.sessions, k)
		}
	}
}

// releaseDims drops the hold of cells, taken out of the totals, on their
// dims, and forgets those no cell holds any more. Their sums fell to zero
// with the last cell and are gone, so nothing refers to the id.
func (st *Store) releaseDims(cells []heldCell) {
	for _, c := range cells {
		st.dimUses[c.dim]--
		if st.dimUses[c.dim] == 0 {
			st.releaseModel(st.dimModel[c.dim])
			delete(st.dimIDs, st.dims[c.dim])
			st.dims[c.dim] = dim{}
			st.freeDims = append(st.freeDims, c.dim)
		}
	}
}

// releaseModel drops the hold of a dim, forgotten, on model id m, and
// forgets the model once no dim holds it. Its totals fell to zero with
// its last cell; the zero of a model no longer held is what ModelTotals
// leaves out.
func (st *Store) releaseModel(m int32) {
	st.modelUses[m]--
	if st.modelUses[m] == 0 {
		delete(st.modelIDs, st.models[m])
		st.models[m] = ""
		st.byModel[m], st.unpricedByModel[m] = spend{}, 0
		st.freeModels = append(st.freeModels, m)
	}
}

// modelID interns model, reusing the id of a model forgotten
// (releaseModel), and takes a hold on it for a new dim.
func (st *Store) modelID(model string) int32 {
	m, ok := st.modelIDs[model]
	switch {
	case ok:
	case len(st.freeModels) > 0:
		m = st.freeModels[len(st.freeModels)-1]
		st.freeModels = st.freeModels[:len(st.freeModels)-1]
		st.models[m] = model
		st.modelIDs[model] = m
	default:
		m = int32(len(st.models))
		st.models = append(st.models, model)
		st.modelIDs[model] = m
		st.byModel = append(st.byModel, spend{})
		st.unpricedByModel = append(st.unpricedByModel, 0)
		st.modelUses = append(st.modelUses, 0)
	}
	st.modelUses[m]++
	return m
}

// dimID interns d, reusing the id of a dim forgotten (releaseDims).
func (st *Store) dimID(d dim) int32 {
	if id, ok := st.dimIDs[d]; ok {
		return id
	}
	m := st.modelID(d.model)
	if n := len(st.freeDims); n > 0 {
		id := st.freeDims[n-1]
		st.freeDims = st.freeDims[:n-1]
		st.dims[id], st.dimModel[id] = d, m
		st.dimIDs[d] = id
		return id
	}
	id := int32(len(st.dims))
	st.dims = append(st.dims, d)
	st.dimIDs[d] = id
	st.dimModel = append(st.dimModel, m)
	st.dimUses = append(st.dimUses, 0)
	return id
}

// apply adds (sign 1) or takes away (-1) a session's cells, dropping
// totals that fall to zero so that memory follows what is on disk.
func (st *Store) apply(cells []heldCell, sign int) {
	for _, c := range cells {
		id := c.dim
		j, found := slices.BinarySearch(st.order, c.at)
		if !found { // appends land at the end: nothing moves
			st.order = slices.Insert(st.order, j, c.at)
			st.sums = slices.Insert(st.sums, j, nil)
		}
		sums := st.sums[j]
		i := slices.IndexFunc(sums, func(s cellSum) bool { return s.dim == id })
		if i < 0 {
			sums = append(sums, cellSum{dim: id})
			i = len(sums) - 1
		}
		sums[i].add(c.tokens, c.nano, sign)
		st.byModel[st.dimModel[id]].add(c.tokens, c.nano, sign)
		if st.dims[id].unpriced {
			st.unpricedByModel[st.dimModel[id]] += sign * c.tokens.Total()
		}
		if sums[i].zero() {
			sums = slices.Delete(sums, i, i+1)
		}
		st.sums[j] = sums
		if len(sums) == 0 {
			st.order = slices.Delete(st.order, j, j+1)
			st.sums = slices.Delete(st.sums, j, j+1)
		}
	}
}

// between returns the indexes [lo, hi) of the slots starting in
// [from, to).
func (st *Store) between(from, to int64) (lo, hi int) {
	lo, _ = slices.BinarySearch(st.order, from)
	hi, _ = slices.BinarySearch(st.order, to)
	return lo, max(lo, hi)
}

// ModelTotal is what one model spent over everything the store holds.
type ModelTotal struct {
	Model  string // its key (shared.ModelKey)
	Tokens shared.Tokens
	Nano   int64 // cost in nano-dollars
	// UnpricedTokens is the part of Tokens (Tokens.Total) whose model
	// has no price: Nano leaves their cost out, unknown, not 0.
	UnpricedTokens int
}

// ModelTotals is what each model spent, over every session the store
// holds, response by response (a session that used several models adds
// to each): kept as cells come and go, so this costs one pass over the
// models. Models whose spend fell to zero are left out.
func (st *Store) ModelTotals() []ModelTotal {
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := []ModelTotal{} // not nil: an empty store is no spend, not no store
	for m, sp := range st.byModel {
		if !sp.zero() {
			out = append(out, ModelTotal{Model: st.models[m], Tokens: sp.tokens, Nano: sp.nano, UnpricedTokens: st.unpricedByModel[m]})
		}
	}
	return out
}
