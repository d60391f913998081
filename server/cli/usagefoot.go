package cli

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"vibecraft.sh/helm/shared"
)

// footCents turns the rows' costs and their total (dollars, as helmd
// sends them: sums of whole nano-dollars) into whole cents that add up
// to the total's: the total is rounded to the cent, each row is rounded
// down, and the cents still missing go to the rows that lost most in
// that rounding (largest remainder). So each row is within a cent of
// what it cost and the column adds up, as a reader checking the table
// by hand expects. A total of less than a cent is 0 cents (it reads
// "<$0.01", as every Helm surface writes it, never a cent not spent).
// ok is false when helmd's rows do not sum to its total (no helmd sends
// that): the rows are then each rounded on their own.
func footCents(rows []float64, total float64) (cents []int64, totalCents int64, ok bool) {
	nanos := make([]int64, len(rows))
	var sum int64
	for i, usd := range rows {
		nanos[i] = toNano(usd)
		sum += nanos[i]
	}
	totalCents = roundCents(toNano(total))
	if toNano(total) < 1e7 {
		totalCents = 0
	}
	cents = make([]int64, len(rows))
	var floor int64
	for i, n := range nanos {
		cents[i] = n / 1e7
		floor += cents[i]
	}
	missing := totalCents - floor
	if sum != toNano(total) || missing < 0 || missing > int64(len(rows)) {
		for i, n := range nanos {
			cents[i] = roundCents(n)
		}
		return cents, totalCents, false
	}
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	// Largest remainder first; between equals, the row above (the
	// costlier, as helmd orders them) gets the cent.
	slices.SortStableFunc(order, func(a, b int) int {
		ra, rb := nanos[a]%1e7, nanos[b]%1e7
		switch {
		case ra > rb:
			return -1
		case ra < rb:
			return 1
		}
		return 0
	})
	for _, i := range order[:missing] {
		cents[i]++
	}
	return cents, totalCents, true
}

// toNano is a dollar figure of helmd's back in the nano-dollars it was
// summed in: exact for any sum below $9M.
func toNano(usd float64) int64 {
	if !(usd > 0) || usd > 1e9 { // also NaN: no cost, or a figure no helmd sends
		return 0
	}
	return int64(math.Round(usd * 1e9))
}

// roundCents rounds nano-dollars to the nearest cent, half up.
func roundCents(nano int64) int64 { return (nano + 5e6) / 1e7 }

// centsText writes a cost to the cent, "$0.00", "$12.50", "$1,234.56":
// the table's figures add up only if none is rounded to the dollar.
// A cost that rounds to no cent though something was spent reads as the
// page writes it, "<$0.01" (counted as $0.00 in the sum).
func centsText(c int64, spent bool) string {
	if c == 0 && spent {
		return "<$0.01"
	}
	return fmt.Sprintf("$%s.%02d", shared.Grouped(int(c/100)), c%100)
}

// usageCost is a row's COST: its cents, and what its unpriced tokens
// leave out (shared.UsageCostText's words).
func usageCost(c int64, usd float64, unpricedTokens int) string {
	switch {
	case unpricedTokens <= 0:
		return centsText(c, usd > 0)
	case usd <= 0:
		return "unpriced"
	}
	return centsText(c, true) + " + unpriced"
}

// unpricedNote is the footnote under a table that has unpriced rows:
// which models, and that their cost is not in the figures (rather than
// $0), wrapped to width (0: no limit) at spaces, as no line of the table
// wraps.
func unpricedNote(rep usageReport, width int) string {
	if rep.Total.UnpricedTokens <= 0 {
		return ""
	}
	models := make([]string, 0, len(rep.Unpriced))
	for _, m := range rep.Unpriced {
		models = append(models, clean(m))
	}
	named := ""
	if len(models) > 0 {
		named = " (" + strings.Join(models, ", ") + ")"
	}
	note := fmt.Sprintf("unpriced: %s tokens of models helmd has no price for%s; their cost is not in COST, which is not $0.",
		shared.CountText(rep.Total.UnpricedTokens), named)
	return wrapWords(note, width)
}

// wrapWords breaks s at spaces into lines of at most width columns (a
// word wider than that has a line of its own, cut).
func wrapWords(s string, w int) string {
	if w <= 0 {
		return s
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case width(line)+1+width(word) <= w:
			line += " " + word
		default:
			lines = append(lines, cut(line, w))
			line = word
		}
	}
	return strings.Join(append(lines, cut(line, w)), "\n")
}
