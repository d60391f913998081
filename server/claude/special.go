package claude

import (
	"encoding/binary"
	"math/bits"
)

// The scanner finds the end of a string through a bitmap of the chunk it
// reads: one bit per byte, set on each '"' and '\\', made in one pass
// when the chunk arrives. A line of small records holds a quote every
// 25 bytes or so, and a call of bytes.IndexByte per quote cost more in
// its setup than in its search (the floor in helmbench: finding every
// quote that way was half of a scan's CPU); with the bitmap, the next
// quote or backslash is a shift and a count of trailing zeros.

// specialWords is how many words of bitmap a chunk of n bytes takes.
func specialWords(n int) int { return (n + 63) / 64 }

// markSpecialGeneric is markSpecial in portable Go, eight bytes at a
// time: what runs where no vector kernel exists, and what the kernel is
// fuzzed against.
func markSpecialGeneric(dst []uint64, b []byte) {
	dst = dst[:specialWords(len(b))]
	clear(dst)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		m := exactEqual(w, '"') | exactEqual(w, '\\')
		// Gathers the high bit of each byte into the low eight bits.
		dst[i>>6] |= ((m >> 7) * 0x0102040810204080 >> 56) << (i & 63)
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' {
			dst[i>>6] |= 1 << (i & 63)
		}
	}
}

// exactEqual marks with 0x80 the bytes of w equal to c, and only those:
// unlike bytesEqual, no carry crosses a byte.
func exactEqual(w uint64, c byte) uint64 {
	const lows, highs = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	x := w ^ (0x0101010101010101 * uint64(c))
	return ^((x&lows + lows) | x) & highs
}

// special returns the index of the first '"' or '\\' of s.buf at or
// after i, or len(s.buf).
func (s *scanner) special(i int) int {
	w := i >> 6
	if w >= len(s.marks) {
		return len(s.buf)
	}
	if m := s.marks[w] >> (uint(i) & 63); m != 0 {
		return i + bits.TrailingZeros64(m)
	}
	for w++; w < len(s.marks); w++ {
		if m := s.marks[w]; m != 0 {
			return w<<6 + bits.TrailingZeros64(m)
		}
	}
	return len(s.buf)
}

// mark makes the bitmap of s.buf.
func (s *scanner) mark() {
	n := specialWords(len(s.buf))
	if cap(s.marks) < n {
		s.marks = make([]uint64, n, max(n, 64))
	}
	s.marks = s.marks[:n]
	markSpecial(s.marks, s.buf)
}
