package swar

import (
	"encoding/binary"
	"testing"
)

// Each byte value at each place of a word, after each byte value whose
// borrow could mark it: the lowest mark is the first byte a loop finds.
func TestLowestMarkIsExact(t *testing.T) {
	word := make([]byte, 8)
	for at := range 8 {
		for _, before := range []byte{'a', 0, 0x1f, '"', '\\', 0x7f, 0x80, 0xff} {
			for c := range 256 {
				for i := range word {
					word[i] = 'a'
				}
				if at > 0 {
					word[at-1] = before
				}
				word[at] = byte(c)
				w := binary.LittleEndian.Uint64(word)
				for _, tc := range []struct {
					name string
					mask uint64
					is   func(byte) bool
				}{
					{"Equal '\"'", Equal(w, '"'), func(b byte) bool { return b == '"' }},
					{"Equal 0", Equal(w, 0), func(b byte) bool { return b == 0 }},
					{"Below 0x20", Below(w, 0x20), func(b byte) bool { return b < 0x20 }},
					{"Highs", w & Highs, func(b byte) bool { return b >= 0x80 }},
				} {
					first := -1
					for i, b := range word {
						if tc.is(b) {
							first = i
							break
						}
					}
					switch {
					case first < 0 && tc.mask != 0:
						t.Fatalf("%s of % x: mask %#x, want none", tc.name, word, tc.mask)
					case first >= 0 && (tc.mask == 0 || First(tc.mask) != first):
						t.Fatalf("%s of % x: mask %#x, want the first at %d", tc.name, word, tc.mask, first)
					}
				}
			}
		}
	}
}

func TestLoadIsLittleEndian(t *testing.T) {
	if w := Load([]byte("abcdefgh")); byte(w) != 'a' || byte(w>>56) != 'h' {
		t.Fatalf("Load: %#x", w)
	}
}
