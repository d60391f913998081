package shared

import (
	"bytes"
	"strings"
	"testing"
)

// lowerASCII lower-cases what fold lower-cases of an ASCII text, eight
// bytes at a time and the rest one by one: every byte value, in every
// place of a word and of the tail, against strings.ToLower.
func TestLowerASCII(t *testing.T) {
	var p FindTokens
	for c := 0; c < 0x80; c++ {
		for place := range 11 {
			rec := []byte(strings.Repeat("Az@[`{", 2)[:11])
			rec[place] = byte(c)
			got, ok := p.lowerASCII(rec)
			if want := strings.ToLower(string(rec)); !ok || string(got) != want {
				t.Fatalf("lowerASCII(%q) = %q, %v; want %q", rec, got, ok, want)
			}
		}
	}
	for _, rec := range []string{"ABCDEFG\x80", "ABCDEFGH\xc3\xa9", "é"} {
		if _, ok := p.lowerASCII([]byte(rec)); ok {
			t.Errorf("lowerASCII(%q) took a text that is not ASCII", rec)
		}
	}
}

func FuzzLowerASCII(f *testing.F) {
	f.Add([]byte("The Quick BROWN fox @[`{ 0123456789"))
	f.Fuzz(func(t *testing.T, rec []byte) {
		var p FindTokens
		got, ok := p.lowerASCII(rec)
		ascii := bytes.IndexFunc(rec, func(r rune) bool { return r >= 0x80 }) < 0
		if ok != ascii {
			t.Fatalf("lowerASCII(%q): ok %v", rec, ok)
		}
		if ok && string(got) != strings.ToLower(string(rec)) {
			t.Fatalf("lowerASCII(%q) = %q", rec, got)
		}
	})
}
