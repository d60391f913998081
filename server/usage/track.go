package usage

import (
	"context"
	"time"

	"vibecraft.sh/helm/shared"
)

// Source is live.Source (restated: see ager).
type Source interface {
	Kind() shared.Source
	Scan(ctx context.Context) ([]shared.Session, error)
	Update(ctx context.Context, paths []string) (changed []shared.Session, removed []string, err error)
	Sessions() []shared.Session
}

// Spender is a source that can say what one of its sessions spent over
// time, by the rules of the session's own cost.
type Spender interface {
	Usage(id string) []Cell
}

// Track returns src with every session it reports kept in st: each
// session whose cost or tokens moved has its cells set again (asked of
// spender, one session at a time: an append costs that session's cells,
// never a pass over every session), and sessions that are gone leave.
// With spender nil, a session's whole spend is one cell at its last
// update, on its last model: right in sum, coarse in time.
//
// A src that knows when its sessions age (live.Ager) stays one: hiding
// that would make live recompute every session on a tick.
func Track(src Source, spender Spender, st *Store) Source {
	t := &tracked{Source: src, spender: spender, st: st}
	if a, ok := src.(ager); ok {
		return &trackedAger{tracked: t, ager: a}
	}
	return t
}

// ager is live.Ager: live's own tests reach this package (through
// api and claude), so it cannot import live.
type ager interface {
	NextChange() time.Time
	Aged() (changed []shared.Session, removed []string)
}

type trackedAger struct {
	*tracked
	ager ager
}

func (t *trackedAger) NextChange() time.Time { return t.ager.NextChange() }

func (t *trackedAger) Aged() ([]shared.Session, []string) {
	changed, removed := t.ager.Aged()
	t.take(changed, removed)
	return changed, removed
}

type tracked struct {
	Source
	spender Spender
	st      *Store
}

func (t *tracked) Scan(ctx context.Context) ([]shared.Session, error) {
	list, err := t.Source.Scan(ctx)
	if err != nil && ctx.Err() != nil {
		t.take(list, nil) // a partial scan must not delete what it did not reach
		return list, err
	}
	t.takeAll(list)
	return list, err
}

func (t *tracked) Update(ctx context.Context, paths []string) ([]shared.Session, []string, error) {
	changed, removed, err := t.Source.Update(ctx, paths)
	t.take(changed, removed)
	return changed, removed, err
}

func (t *tracked) Sessions() []shared.Session {
	list := t.Source.Sessions()
	t.takeAll(list)
	return list
}

// takeAll takes list as every session of the source.
func (t *tracked) takeAll(list []shared.Session) {
	t.st.Keep(t.Kind(), list) // by ID: a source's sessions are its own
	t.take(list, nil)
}

func (t *tracked) take(changed []shared.Session, removed []string) {
	for _, id := range removed {
		t.st.Delete(t.Kind(), id)
	}
	for i := range changed {
		s := &changed[i]
		if !t.st.Stale(s) {
			continue
		}
		t.st.Set(s, t.cells(s))
	}
}

func (t *tracked) cells(s *shared.Session) []Cell {
	if t.spender != nil {
		return t.spender.Usage(s.ID)
	}
	if s.CostUSD == 0 && s.Tokens == (shared.Tokens{}) {
		return nil
	}
	return []Cell{{At: SlotOf(s.UpdatedAt), Model: s.Model, Tokens: s.Tokens, Nano: int64(s.CostUSD*1e9 + 0.5)}}
}
