package usage

import (
	"time"

	"vibecraft.sh/helm/server/pricing"
	"vibecraft.sh/helm/shared"
)

// BlockLength is a usage block: Claude's usage limits reset in 5-hour
// windows, which ccusage's "blocks" report counts as a block starting at
// the first message after a gap of 5 hours or more (or after the last
// block ended), floored to the hour.
const BlockLength = 5 * time.Hour

// blockLookback is how far back the blocks are walked: a gap of 5 hours
// or more in it starts the walk; without one (use around the clock), the
// walk starts at its edge and block edges may differ from ccusage's.
const blockLookback = 48 * time.Hour

// RateSpan is how far apart the block's first and last activity must be
// for a burn rate and a projection: a rate from one response, or a few
// within minutes, stretched over the hours left, says nothing (one
// $22.50 response was "$90 per hour, $401 at its end"). Activity is
// known by the slot, so slot starts 30 minutes apart are more than 15
// minutes of real use.
const RateSpan = 2 * Slot

// Block is the current usage block (shared.UsageBlock).
type Block = shared.UsageBlock

// Block returns the block now falls in, or, when none runs, the last
// one that ended (Last), so that the page can say what it cost rather
// than that nothing was spent. Slot starts stand for message times, so
// gaps are measured to within a slot (15 minutes). A block that used a
// model without a price says how many tokens its cost leaves out
// (UnpricedTokens): its cost, rate and projection are of the priced
// ones only, and would otherwise read as the whole.
func (st *Store) Block(now time.Time) Block {
	nowMS := now.UnixMilli()
	from := nowMS - blockLookback.Milliseconds()
	st.mu.RLock()
	defer st.mu.RUnlock()
	lo, hi := st.between(from, nowMS+1)
	times := st.order[lo:hi]
	out := Block{Now: nowMS}
	if len(times) == 0 {
		return out
	}
	length, hour := BlockLength.Milliseconds(), time.Hour.Milliseconds()
	start, first, last := times[0]/hour*hour, times[0], times[0]
	for _, t := range times[1:] {
		if t-start >= length || t-last >= length {
			start, first = t/hour*hour, t
		}
		last = t
	}
	var total spend
	unpriced := 0 // as the report's: the tokens whose cost total leaves out
	for j, t := range times {
		if t >= first {
			for _, c := range st.sums[lo+j] {
				total.add(c.tokens, c.nano, 1)
				if st.dims[c.dim].unpriced {
					unpriced += c.tokens.Total()
				}
			}
		}
	}
	spent := Totals{CostUSD: pricing.Dollars(total.nano), Tokens: total.tokens, UnpricedTokens: unpriced}
	// The last activity is in the block, so 5 hours quiet is past its end.
	if nowMS >= start+length {
		out.Last = &shared.UsageSpan{Start: start, End: start + length, UsageTotals: spent}
		return out
	}
	out.Active, out.Start, out.End = true, start, start+length
	out.UsageTotals = spent
	out.ProjectedUSD = spent.CostUSD // what an old client shows without a rate: the spend so far
	if last-first < RateSpan.Milliseconds() {
		return out
	}
	// now ≥ last, so elapsed is RateSpan at least.
	elapsed := nowMS - first
	burn := float64(total.nano) / float64(elapsed) * float64(hour) // nano-dollars per hour
	out.HasRate = true
	out.BurnUSDPerHour = pricing.Dollars(int64(burn))
	out.ProjectedUSD = pricing.Dollars(total.nano + int64(burn*float64(start+length-nowMS)/float64(hour)))
	return out
}
