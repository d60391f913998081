// Package swar looks at eight bytes at a time in a uint64 (SIMD within a
// register), for the parsers' scans of JSON text: most of a string's
// bytes are plain, and a word of them is passed in one test.
//
// A mask marks a byte with its high bit (0x80). The tests here subtract
// with a borrow from byte to byte, so a byte above a true mark may be
// marked falsely, never one below: the lowest mark is always exact
// (First), and a mask without a true mark is 0.
package swar

import (
	"encoding/binary"
	"math/bits"
)

// Lows has each byte 0x01; Highs each byte 0x80: w&Highs marks the bytes
// of w outside ASCII.
const (
	Lows  = 0x0101010101010101
	Highs = 0x8080808080808080
)

// Load is the eight bytes at the start of b, the first the lowest.
func Load(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// Equal marks the bytes of w equal to c.
func Equal(w uint64, c byte) uint64 {
	x := w ^ (Lows * uint64(c))
	return (x - Lows) &^ x & Highs
}

// Below marks the bytes of w below c, for c at most 0x80; a byte outside
// ASCII is never marked.
func Below(w uint64, c byte) uint64 { return (w - Lows*uint64(c)) &^ w & Highs }

// First is the index of the lowest marked byte of m, which is not 0.
func First(m uint64) int { return bits.TrailingZeros64(m) >> 3 }
