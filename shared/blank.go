package shared

import "unicode"

// Blank reports whether s shows nothing: it holds only white space,
// format characters (a zero-width space or joiner, a bidi mark, a byte
// order mark) and control characters. A title made of them passed for
// one, and its row's title was empty, a blank line to click.
func Blank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.IsControl(r) && !unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
