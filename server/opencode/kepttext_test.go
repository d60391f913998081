package opencode

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzKeptText: a part's text as kept is the start of the text itself,
// after its leading white space: at most keptChars characters, and all
// of them when the text is shorter.
func FuzzKeptText(f *testing.F) {
	for _, s := range []string{"", "  \n\tHi", "é\u2028<&>\x00", strings.Repeat("ab\n", keptChars), "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lit, _ := json.Marshal(s)
		var k keptText
		if err := json.Unmarshal(lit, &k); err != nil {
			t.Fatal(err)
		}
		var whole string
		json.Unmarshal(lit, &whole) // s with invalid UTF-8 replaced
		whole = strings.TrimLeft(whole, " \n\t\r")
		got := string(k)
		if !strings.HasPrefix(whole, got) {
			t.Fatalf("kept %q is not the start of %q", got, whole)
		}
		if n, all := utf8.RuneCountInString(got), utf8.RuneCountInString(whole); n != min(all, keptChars) {
			t.Fatalf("kept %d characters of %d, want %d", n, all, min(all, keptChars))
		}
	})
}
