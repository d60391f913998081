package shared

import (
	"fmt"
	"math"
)

// FootCents turns a table's costs and their total (dollars, as helmd
// sends them: sums of whole nano-dollars) into whole cents that add up
// to the total's: the total is rounded to the cent, each row is rounded
// down, and the cents still missing go to the rows that lost most in
// that rounding (largest remainder). So each row is within a cent of
// what it cost and the column adds up, as a reader checking the table
// by hand expects: rounded each on its own ($0.125 twice read $0.13
// twice under $0.25), or to the dollar, they did not. A total of less
// than a cent is 0 cents (it reads "<$0.01", as every Helm surface
// writes it, never a cent not spent). ok is false when the rows do not
// sum to the total (no helmd sends that): the rows are then each
// rounded on their own. `helmd usage` and the usage page both foot
// their tables with it, so that the two agree to the cent.
func FootCents(rows []float64, total float64) (cents []int64, totalCents int64, ok bool) {
	totalCents = USDCents(total)
	var sum int64
	for _, usd := range rows {
		sum += USDNano(usd)
	}
	if sum != USDNano(total) {
		return roundEach(rows), totalCents, false
	}
	cents, ok = SplitCents(rows, totalCents)
	return cents, totalCents, ok
}

// SplitCents shares whole cents out over rows (dollars) as FootCents
// does: a figure already shown to the cent (a day of a footed table)
// split into its parts (the day's models) that add up to it. ok is false
// when the cents are not within a cent of each row's rounding, which
// rows that sum to them always are: the rows are then each rounded on
// their own.
func SplitCents(rows []float64, cents int64) (parts []int64, ok bool) {
	nanos := make([]int64, len(rows))
	for i, usd := range rows {
		nanos[i] = USDNano(usd)
	}
	if parts, ok = apportion(nanos, cents); !ok {
		return roundEach(rows), false
	}
	return parts, true
}

// roundEach rounds each of rows (dollars) to the cent on its own.
func roundEach(rows []float64) []int64 {
	cents := make([]int64, len(rows))
	for i, usd := range rows {
		cents[i] = roundCents(USDNano(usd))
	}
	return cents
}

// apportion rounds each of nanos down to the cent and gives the cents
// still missing to total one each, largest remainder first: each part
// is then within a cent of its figure. ok is false when that cannot add
// up to total (more missing than rows, or fewer than none).
func apportion(nanos []int64, total int64) (cents []int64, ok bool) {
	cents = make([]int64, len(nanos))
	var floor int64
	for i, n := range nanos {
		cents[i] = n / 1e7
		floor += cents[i]
	}
	missing := total - floor
	if missing < 0 || missing > int64(len(nanos)) {
		return cents, false
	}
	// The cents go to the largest remainders; between equals, to the row
	// above (the costlier, as helmd orders them). One pick per missing
	// cent rather than a sort: missing is at most the rows, which are
	// few, and a sort instantiated for this would add kilobytes to the
	// client (app.wasm is held to 1.8 MB).
	given := make([]bool, len(nanos))
	for range missing {
		best := -1
		for i, n := range nanos {
			if !given[i] && (best < 0 || n%1e7 > nanos[best]%1e7) {
				best = i
			}
		}
		given[best] = true
		cents[best]++
	}
	return cents, true
}

// USDNano is a dollar figure of helmd's back in the nano-dollars it was
// summed in: exact for any sum below $9M. No cost, or a figure no helmd
// sends (negative, NaN, above $1B), is 0.
func USDNano(usd float64) int64 {
	if !(usd > 0) || usd > 1e9 {
		return 0
	}
	return int64(math.Round(usd * 1e9))
}

// USDCents is a total as FootCents rounds it: to the nearest cent, half
// up, and less than a cent 0 (it reads "<$0.01", never a cent not
// spent).
func USDCents(usd float64) int64 {
	n := USDNano(usd)
	if n < 1e7 {
		return 0
	}
	return roundCents(n)
}

// NanoUSD is nano-dollars as the dollars helmd sends: a sum of figures
// kept in nano-dollars, so that FootCents finds it whole again.
func NanoUSD(nano int64) float64 { return float64(nano) / 1e9 }

// roundCents rounds nano-dollars to the nearest cent, half up.
func roundCents(nano int64) int64 { return (nano + 5e6) / 1e7 }

// CentsText writes a cost to the cent, "$0.00", "$12.50", "$1,234.56":
// a table's figures add up only if none is rounded to the dollar, as
// CostText does from $100. A cost that rounds to no cent though
// something was spent reads as CostText writes it, "<$0.01" (counted as
// $0.00 in the sum).
func CentsText(c int64, spent bool) string {
	if c == 0 && spent {
		return "<$0.01"
	}
	return fmt.Sprintf("$%s.%02d", Grouped(int(c/100)), c%100)
}

// UsageCentsText is CentsText for a figure of the usage report, saying
// what its unpriced tokens leave out in UsageCostText's words:
// "unpriced" when none of its tokens had a price, "$1.20 + unpriced"
// when some did not.
func UsageCentsText(c int64, usd float64, unpricedTokens int) string {
	return withUnpriced(CentsText(c, usd > 0), usd, unpricedTokens)
}
