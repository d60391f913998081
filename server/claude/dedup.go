package claude

import "math"

// A resumed or forked session starts its file with a copy of the
// responses of the one it continues: same message id, same request id.
// Each response is billed once, to the file that holds it and ranks
// first (see rankKey); in every other file it is "shadowed": kept, but
// left out of that file's tokens and cost.
// Sums over sessions then equal what was really spent, and a copy of a
// session under a second root, subagent files included, adds nothing.
//
// The index says which file owns each response key. It is kept up to
// date as files are read, reset, re-ranked and forgotten, so that an
// appended line costs a few map operations, never a pass over the tree:
//
//	owner[k]   the file that bills response k
//	others[k]  the other files holding k (only for replayed responses)
//
// Responses without an id cannot be matched and are never shadowed.
// When two sessions start at the same instant and neither names the
// other, the path decides: the sum is right either way, only which of
// the two shows the spend is arbitrary (but stable).

// rankKey is what orders files for ownership, besides the path: the
// earliest first record first (a file with no timestamp yet last); on a
// tie, which a resumed file that copied its lines with their timestamps
// makes, the file whose records name another session (a copy) last.
type rankKey struct {
	ts   int64
	copy bool
}

func (f *file) rankKey() rankKey {
	ts := f.agg.firstTS
	if ts == 0 {
		ts = math.MaxInt64
	}
	a := &f.agg
	return rankKey{ts: ts, copy: f.kind == kindMain && a.sessionID != "" && a.sessionID != f.sid}
}

func ranksBefore(a, b *file) bool {
	ak, bk := a.rankKey(), b.rankKey()
	switch {
	case ak.ts != bk.ts:
		return ak.ts < bk.ts
	case ak.copy != bk.copy:
		return bk.copy
	}
	return a.path < b.path
}

// index brings the index up to date with f after a refresh: keys of the
// state it dropped (a reset) are released, a file whose rank changed is
// indexed again, and new keys are held. Sessions whose totals moved are
// added to touched.
func (s *Source) index(f *file, touched map[string]bool) {
	if f.rare != nil && f.rare.dropped != nil {
		f.rare.dropped.eachKey(func(k rkey) { s.release(k, f, nil, touched) })
		f.setRare(func(r *rareState) { r.dropped = nil })
	}
	if f.indexed && (rankKey{ts: f.rankTS, copy: f.has(bitRankCopy)}) != f.rankKey() {
		s.unindex(f, touched)
	}
	if !f.indexed {
		rank := f.rankKey()
		f.indexed, f.rankTS = true, rank.ts
		f.set(bitRankCopy, rank.copy)
		f.agg.takeDirty()
		f.agg.eachKey(func(k rkey) { s.hold(k, f, touched) })
		return
	}
	for _, k := range f.agg.takeDirty() {
		s.hold(k, f, touched)
	}
}

// takeDirty returns the response keys a holds that the index has not
// seen, and forgets them. The slice is valid until a's next read.
//
// A list grown past maxKeptDirty is let go rather than kept for the next
// read: the first read of a long transcript fills it with every response
// (3 MB for a 1 GB file), and the reads that follow it, a few lines
// each, need a few entries.
func (a *aggregate) takeDirty() []rkey {
	if a.idState == nil {
		return nil // compacted: compact refuses while any is left
	}
	d := a.dirty
	a.dirty = a.dirty[:0]
	if cap(d) > maxKeptDirty {
		a.dirty = nil
	}
	return d
}

const maxKeptDirty = 256

// unindex releases every key f holds, its own shadowing included.
func (s *Source) unindex(f *file, touched map[string]bool) {
	if !f.indexed {
		return
	}
	f.agg.eachKey(func(k rkey) { s.release(k, f, &f.agg, touched) })
	f.indexed = false
}

// hold adds f as a holder of response k.
func (s *Source) hold(k rkey, f *file, touched map[string]bool) {
	own, ok := s.owner[k]
	switch {
	case !ok:
		s.owner[k] = f
		return
	case own == f:
		return
	}
	for _, g := range s.others[k] {
		if g == f {
			return
		}
	}
	if ranksBefore(f, own) {
		s.owner[k] = f
		s.others[k] = append(s.others[k], own)
		s.setShadow(own, k, true, touched)
		return
	}
	s.others[k] = append(s.others[k], f)
	s.setShadow(f, k, true, touched)
}

// release removes f as a holder of response k. When f owned it, the
// next holder in rank takes it over. agg, when not nil, is f's current
// aggregate, whose shadowing of k is undone; nil for a state f dropped.
func (s *Source) release(k rkey, f *file, agg *aggregate, touched map[string]bool) {
	rest := s.others[k]
	if s.owner[k] != f {
		for i, g := range rest {
			if g == f {
				rest = append(rest[:i], rest[i+1:]...)
				if agg != nil {
					s.setShadow(f, k, false, touched)
				}
				break
			}
		}
		s.setOthers(k, rest)
		return
	}
	if len(rest) == 0 {
		delete(s.owner, k)
		return
	}
	best := 0
	for i, g := range rest {
		if ranksBefore(g, rest[best]) {
			best = i
		}
	}
	next := rest[best]
	s.owner[k] = next
	s.setOthers(k, append(rest[:best], rest[best+1:]...))
	s.setShadow(next, k, false, touched)
}

func (s *Source) setOthers(k rkey, rest []*file) {
	if len(rest) == 0 {
		delete(s.others, k)
		return
	}
	s.others[k] = rest
}

// setShadow marks f's response k as billed elsewhere, or no longer.
func (s *Source) setShadow(f *file, k rkey, on bool, touched map[string]bool) {
	a := &f.agg
	if !a.materialize() {
		// Cannot happen with a cache that passed its checksum; the file
		// is read whole again when it next changes.
		s.log.Warn("claude: scan cache id sets invalid", "path", f.path)
	}
	r, ok := a.responses[k]
	if !ok || r.shadowed == on {
		return
	}
	r.shadowed = on
	if on {
		a.shadow = a.shadow.add(r.spent())
	} else {
		a.shadow = a.shadow.sub(r.spent())
	}
	if f.sid != "" {
		touched[f.sid] = true
	}
}
