package claude

import "golang.org/x/sys/cpu"

// hasAVX2 selects the vector kernel; amd64 machines without AVX2 (before
// 2013) take the portable one.
var hasAVX2 = cpu.X86.HasAVX2

// markSpecialAVX2 marks n blocks of 64 bytes from b into n words at dst.
//
//go:noescape
func markSpecialAVX2(dst *uint64, b *byte, n int)

// markSpecial sets bit i%64 of dst[i/64] for each '"' and '\\' b[i] and
// clears the others; dst holds at least specialWords(len(b)) words.
func markSpecial(dst []uint64, b []byte) {
	if !hasAVX2 {
		markSpecialGeneric(dst, b)
		return
	}
	n := len(b) / 64
	dst = dst[:specialWords(len(b))]
	if n > 0 {
		markSpecialAVX2(&dst[0], &b[0], n)
	}
	if len(b) > n*64 {
		// The last bytes go through a block of their own, padded with
		// zeros, which mark nothing: the kernel never reads past b.
		var tail [64]byte
		copy(tail[:], b[n*64:])
		markSpecialAVX2(&dst[n], &tail[0], 1)
	}
}
