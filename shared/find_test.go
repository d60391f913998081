package shared

import "testing"

// FuzzHolds: Holds says what MatchRanges finds, for any text and term.
func FuzzHolds(f *testing.F) {
	for _, c := range [][2]string{
		{"Fix the LOGIN test", "login"}, {"KELVIN \u212a", "k"}, {"ſtraße", "S"}, {"İstanbul", "i"},
		{"a\xffb", "\xff"}, {"a\ufffdb", "\xfe"}, {"aaaaaaaaab", "aab"}, {"ΣΑΣ", "σας"}, {"", "x"}, {"x", ""},
		{"zero\u200bwidth", "ZEROWIDTH"}, {"a\u200d", "\u200d"}, {"\u00adco-op", "co\u00ad-op"},
		{"cafe\u0301", "CAFÉ"}, {"\u0301\u0301e", "\u0301"}, {"Tiếng Việt", "viê\u0323t"},
		{"straße", "SE"}, {"ßß", "sss"}, {"ﬃx", "fix"}, {"ſtrasse", "ß"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, text, term string) {
		want := text != "" && len(MatchRanges(text, term)) > 0
		if got := Holds(text, term); got != want {
			t.Fatalf("Holds(%q, %q) = %v, MatchRanges finds %v", text, term, got, want)
		}
	})
}

// FuzzHoldsWriter: a text written in pieces, cut anywhere (inside a
// rune too), holds a term as Holds says of it whole.
func FuzzHoldsWriter(f *testing.F) {
	f.Add("Fix the LOGIN test", "login", uint8(3))
	f.Add("ﬃx café\xe2\x82", "FIX CAFE", uint8(1))
	f.Add("a\xe2\x82b", "\xe2", uint8(2))
	f.Fuzz(func(t *testing.T, text, term string, step uint8) {
		n := int(step%16) + 1
		h := holdsWriter{needle: []byte(fold(term))}
		for i := 0; i < len(text) && !h.found; i += n {
			h.Write([]byte(text[i:min(len(text), i+n)]))
		}
		h.close()
		if want := Holds(text, term); h.found != want {
			t.Fatalf("%q in pieces of %d holds %q: %v, Holds says %v", text, n, term, h.found, want)
		}
	})
}
