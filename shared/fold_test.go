package shared

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// refFold is fold as it was before its runs of ASCII were copied whole:
// every rune of a field that is not all ASCII decoded, folded and
// written. It is the reference the fast fold must agree with, byte for
// byte.
func refFold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			var b strings.Builder
			for _, r := range s {
				if r >= utf8.RuneSelf {
					if e, ok := expansion(unicode.ToLower(r)); ok {
						for _, f := range e {
							b.WriteRune(f)
						}
						continue
					}
				}
				l := unicode.ToLower(r)
				switch base, ok := accented[l]; {
				case l < utf8.RuneSelf:
					b.WriteRune(l)
				case ok:
					b.WriteRune(base)
				case invisible(l) || unicode.Is(unicode.Mn, l):
				default:
					b.WriteRune(l)
				}
			}
			return b.String()
		}
	}
	return strings.ToLower(s)
}

// refModelWords is ModelWords as it was, changing its bytes in place.
func refModelWords(m string) string {
	m = trimDate(strings.TrimPrefix(m, "claude-"))
	b := []byte(m)
	for i, c := range b {
		if c != '-' {
			continue
		}
		if i > 0 && i+1 < len(b) && isDigit(b[i-1]) && isDigit(b[i+1]) {
			b[i] = '.'
		} else {
			b[i] = ' '
		}
	}
	return string(b)
}

// refSearchText is SearchText as it was: each field made, then folded.
func refSearchText(s *Session) string {
	f := [...]string{s.Title, s.FirstPrompt, s.ProjectPath, s.GitBranch, s.Model, refModelWords(s.Model), s.Source.Label()}
	folded := make([]string, len(f))
	for i, hay := range f {
		folded[i] = refFold(hay)
	}
	return strings.Join(folded, "\x00")
}

// foldSeeds hold what fold treats apart from lower-case ASCII: capitals,
// bad UTF-8 (a lone continuation byte, a cut sequence, an encoded
// surrogate, U+FFFD itself), accents composed and decomposed, Turkish
// İ and ı, ß and ẞ, Greek with its final sigma, ligatures, full-width
// forms, the Kelvin sign, a capital whose small letter is longer (Ⱥ),
// format characters, and a model's dashes next to all of them.
var foldSeeds = []string{
	"", "Fix the Login flake", "fix the login flake", "ABC XYZ @[`{",
	"\xff", "a\x80b", "\xe2\x80", "caf\xc3", "\xed\xa0\x80", "\ufffd", "\xe2-4-5",
	"café Cafe\u0301 CAFÉ naïve — résumé “quoted”",
	"İstanbul ISTANBUL ıi I\u0307", "Straße STRASSE ẞ", "ΣΟΦΟΣ σοφός ς",
	"o\ufb03ce \ufb01le \ufb00 \ufb02 \ufb04 \ufb05 \ufb06", "ＡＢＣ ａｂｃ １２３",
	"\u212a \u212b \u023a\u023e", "zero\u200bwidth\u00ad \u200e\u2066x\u2069 \ufeff",
	"日本語 ह\u093fन्दी \ufeff", "claude-sonnet-4-5-20250929", "gpt-5.1-codex", "4-Ⱥ-5", "-9-", "a\x00b",
}

// FuzzFoldSame: the fast fold, and the search text made with it, are
// byte for byte what the fold rune by rune made, whatever the text.
func FuzzFoldSame(f *testing.F) {
	for _, s := range foldSeeds {
		f.Add(s, "main")
	}
	f.Fuzz(func(t *testing.T, s, other string) {
		if got, want := fold(s), refFold(s); got != want {
			t.Fatalf("fold(%q) = %q, want %q", s, got, want)
		}
		for _, x := range []Session{
			{Title: s, FirstPrompt: other + s, ProjectPath: other, GitBranch: s, Model: s, Source: SourceOpenCode},
			{Title: other, Model: "claude-" + s + "-" + other, Source: Source(s)},
		} {
			if got, want := SearchText(&x), refSearchText(&x); got != want {
				t.Fatalf("SearchText(%+v) = %q, want %q", x, got, want)
			}
			if got, want := ModelWords(x.Model), refModelWords(x.Model); got != want {
				t.Fatalf("ModelWords(%q) = %q, want %q", x.Model, got, want)
			}
		}
	})
}

// TestFoldEveryRune: fold treats each rune on its own, so that agreeing
// on every rune, each between ASCII, is agreeing on every text made of
// them. Every invalid byte too. Every rune of planes 0, 1 and 14, where
// the letters with a case, the marks and the format characters are; of
// the others (ideographs, unassigned, private use), which fold keeps, one
// in 257. The runes are folded 20 KB of them to a text: one at a time,
// the whole took 5 s under the race detector.
func TestFoldEveryRune(t *testing.T) {
	var b []byte
	check := func() {
		if s := string(b); fold(s) != refFold(s) {
			for _, r := range s { // name the rune
				if x := "A" + string(r) + "b"; fold(x) != refFold(x) {
					t.Fatalf("fold(%q) = %q, want %q", x, fold(x), refFold(x))
				}
			}
			t.Fatalf("fold(%q) = %q, want %q", s, fold(s), refFold(s))
		}
		b = b[:0]
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if p := r >> 16; p != 0 && p != 1 && p != 14 && r%257 != 0 {
			continue
		}
		b = utf8.AppendRune(append(b, 'A'+byte(r%2)*('a'-'A')), r)
		if len(b) >= 4096*5 {
			check()
		}
	}
	for c := 0x80; c <= 0xff; c++ {
		b = append(b, 'A', byte(c), 'b', byte(c))
	}
	check()
	// Each byte eight times and more in a row, the way fold reads ASCII
	// (a word at a time), at each place in the word: '@' and '[' next to
	// the capitals, and a capital or a byte past ASCII alone among them.
	for c := range 0x100 {
		for _, at := range []int{0, 3, 7, 8} {
			x := []byte("abcdefghijklmnopq")
			x[at] = byte(c)
			b = append(append(b, bytes.Repeat([]byte{byte(c)}, 9+at)...), x...)
		}
		check()
	}
}

// A session's search text is one allocation, whatever its fields hold:
// at 100,000 sessions each one more is 100,000 more for the browser's
// collector, which stops the page.
func TestSearchTextAllocatesOnce(t *testing.T) {
	s := Session{
		Title: "Fix the Login flake — café", FirstPrompt: "Please fix “it” in Straße, ΣΟΦΟΣ",
		ProjectPath: "/home/dev/src/Helm", GitBranch: "feature/Login", Model: "claude-sonnet-4-5-20250929",
		Source: SourceClaude,
	}
	if got, want := SearchText(&s), refSearchText(&s); got != want {
		t.Fatalf("SearchText = %q, want %q", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { SearchText(&s) }); n != 1 {
		t.Errorf("SearchText made %v allocations, want 1", n)
	}
}
