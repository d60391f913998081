package transcript

import (
	"bytes"
	"strings"
	"testing"
)

// TestTopScanFindsTypeAnywhere: the index decides which lines a page
// shows by their top-level type (and a system record's subtype), read
// by topScan in whatever chunks the reader hands it. A value after long
// strings full of escapes, a "type" key inside a nested object or a
// string, and a value cut at any byte must all come out as in one piece.
func TestTopScanFindsTypeAnywhere(t *testing.T) {
	long := strings.Repeat(`a \"type\":\"user\" \\`, 500)
	for _, c := range []struct {
		name, line, typ, sub string
	}{
		{"first", `{"type":"assistant","message":{"content":"x"}}`, "assistant", ""},
		{"after long strings", `{"a":"` + long + `","message":{"type":"message","content":[{"type":"text"}]},"type":"user"}`, "user", ""},
		{"a system record's subtype", `{"subtype":"compact_boundary","content":"` + long + `","type":"system"}`, "system", "compact_boundary"},
		{"escaped quote ends no string", `{"k":"\"type\":\"user\"","type":"summary"}`, "summary", ""},
		{"backslash before the closing quote", `{"k":"x\\","type":"user"}`, "user", ""},
		{"a value too long to be a type", `{"type":"` + strings.Repeat("u", 25) + `"}`, "", ""},
		{"a key too long to be one", `{"` + strings.Repeat("t", 30) + `":"user","type":"assistant"}`, "assistant", ""},
		{"a type that is not a string", `{"type":7,"x":"user"}`, "", ""},
	} {
		for _, size := range []int{1, 2, 3, 7, 64, 1 << 20} {
			var s topScan
			for i := 0; i < len(c.line); i += size {
				s.feed([]byte(c.line[i:min(i+size, len(c.line))]))
			}
			if s.typ != c.typ || s.sub != c.sub {
				t.Errorf("%s, chunks of %d: type %q subtype %q, want %q %q", c.name, size, s.typ, s.sub, c.typ, c.sub)
			}
		}
	}
}

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

// headOf keeps of a plain ASCII string what the walk by characters
// keeps: a string starting with up to 300 spaces, with a backslash or a
// character outside ASCII at places around the skeleton's length (where
// the walk goes on), of lengths around it.
func TestHeadOfPlainASCII(t *testing.T) {
	for _, n := range []int{skeletonString + 1, skeletonString + 7, 300, 1000} {
		for _, spaces := range []int{0, 1, 5, 64, skeletonHead - 1, skeletonHead, skeletonHead + 1, skeletonString - 1, skeletonString, 300} {
			if spaces > n {
				continue
			}
			s := []byte(strings.Repeat(" ", spaces) + strings.Repeat("x", n-spaces))
			for _, odd := range []string{"", `\n`, "é", "\t"} {
				for _, at := range []int{0, skeletonHead, skeletonString - 2, skeletonString - 1, skeletonString} {
					b := append([]byte(nil), s...)
					if odd != "" {
						copy(b[at:], odd)
					}
					if got, want := headOf(b), headByChars(b); got != want {
						t.Fatalf("headOf of %d bytes, %d spaces, %q at %d: %d, want %d", n, spaces, odd, at, got, want)
					}
				}
			}
		}
	}
}
