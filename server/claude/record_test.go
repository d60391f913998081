package claude

import (
	"math"
	"strings"
	"testing"
)

// Token counts read as encoding/json would read them into an int, with
// negatives clamped to 0 and nonsense to 0, by the fast path or not.
func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64 // int64, not int: the table compiles for 32-bit too
	}{
		{"0", 0},
		{"7", 7},
		{"007", 7},
		{"95818", 95818},
		{"999999999999999999", 999999999999999999}, // 18 digits: the fast path's longest
		{"1000000000000000000", 1000000000000000000},
		{"99999999999999999999", 0}, // overflows int64, and too large a float to trust
		{"-12", 0},
		{"1.5e3", 1500},
		{"12.9", 12},
		{"1e400", 0},
		{"", 0},
		{"1-2", 0},
	} {
		if tc.want > math.MaxInt {
			continue // past this platform's int (32-bit)
		}
		if got := parseInt([]byte(tc.in)); int64(got) != tc.want {
			t.Errorf("parseInt(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// Token counts by shared.TokenCount's rule, by the fast path or not: a
// whole number in [0, MaxTokenCount] in any notation; anything else is
// none and refused (false), never cut to a guess.
func TestParseCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true},
		{"7", 7, true},
		{"007", 7, true},
		{"95818", 95818, true},
		{"999999999", 0, false},        // 9 digits, the fast path's longest, past the bound
		{"134217728", 134217728, true}, // the bound itself
		{"134217729", 0, false},
		{"1.5e3", 1500, true},
		{"12.0", 12, true},
		{"-0", 0, true},
		{"12.7", 0, false},
		{"-12", 0, false},
		{"1e30", 0, false},
		{"9e18", 0, false},
		{"9000000000000000000", 0, false},
		{"99999999999999999999", 0, false},
		{"1e400", 0, false},
		{"", 0, false},
		{"1-2", 0, false},
	} {
		if got, ok := parseCount([]byte(tc.in)); got != tc.want || ok != tc.ok {
			t.Errorf("parseCount(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// The fast key reader takes only a plain key followed by its colon, at
// any length around its eight-byte steps, and leaves the rest to the
// general path, which must still read an escaped key right.
func TestScannerKey(t *testing.T) {
	for n := 0; n <= 20; n++ {
		name := strings.Repeat("k", n)
		for _, tc := range []struct {
			line string
			want string // "" = refused
		}{
			{`"` + name + `":1`, name + "!"},
			{`"` + name + `\"x":1`, ""},
			{`"` + name + `\\":1`, ""},
			{`"` + name + `" :1`, ""}, // white space before the colon: the general path
			{`"` + name + `"`, ""},    // the colon is in the next chunk
		} {
			var s scanner
			s.reset([]byte(tc.line), nil)
			k, ok := s.key(keyLimit)
			switch {
			case tc.want == "" && ok:
				t.Errorf("%s: took %q", tc.line, k)
			case tc.want != "" && (!ok || string(k)+"!" != tc.want || s.pos != len(name)+3):
				t.Errorf("%s: %q %v at %d", tc.line, k, ok, s.pos)
			case !ok && s.pos != 0:
				t.Errorf("%s: refused but consumed %d bytes", tc.line, s.pos)
			}
		}
	}
	// Escaped keys still match, through the general path.
	var p parser
	var r record
	line := []byte(`{"ty\u0070e":"assistant","message":{"i\u0064":"m1","usage":{"output_tok\u0065ns":12}}}` + "\n")
	if !p.parseLine(&r, line, nil) || !r.typ.is("assistant") || !r.msgID.is("m1") || r.usage.output != 12 {
		t.Fatalf("escaped keys: type %q id %q output %d", r.typ.bytes(), r.msgID.bytes(), r.usage.output)
	}
}

// needsUnescape sees a backslash or a byte outside ASCII wherever it is.
func TestNeedsUnescape(t *testing.T) {
	for n := 0; n <= 70; n++ {
		plain := []byte(strings.Repeat("a", n))
		if needsUnescape(plain) {
			t.Fatalf("%d plain bytes: needs unescape", n)
		}
		for i := range n {
			for _, c := range []byte{'\\', 0xc3, 0x80} {
				b := append([]byte(nil), plain...)
				b[i] = c
				if !needsUnescape(b) {
					t.Fatalf("%q: %#x at %d missed", b, c, i)
				}
			}
		}
	}
}
