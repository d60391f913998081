package shared

import "testing"

func TestBlank(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"", true},
		{" \t\n", true},
		{"\u200b\u200d\ufeff", true},        // zero-width space, joiner, byte order mark
		{"\u202e\u2066\u200f", true},        // bidi override, isolate, mark
		{"\u3000\u00a0\u2028", true},        // ideographic and no-break spaces, line separator
		{"\x00\x1b", true},                  // control characters
		{"\u200bx", false},                  // a letter shows
		{"e\u0301", false},                  // so does a letter with its accent
		{"👨\u200d👩", false},                 // and an emoji sequence
		{"\u0301", false},                   // a lone combining mark shows (on a dotted circle)
		{"[U+202E]", false},                 // a bidi control made visible
		{"   Fix the login test   ", false}, // spaces around words
		{"\u200b\u200bdeploy\u200b", false}, // zero-width around a word
	} {
		if got := Blank(tc.s); got != tc.want {
			t.Errorf("Blank(%+q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
