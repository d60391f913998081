package opencode

import (
	"math"
	"slices"

	"vibecraft.sh/helm/server/pricing"
	spent "vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/shared"
)

// maxMessageCost bounds what one message may cost, in dollars: a larger
// figure in a message file is garbage (or hostile), counted as nothing
// (and as odd: messageInfo.odd) rather than allowed to make the sums
// absurd or overflow them. No request costs near it: a whole 1M-token
// context at the dearest rates in any table is under $100. At $1e6,
// 9,224 such messages wrapped a session's int64 nano-dollars negative;
// at $1,000 it takes 9.2 million.
const maxMessageCost = 1e3

// nanoOf is a message's cost in nano-dollars, the unit the session's
// cost and the usage buckets both sum, so that they agree exactly.
func nanoOf(usd float64) int64 {
	if !(usd > 0) || usd > maxMessageCost { // also NaN
		return 0
	}
	return int64(math.Round(usd * 1e9))
}

// spendLog is what a session spent by 15-minute slot and model: each
// message's cost and tokens placed at the message's own time (see
// Source.Usage). It hangs off facts by pointer, so facts stays
// comparable; same leaves it out, as it follows from the messages that
// the rest of facts already tells apart.
type spendLog struct {
	cells []spent.Cell // in order of first use; messages come in time order, so appends are at the end
}

// add places one message's spend at at (epoch ms).
func (l *spendLog) add(at int64, model string, t shared.Tokens, nano int64) {
	if nano == 0 && t == (shared.Tokens{}) {
		return
	}
	slot := spent.SlotOf(at)
	for i := len(l.cells) - 1; i >= 0; i-- {
		if c := &l.cells[i]; c.At == slot && c.Model == model {
			c.Tokens = c.Tokens.Add(t)
			c.Nano += nano
			return
		}
	}
	l.cells = append(l.cells, spent.Cell{At: slot, Model: model, Tokens: t, Nano: nano})
}

// same reports whether f and g show the same session; the spend log is
// left out (a fresh read makes a fresh log of the same messages), and so
// is the count of rows passed over, which the list does not show.
func (f facts) same(g facts) bool {
	f.spent, g.spent, f.models, g.models = nil, nil, nil, nil
	f.skipped, g.skipped, f.odd, g.odd = 0, 0, 0, 0
	return f == g
}

// Usage is what session id spent, by 15-minute slot and model: every
// assistant message's tokens and cost at the time OpenCode created it.
// The cells sum exactly to the session's tokens and cost, which are
// summed from the same messages in the same unit.
func (s *Source) Usage(id string) []spent.Cell {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.lookup(id)
	if f == nil || f.spent == nil {
		return nil
	}
	return slices.Clone(f.spent.cells)
}

// dollars is the session's cost as the list shows it.
func (f *facts) dollars() float64 { return pricing.Dollars(f.nano) }
