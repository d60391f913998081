//go:build !amd64

package claude

// markSpecial sets bit i%64 of dst[i/64] for each '"' and '\\' b[i] and
// clears the others; dst holds at least specialWords(len(b)) words.
func markSpecial(dst []uint64, b []byte) { markSpecialGeneric(dst, b) }
