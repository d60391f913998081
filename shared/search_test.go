package shared

import (
	"fmt"
	"strings"
	"testing"
)

func TestWordRanges(t *testing.T) {
	tests := []struct {
		text, search string
		want         [][2]int
	}{
		{"Fix the login flake", "flake login", [][2]int{{8, 13}, {14, 19}}},
		{"Fix the login flake", "", nil},
		{"Fix the login flake", "nope login", [][2]int{{8, 13}}},
		{"loginlogin", "log login", [][2]int{{0, 10}}}, // overlapping matches merge
		{"abc", "ab bc", [][2]int{{0, 3}}},
	}
	for _, tc := range tests {
		if got := WordRanges(tc.text, tc.search); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("WordRanges(%q, %q) = %v, want %v", tc.text, tc.search, got, tc.want)
		}
	}
}

func TestNarrows(t *testing.T) {
	tests := []struct {
		prev, next string
		want       bool
	}{
		{"lo", "login", true},
		{"login", "login flake", true},
		{"login flake", "flake login", true},
		{"fl login", "login flake", true},
		{"login", "lo", false},
		{"login flake", "login", false},
		{"a\x00", "a\x00b", false},
	}
	for _, tc := range tests {
		if got := Narrows(tc.prev, tc.next); got != tc.want {
			t.Errorf("Narrows(%q, %q) = %v, want %v", tc.prev, tc.next, got, tc.want)
		}
	}
}

// FuzzSearchAgrees: the client's folded search (Matcher) and the server's
// (Match) keep the same sessions, whatever is typed.
func FuzzSearchAgrees(f *testing.F) {
	for _, s := range []string{"login", "flake login", "  x  ", "ẞ", "a\x00b", "\xff"} {
		f.Add(s, "Fix the login flake", "main")
	}
	f.Fuzz(func(t *testing.T, search, title, branch string) {
		s := Session{Title: title, GitBranch: branch, Model: "claude-opus"}
		q := Query{Search: search}
		if a, b := q.Match(&s), q.Matcher()(&s, SearchText(&s)); a != b {
			t.Errorf("search %q on %q/%q: Match %v, Matcher %v", search, title, branch, a, b)
		}
	})
}

// FuzzSearchFolds: a search over many sessions (MatchFunc) keeps the
// sessions Match keeps, which folds every field (fold) and looks for each
// word in it, as every search did before: whatever the search and the
// fields, accents composed or not, letters that fold to two ("ß") or to
// ASCII ("İ", the Kelvin sign), format characters, bad UTF-8.
func FuzzSearchFolds(f *testing.F) {
	seeds := [][3]string{
		{"login", "Fix the Login flake", "main"},
		{"STRASSE ss", "Straße", "ß"},
		{"sa", "ßa", ""},
		{"istanbul", "İstanbul", "I\u0307"},
		{"i̇stanbul", "ISTANBUL", "ı"},
		{"σοφος ς", "ΣΟΦΟΣ", "σοφός"},
		{"cafe café", "Cafe\u0301 menu", "café"},
		{"e日", "e日本", "\u00e9日"},
		{"kelvin k", "\u212a", "\u212b"},
		{"ffi file", "o\ufb03ce \ufb01le", "ﬀ"},
		{"zerowidth", "zero\u200bwidth", "\u00ad"},
		{"sonnet 4.5", "x", "claude-sonnet-4-5-20250929"},
		{"\xff", "a\xffb", "\ufffd"},
		{"a\x00b", "a\x00b", ""},
		{"  ", "", ""},
		{"code claude", "", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, search, title, other string) {
		sessions := []Session{
			{Title: title, FirstPrompt: other, Model: "claude-opus-4-5"},
			{Title: other, ProjectPath: title, GitBranch: other + title, Model: other, Source: Source(title)},
		}
		q := Query{Search: search}
		match := MatchFunc(q)
		for i := range sessions {
			s := &sessions[i]
			if got, want := match(s), q.Match(s); got != want {
				t.Errorf("search %q in %+v: MatchFunc %v, Match (folding each field) %v", search, *s, got, want)
			}
		}
	})
}

// A long word of one letter over a field of it: each byte a candidate,
// each candidate compared far. The answer is still Match's, and past a
// budget the field is searched in linear time, as before: 100,000 such
// sessions took 13 s without it, and take the old search's 1 s.
func TestSearchOfOneLetterOverOneLetter(t *testing.T) {
	a := strings.Repeat("a", 300)
	sessions := []Session{
		{Title: a, FirstPrompt: a[:150] + "é" + a[:150]},
		{Title: "x", FirstPrompt: a[:150] + "\u200b" + a[:150], GitBranch: a + "ß"},
	}
	for _, search := range []string{a[:200] + "b", strings.ToUpper(a), a[:100] + "é", a[:298] + "ss", a[:151] + " " + a} {
		q := Query{Search: search}
		match := MatchFunc(q)
		for i := range sessions {
			if got, want := match(&sessions[i]), q.Match(&sessions[i]); got != want {
				t.Errorf("search %.20q… in session %d: MatchFunc %v, Match %v", search, i, got, want)
			}
		}
	}
}

// A search over many sessions allocates per search, not per session: it
// lower-cased every field of every session, 3 to 5 allocations each, and
// 400 ms of helmd's CPU per request at 100,000 sessions.
func TestSearchAllocatesPerSearch(t *testing.T) {
	all := searchCorpus(1000)
	for _, search := range []string{"zzz", "Login MAIN", "sonnet 4.5", "straße"} {
		q := Query{Search: search}
		// The result's slices grow by doubling: a dozen allocations.
		if n := testing.AllocsPerRun(3, func() { q.Apply(all) }); n > 50 {
			t.Errorf("searching %q over %d sessions: %.0f allocations", search, len(all), n)
		}
	}
}
