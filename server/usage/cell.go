// Package usage sums what sessions spent over time: cost and tokens per
// day, project, model or source, and the current 5-hour usage block.
//
// Sources hand it, per session, what each model spent in each 15-minute
// slot (a Cell), computed by the same rules as the session's own cost, so
// that the sums over any range equal the sum of the sessions' costs. The
// Store keeps running totals per slot, and replacing one session's cells
// moves only the slots that changed: an appended response is a few map
// updates, never a pass over every session.
package usage

import (
	"time"

	"vibecraft.sh/helm/shared"
)

// Slot is the store's time grain. Every time zone in use is offset from
// UTC by a multiple of 15 minutes, so days cut in any zone fall on slot
// boundaries; a finer grain would only cost memory.
const Slot = 15 * time.Minute

// SlotOf is the start of the slot holding ms (epoch milliseconds).
func SlotOf(ms int64) int64 {
	s := Slot.Milliseconds()
	if ms < 0 {
		return -((-ms + s - 1) / s) * s
	}
	return ms / s * s
}

// Cell is what one model spent in one slot of one session: Nano is the
// cost in nano-dollars (exact sums, see server/pricing).
type Cell struct {
	At     int64 // slot start, epoch ms (SlotOf)
	Model  string
	Tokens shared.Tokens
	Nano   int64
	// Unpriced says the price table does not know Model: Nano is 0
	// because the cost is unknown, not because nothing was billed, and
	// the report says so rather than show the tokens as free.
	Unpriced bool
}

// spend is a running total.
type spend struct {
	tokens shared.Tokens
	nano   int64
}

func (s *spend) add(t shared.Tokens, nano int64, sign int) {
	s.tokens.Input += sign * t.Input
	s.tokens.Output += sign * t.Output
	s.tokens.CacheRead += sign * t.CacheRead
	s.tokens.CacheWrite += sign * t.CacheWrite
	s.tokens.CacheWrite1h += sign * t.CacheWrite1h
	s.nano += int64(sign) * nano
}

func (s spend) zero() bool { return s == spend{} }
