package clip

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFirstLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"blank lines skipped, line trimmed", "\n \t\n  May I run the tests?  \nThen deploy.", "May I run the tests?"},
		{"nothing but blanks", " \n\r\n\t", ""},
		{"crlf", "a\r\nb", "a"},
		{"exactly the limit", strings.Repeat("é", MaxLine), strings.Repeat("é", MaxLine)},
		{"over the limit is cut at a character", strings.Repeat("é", MaxLine+1), strings.Repeat("é", MaxLine) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FirstLine(tt.in); got != tt.want {
				t.Errorf("FirstLine(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzFirstLine: whatever a transcript says, the line shown is one line
// of valid text no longer than MaxLine runes and the ellipsis.
func FuzzFirstLine(f *testing.F) {
	for _, s := range []string{"", "\n\n  x  \ny", strings.Repeat("é", 500), "a\r\nb", "\xff\xfe\n", "<b>\tq</b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := FirstLine(s)
		if strings.ContainsAny(got, "\n") {
			t.Fatalf("FirstLine(%q) = %q: more than one line", s, got)
		}
		if n := utf8.RuneCountInString(got); n > MaxLine+1 {
			t.Fatalf("FirstLine(%q) has %d runes", s, n)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("FirstLine(%q) = %q: cut inside a character", s, got)
		}
	})
}
