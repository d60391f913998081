package stream

import (
	"strings"
	"testing"
)

func TestParseEventID(t *testing.T) {
	tests := []struct {
		in    string
		epoch string
		seq   uint64
		ok    bool
	}{
		{"0123456789abcdef-0", "0123456789abcdef", 0, true},
		{"abc-42", "abc", 42, true},
		{"a-b-7", "", 0, false}, // the epoch is alphanumeric
		{"abc-18446744073709551615", "abc", 18446744073709551615, true},
		{"abc-18446744073709551616", "", 0, false}, // overflow
		{"abc-007", "", 0, false},                  // not canonical
		{"abc-+7", "", 0, false},
		{"abc--7", "", 0, false},
		{"abc-7 ", "", 0, false},
		{"abc-0x1f", "", 0, false},
		{"abc-", "", 0, false},
		{"-7", "", 0, false},
		{"abc", "", 0, false},
		{"", "", 0, false},
		{"ab\nc-7", "", 0, false},
		{"abc-7\r\nevent: x", "", 0, false},
		{"é-7", "", 0, false},
		{strings.Repeat("a", 63) + "-1", "", 0, false}, // too long
	}
	for _, tc := range tests {
		epoch, seq, ok := ParseEventID(tc.in)
		if epoch != tc.epoch || seq != tc.seq || ok != tc.ok {
			t.Errorf("ParseEventID(%q) = %q, %d, %v; want %q, %d, %v", tc.in, epoch, seq, ok, tc.epoch, tc.seq, tc.ok)
		}
	}
}

// FuzzParseEventID: no input panics, and whatever parses is the canonical
// form of what it parses to, so one event has exactly one id.
func FuzzParseEventID(f *testing.F) {
	for _, s := range []string{"0123456789abcdef-0", "abc-42", "a-b-7", "abc-007", "-1", "x-18446744073709551615", "\x00-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		epoch, seq, ok := ParseEventID(s)
		if !ok {
			if epoch != "" || seq != 0 {
				t.Fatalf("failed parse of %q returned %q, %d", s, epoch, seq)
			}
			return
		}
		if got := formatEventID(epoch, seq); got != s {
			t.Fatalf("ParseEventID(%q) = %q, %d, which formats as %q", s, epoch, seq, got)
		}
		if strings.ContainsAny(s, "\r\n\x00 ") {
			t.Fatalf("accepted %q, which has a separator", s)
		}
	})
}
