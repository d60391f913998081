package shared

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCutRunes(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"", 5, ""},
		{"short", 5, "short"},        // exactly n: whole, no ellipsis
		{"longer", 5, "long…"},       // n-1 runes and the ellipsis
		{"ab cdef", 4, "ab…"},        // no space left before the ellipsis
		{"héllo wörld", 7, "héllo…"}, // runes, not bytes
		{"日本語のタイトル", 4, "日本語…"},      // a wide rune counts as one
		{"a\xffbcdef", 4, "a\xffb…"}, // invalid bytes count as a rune each
		{strings.Repeat("x", 301), 300, strings.Repeat("x", 299) + "…"},
	}
	for _, tc := range tests {
		got := CutRunes(tc.s, tc.n)
		if got != tc.want {
			t.Errorf("CutRunes(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
		if n := utf8.RuneCountInString(got); n > tc.n {
			t.Errorf("CutRunes(%q, %d) has %d runes", tc.s, tc.n, n)
		}
	}
}
