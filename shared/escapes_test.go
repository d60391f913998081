package shared

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestStripEscapesLeavesTheText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "ok  \tpkg 0.2s\n", "ok  \tpkg 0.2s\n"},
		{"colours", "\x1b[32mPASS\x1b[0m \x1b[1;31mFAIL\x1b[m", "PASS FAIL"},
		{"256 and true colour", "\x1b[38;5;208ma\x1b[48;2;10;20;30mb\x1b[39;49m", "ab"},
		{"cursor and erase", "50%\x1b[2K\x1b[1G100%\x1b[?25h", "50%100%"},
		{"a title and a link (OSC, BEL and ST)", "\x1b]0;build\x07\x1b]8;;https://x.test\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"charset and keypad", "\x1b(Bx\x1b=y\x1b>", "xy"},
		{"a lone ESC stays", "a\x1b é", "a\x1b é"},
		{"ESC and a letter is a sequence (ESC c resets a terminal)", "a\x1bcb", "ab"},
		{"a CSI cut short stays", "a\x1b[31", "a\x1b[31"},
		{"a CSI broken by a byte outside it stays", "a\x1b[3\x01m", "a\x1b[3\x01m"},
		{"an unended OSC stays, text and all", "\x1b]0;title never ended\nreal output\n", "\x1b]0;title never ended\nreal output\n"},
		{"an ESC at the end", "done\x1b", "done\x1b"},
		{"UTF-8 around and inside", "é\x1b[1mü\x1b]0;tìtle\x07ß", "éüß"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripEscapes(tt.in); got != tt.want {
				t.Errorf("StripEscapes(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// A megabyte of hostile output (sequences opened and never ended) strips
// in linear time: a result is stripped on every render of its message.
func TestStripEscapesIsLinear(t *testing.T) {
	const mb = 1 << 20
	for _, src := range []string{
		strings.Repeat("\x1b]", mb/2),
		strings.Repeat("\x1b[", mb/2),
		"\x1b[" + strings.Repeat("1;", mb/2),
		strings.Repeat("\x1b]0;x\x1b", mb/5),
		strings.Repeat("\x1bP\x1b[1m", mb/6),
		strings.Repeat("\x1b(", mb/2),
	} {
		finishes(t, 2*time.Second, "StripEscapes", src, func(s string) { StripEscapes(s) }) // linear: milliseconds; quadratic: minutes
	}
}

// finishes fails t unless f(src) returns within d: a guard against a
// walk quadratic in hostile input, which takes minutes on a megabyte.
func finishes(t *testing.T, d time.Duration, name, src string, f func(string)) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(src); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s of %d bytes (%.20q…) still runs after %v", name, len(src), src, d)
	}
}

func FuzzStripEscapes(f *testing.F) {
	for _, s := range []string{"\x1b[32mPASS\x1b[0m", "\x1b]8;;u\x1b\\l\x1b]8;;\x07", "\x1b\x1b[31m[31m", "\x1bP\x1b]x", "é\x1b(B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := StripEscapes(s)
		if len(out) > len(s) {
			t.Fatalf("grew: %q → %q", s, out)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("broke UTF-8: %q → %q", s, out)
		}
		// Only sequences go: the bytes kept are the input's, in order.
		j := 0
		for i := 0; i < len(out); i++ {
			for j < len(s) && s[j] != out[i] {
				j++
			}
			if j == len(s) {
				t.Fatalf("%q is not a subsequence of %q", out, s)
			}
			j++
		}
		// Every byte but ESC and a sequence's own is kept: printable
		// text outside any ESC's reach survives.
		if !strings.ContainsRune(s, 0x1b) && out != s {
			t.Fatalf("changed text without ESC: %q → %q", s, out)
		}
	})
}
