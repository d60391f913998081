// Package endsum fingerprints where an incremental read stopped: a
// CRC-32C of the last Len bytes before the offset it will go on from.
//
// Both transcript readers (the list's, the session page's) read a file
// once and then only what is appended. Before going on from their
// offset they check that the file still holds what they read. The check
// used to be the one byte before the offset ('\n', most of the time), so
// a file rewritten in place to a larger size, with a '\n' at the old
// offset (as any transcript of whole lines has by chance), was taken for
// an append, and the records of the old content stayed. Len bytes of a
// JSONL record's end (its timestamp, uuid or ids) tell a rewrite from an
// append with near certainty, for the same one pread: the bytes are read
// by the call that read the one byte. The sum of the bytes read is kept
// as they stream by (Window), so an append costs no second read.
//
// What it cannot see: a rewrite that keeps the last Len bytes before the
// offset where they were (an edit of the same length earlier in the
// file, with an append after it). Only reading the whole file again
// would; a rewrite of the same size is told by its mtime instead.
package endsum

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Len is how many bytes before an offset the sum covers (fewer at the
// start of a file).
const Len = 64

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Window holds the last (up to Len) bytes fed to it. Its zero value is
// empty: the window of offset 0. It is meant to live in a reader's
// state; a file keeps only its Sum.
type Window struct {
	b [Len]byte // the bytes, in order, right-aligned: b[Len-n:]
	n uint8
}

// Reset empties w: the window of offset 0.
func (w *Window) Reset() { w.n = 0 }

// Bytes are the bytes in w, oldest first.
func (w *Window) Bytes() []byte { return w.b[Len-int(w.n):] }

// Feed appends p, keeping the last Len bytes.
func (w *Window) Feed(p []byte) {
	if len(p) >= Len {
		copy(w.b[:], p[len(p)-Len:])
		w.n = Len
		return
	}
	if len(p) == 0 {
		return
	}
	copy(w.b[:], w.b[len(p):]) // shift the kept bytes left to make room
	copy(w.b[Len-len(p):], p)
	w.n = uint8(min(Len, int(w.n)+len(p)))
}

// Append feeds w with what o holds: o's bytes follow w's.
func (w *Window) Append(o *Window) { w.Feed(o.Bytes()) }

// Sum is the fingerprint of the bytes in w. The empty window's is 0, as
// is (by chance, rarely) another's: a sum is compared, never tested for 0.
func (w *Window) Sum() uint32 { return crc32.Checksum(w.Bytes(), castagnoli) }

// Load fills w with the (up to Len) bytes of r before off, so that w is
// the window of off. It is one ReadAt.
func (w *Window) Load(r io.ReaderAt, off int64) error {
	n := int(min(off, Len))
	w.n = uint8(n)
	if n == 0 {
		return nil
	}
	got, err := r.ReadAt(w.b[Len-n:], off-int64(n))
	if got == n {
		return nil // a ReadAt that fills p at the end of the file may say io.EOF
	}
	w.n = 0
	if err == nil || errors.Is(err, io.EOF) {
		return fmt.Errorf("read %d bytes before offset %d: %w", n, off, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("read %d bytes before offset %d: %w", n, off, err)
}

// Matches reports whether the bytes of r before off still have sum: false
// too when they cannot be read (the file shrank, an I/O error), for the
// caller to read the file again from its start. On true, w is the window
// of off.
func (w *Window) Matches(r io.ReaderAt, off int64, sum uint32) bool {
	return w.Load(r, off) == nil && w.Sum() == sum
}
