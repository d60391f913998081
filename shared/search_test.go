package shared

import (
	"fmt"
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
