package claude

import (
	"bytes"
	"testing"
)

// markSpecialNaive is the definition markSpecial must meet, a byte at a
// time.
func markSpecialNaive(b []byte) []uint64 {
	dst := make([]uint64, specialWords(len(b)))
	for i, c := range b {
		if c == '"' || c == '\\' {
			dst[i/64] |= 1 << (i % 64)
		}
	}
	return dst
}

// The vector kernel (where the CPU has one) and the portable one must
// mark exactly the quotes and backslashes, at every length and offset,
// whatever the bytes around them.
func FuzzMarkSpecial(f *testing.F) {
	f.Add([]byte(`{"a":"b\"c\\"}`), 0)
	f.Add(bytes.Repeat([]byte(`"\x`), 100), 3)
	f.Add(bytes.Repeat([]byte{0xa2, 0xdc, '"', 0}, 50), 63)
	f.Fuzz(func(t *testing.T, b []byte, off int) {
		if off < 0 || off > len(b) {
			off = 0
		}
		b = b[off:] // the kernel must not assume alignment
		want := markSpecialNaive(b)
		for name, mark := range map[string]func([]uint64, []byte){
			"markSpecial": markSpecial, "markSpecialGeneric": markSpecialGeneric,
		} {
			dst := make([]uint64, len(want)) // all ones: stale bits must not survive
			for i := range dst {
				dst[i] = ^uint64(0)
			}
			mark(dst, b)
			for i := range want {
				if dst[i] != want[i] {
					t.Fatalf("%s(%q): word %d = %#x, want %#x", name, b, i, dst[i], want[i])
				}
			}
		}
	})
}
