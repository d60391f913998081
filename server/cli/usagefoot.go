package cli

import (
	"fmt"
	"strings"

	"vibecraft.sh/helm/shared"
)

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
