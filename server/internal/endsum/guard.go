package endsum

import (
	"bytes"
	"errors"
	"io"
)

// ErrRewritten is what a Guard's Read returns when the file no longer
// holds the bytes before the ones it just read: it was rewritten in
// place, and what the pass read of it so far belongs to another file.
var ErrRewritten = errors.New("file rewritten while being read")

// File is what a Guard reads: its bytes in order, from where the caller
// seeked, and the bytes before them, one ReadAt per check.
type File interface {
	io.Reader
	io.ReaderAt
}

// Guard reads a file on from an offset and checks, as each read's bytes
// come, that the file still holds the bytes before them: the Len bytes
// the pass itself read last, or at its first read those whose sum the
// caller kept. A file truncated and rewritten between two reads (or
// between the caller's last pass and this one) hands the next read the
// new file's bytes from the old position: parsed as the old file's
// continuation, they would give a line made of two files and offsets
// that mean nothing, and fed to the end sum they would make every later
// check pass. The check is one ReadAt of Len bytes per read; the first
// one replaces the check a caller made before reading (Window.Matches),
// so an append costs no more reads than before.
//
// A rewrite after the last read is not seen here: the pass's bytes are
// all the old file's, and the next pass's first check sees the new one.
type Guard struct {
	f     File
	pos   int64  // where the next read starts
	have  Window // the bytes before pos, as read (valid once checked)
	sum   uint32 // the sum the bytes before the first read must have
	start *Window
	first bool // no read has returned bytes yet
	// now is the check's scratch: the bytes before pos as the file has
	// them. Here, not a local, as reading into it through the ReaderAt
	// would move a local to the heap at every read.
	now Window
}

// Reset makes g read f from off, at which f is positioned, where the
// bytes before off must have sum (0 at 0), as Window.Matches checks
// them. start, when not nil, is loaded with the window of off at the
// first read that returns bytes: the window the caller carries on.
func (g *Guard) Reset(f File, off int64, sum uint32, start *Window) {
	g.f, g.pos, g.sum, g.start, g.first = f, off, sum, start, true
	g.have.Reset()
}

// Read reads from f, returning ErrRewritten (and no bytes) when the
// bytes before the ones read are not those expected.
func (g *Guard) Read(p []byte) (int, error) {
	n, err := g.f.Read(p)
	if n == 0 {
		return 0, err
	}
	if g.pos > 0 {
		ok := g.now.Load(g.f, g.pos) == nil
		switch {
		case !ok:
		case g.first:
			ok = g.now.Sum() == g.sum
			g.have = g.now
		default:
			ok = bytes.Equal(g.now.Bytes(), g.have.Bytes())
		}
		if !ok {
			return 0, ErrRewritten
		}
	}
	if g.first && g.start != nil {
		*g.start = g.have
	}
	g.first = false
	g.have.Feed(p[:n])
	g.pos += int64(n)
	return n, err
}
