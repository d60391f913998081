package shared

import (
	"strings"
	"unicode"
)

// CutRunes keeps at most n runes of s. A longer s keeps its first n-1 runes,
// white space trimmed from their end, and "…" in place of the rest, so a
// text cut short says so (a title of exactly n runes and one of a
// thousand would read alike otherwise).
func CutRunes(s string, n int) string {
	kept, runes := 0, 0 // kept: where rune n-1 starts, the ellipsis's place
	for i := range s {
		if runes == n-1 {
			kept = i
		}
		if runes == n {
			return strings.TrimRightFunc(s[:kept], unicode.IsSpace) + "…"
		}
		runes++
	}
	return s
}
