package shared

import (
	"fmt"
	"strconv"
)

// CountText writes a count (of tokens, mostly) the way every Helm surface
// writes it, the page and the CLI alike: 3 significant figures at most,
// 950, 5.44k, 12.3k, 338k, 4.5M, 2B.
func CountText(n int) string {
	f := float64(n)
	switch {
	case n < 0:
		return "-" + CountText(-n)
	case n < 1000:
		return strconv.Itoa(n)
	case n < 10_000:
		return trimZeros(fmt.Sprintf("%.2f", f/1e3)) + "k"
	case n < 100_000:
		return trimZeros(fmt.Sprintf("%.1f", f/1e3)) + "k"
	case n < 999_500:
		return fmt.Sprintf("%.0fk", f/1e3)
	case n < 10_000_000:
		return trimZeros(fmt.Sprintf("%.2f", f/1e6)) + "M"
	case n < 100_000_000:
		return trimZeros(fmt.Sprintf("%.1f", f/1e6)) + "M"
	case n < 999_500_000:
		return fmt.Sprintf("%.0fM", f/1e6)
	}
	return trimZeros(fmt.Sprintf("%.2f", f/1e9)) + "B"
}

// trimZeros drops trailing zeros of a decimal: "1.50" → "1.5", "2.00" → "2".
func trimZeros(s string) string {
	for len(s) > 1 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
