package shared

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestStyledRuns: a command's output in the runs a terminal colours it
// in: the six colours (bright ones as the plain), bold, resets; black,
// white, 256 and true colours and backgrounds as the text's own; every
// other sequence gone as StripEscapes drops it.
func TestStyledRuns(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []Run
	}{
		{"no escape", "ok\n", nil},
		{"go test", "\x1b[32mPASS\x1b[0m ok\n\x1b[31mFAIL\x1b[0m x", []Run{{"PASS", StyleGreen}, {" ok\n", 0}, {"FAIL", StyleRed}, {" x", 0}}},
		{"ls --color", "\x1b[0m\x1b[01;34mcmd\x1b[0m\n\x1b[01;32mrun.sh\x1b[0m\ngo.mod", []Run{{"cmd", StyleBlue | StyleBold}, {"\n", 0}, {"run.sh", StyleGreen | StyleBold}, {"\ngo.mod", 0}}},
		{"bright as plain, a bare reset", "\x1b[93mwarn\x1b[m.", []Run{{"warn", StyleYellow}, {".", 0}}},
		{"bold off keeps the colour", "\x1b[1;36ma\x1b[22mb\x1b[39mc", []Run{{"a", StyleCyan | StyleBold}, {"b", StyleCyan}, {"c", 0}}},
		{"black, white and extended colours are the text's own", "\x1b[35ma\x1b[37mb\x1b[35mc\x1b[38;5;196md\x1b[35me\x1b[38;2;255;0;0mf\x1b[35mg\x1b[38:2::1:2:3mh",
			[]Run{{"a", StyleMagenta}, {"b", 0}, {"c", StyleMagenta}, {"d", 0}, {"e", StyleMagenta}, {"f", 0}, {"g", StyleMagenta}, {"h", 0}}},
		{"a background's arguments are no colours", "\x1b[48;5;31mx\x1b[48;2;31;32;33;1my", []Run{{"x", 0}, {"y", StyleBold}}},
		{"other sequences join the text around them", "\x1b[31m50%\x1b[2K\x1b[1G100%\x1b]0;t\x07!", []Run{{"50%100%!", StyleRed}}},
		{"a private form is no SGR", "\x1b[?1m\x1b[31ma", []Run{{"a", StyleRed}}},
		{"a lone ESC stays in its run", "\x1b[31ma\x1b é", []Run{{"a\x1b é", StyleRed}}},
		{"a style with no text leaves no run", "a\x1b[1m\x1b[mb", []Run{{"ab", 0}}},
		{"a huge number is none", "\x1b[99999999999999999999931ma", []Run{{"a", 0}}},
	} {
		got := StyledRuns(tc.in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: StyledRuns(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

// A megabyte of hostile output styles in linear time, as it strips.
// Ten seconds: a run a sequence, 175,000 of them, took 0.27 s under
// -race here and over 2 s on CI's machine under the race suite's load;
// a quadratic walk takes minutes.
func TestStyledRunsIsLinear(t *testing.T) {
	const mb = 1 << 20
	for _, src := range []string{
		strings.Repeat("\x1b]", mb/2),
		"\x1b[" + strings.Repeat("38;", mb/3) + "m",
		strings.Repeat("\x1b[31ma\x1b[32mb", mb/12),
		strings.Repeat("a\x1b[1m\x1b[m", mb/10), // a style with no text, again and again: one run
		strings.Repeat("\x1bP\x1b[1m", mb/6),
	} {
		finishes(t, 10*time.Second, "StyledRuns", src, func(s string) { StyledRuns(s) })
	}
}

// FuzzStyledRuns: the runs' texts joined are what StripEscapes keeps;
// no run is empty, two runs side by side differ in style, and a style
// is one of the six colours with or without bold.
func FuzzStyledRuns(f *testing.F) {
	for _, s := range []string{"\x1b[32mPASS\x1b[0m", "\x1b[01;34mcmd\x1b[0m", "\x1b[38;5;1;31ma", "\x1b[48:2::1:2:3mb\x1b]0;t", "\x1b\x1b[31m[31m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		runs := StyledRuns(s)
		if runs == nil {
			if strings.IndexByte(s, esc) >= 0 {
				t.Fatalf("no runs of %q, which holds an ESC", s)
			}
			return
		}
		var b strings.Builder
		for i, r := range runs {
			if r.Text == "" {
				t.Fatalf("an empty run in %q", runs)
			}
			if i > 0 && runs[i-1].Style == r.Style {
				t.Fatalf("runs %d and %d of %q share a style", i-1, i, runs)
			}
			if r.Style&^(StyleBold|7) != 0 || r.Style.Color() == 7 {
				t.Fatalf("style %08b is none", r.Style)
			}
			b.WriteString(r.Text)
		}
		if want := StripEscapes(s); b.String() != want {
			t.Fatalf("the runs of %q join to %q, StripEscapes keeps %q", s, b.String(), want)
		}
	})
}
