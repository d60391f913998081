package transcript

import (
	"bytes"
	"testing"
)

// quoteOrBackslash finds the first quote or backslash eight bytes at a
// time: each in every place of a word and of the tail, after bytes a
// borrow could mark (0x00, 0x01, 0x21, 0x5b, 0x5d), and none.
func TestQuoteOrBackslash(t *testing.T) {
	naive := func(b []byte) int {
		for i, c := range b {
			if c == '"' || c == '\\' {
				return i
			}
		}
		return len(b)
	}
	for _, fill := range []byte{0x00, 0x01, 0x21, 0x5b, 0x5d, 'a', 0x80, 0xff} {
		for n := 0; n <= 20; n++ {
			for at := -1; at < n; at++ {
				for _, c := range []byte{'"', '\\'} {
					b := bytes.Repeat([]byte{fill}, n)
					if at >= 0 {
						b[at] = c
						if at+1 < n {
							b[at+1] = '"' // a second one after: the first counts
						}
					}
					if got, want := quoteOrBackslash(b), naive(b); got != want {
						t.Fatalf("quoteOrBackslash(%q) = %d, want %d", b, got, want)
					}
				}
			}
		}
	}
}
