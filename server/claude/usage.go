package claude

import (
	"path/filepath"

	spent "vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/shared"
)

// slotModel is a 15-minute slot (spent.SlotOf) and a model: how the
// usage of responses without an id is kept, since no per-response entry
// exists for them.
type slotModel struct {
	at    int64
	model string
}

// responseTime is when a response was written: its line's timestamp,
// else the latest time the file showed before it, else (none yet: a
// file whose first times are malformed, or ahead of this machine's
// clock) when the file was last written. Time 0 filed its spend on
// 1970-01-01, outside every usage query, while the session's cost
// counted it.
func (a *aggregate) responseTime(r *record) int64 {
	if ms, ok := r.at(); ok {
		return ms
	}
	if a.lastTS > 0 {
		return a.lastTS
	}
	return r.undated
}

// addAnon adds a response without an id to a's idless spend.
func (a *aggregate) addAnon(at int64, model string, sp spend) {
	if a.idless == nil {
		a.idless = &idlessSpend{cells: map[slotModel]spend{}}
	}
	a.idless.anon = a.idless.anon.add(sp)
	k := slotModel{spent.SlotOf(at), model}
	a.idless.cells[k] = a.idless.cells[k].add(sp)
}

// Usage is what session sid spent, by 15-minute slot and model, by the
// rules its cost follows (build.go, dedup.go): every response of its
// transcripts and subagents that no other file bills, the id-less usage
// of a copy under a second root counted once. The cells sum to the
// session's tokens and cost exactly.
func (s *Source) Usage(sid string) []spent.Cell {
	s.mu.Lock()
	defer s.mu.Unlock()
	cells := map[slotModel]*spent.Cell{}
	var oneMain, oneSub [1]*file // before file below names a func
	add := func(at int64, model string, sp spend) {
		k := slotModel{spent.SlotOf(at), model}
		c := cells[k]
		if c == nil {
			c = &spent.Cell{At: k.at, Model: model}
			cells[k] = c
		}
		c.Tokens = c.Tokens.Add(sp.tokens)
		c.Nano += sp.nano
	}
	file := func(f *file, anon bool) {
		a := &f.agg
		// Read from the blob when still encoded: materializing here would
		// rebuild, for every session at start, the maps compact let go.
		if !a.eachResponse(func(model string, sp spend, at int64) { add(at, model, sp) }) {
			s.log.Warn("claude: scan cache id sets invalid", "path", f.path)
		}
		if anon && a.idless != nil {
			for k, sp := range a.idless.cells {
				add(k.at, k.model, sp)
			}
		}
	}
	mains := s.reg.mainsOf(sid, &oneMain)
	main := primary(mains)
	for _, f := range mains {
		file(f, f == main)
	}
	seen := map[string]bool{}
	for _, f := range s.reg.subsOf(sid, &oneSub) {
		name := filepath.Base(f.path)
		file(f, !seen[name])
		seen[name] = true
	}
	out := make([]spent.Cell, 0, len(cells))
	for _, c := range cells {
		if c.Nano != 0 || c.Tokens != (shared.Tokens{}) {
			// The rule /api/status's unpricedModels and a session's
			// Unpriced follow: the report counts a cell's tokens as
			// unpriced, and names its model, only when it has some.
			c.Unpriced = unpricedTokens(c.Model, c.Tokens) > 0
			out = append(out, *c)
		}
	}
	return out
}
