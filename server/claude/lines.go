package claude

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"vibecraft.sh/helm/server/internal/endsum"
)

// readBufSize is the most of one line held in memory: longer lines are
// parsed chunk by chunk as they stream through the buffer.
const readBufSize = 256 << 10

// reader parses the complete lines of a file from an offset. Each worker
// of a scan has its own; they are pooled so a scan of thousands of small
// files does not allocate a buffer per file.
type reader struct {
	br  *bufio.Reader
	p   parser
	rec record
	n   int64 // bytes read from the file by this call of lines
	f   io.Reader

	// The line being read: its length so far, whether its '\n' was
	// read (terminated) or the file ended first (ended), and a read
	// error. They live here, not in locals captured by a closure, so
	// that a line costs no allocation.
	length            int64
	terminated, ended bool
	readErr           error
	more              func() []byte // r.nextChunk, bound once per reader

	// end is the window of the offset a read has reached (after its
	// last complete line): the caller loads it at the offset the read
	// starts from, lines carries it on, and its sum is what the next
	// read checks the file against (file.endSum). line is the same for
	// the line being read, added to end once the line is complete. Fed
	// from the chunks as they are parsed, they cost no read of their own.
	end, line endsum.Window
	// guard checks, as each read's bytes come, that the file still holds
	// the bytes before them: a file rewritten in place mid-read would
	// otherwise go on as the old one's continuation (endsum.Guard).
	guard endsum.Guard
}

var readers = sync.Pool{New: func() any {
	r := &reader{br: bufio.NewReaderSize(nil, readBufSize)}
	r.more = r.nextChunk
	return r
}}

// nextChunk hands the parser the rest of a long line, one buffer at a
// time; nil at its end.
func (r *reader) nextChunk() []byte {
	if r.terminated || r.ended {
		return nil
	}
	c, err := r.br.ReadSlice('\n')
	r.length += int64(len(c))
	r.line.Feed(c)
	switch {
	case err == nil:
		r.terminated = true
	case !errors.Is(err, bufio.ErrBufferFull):
		r.ended = true
		if !errors.Is(err, io.EOF) {
			r.readErr = err
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c
}

func (r *reader) Read(b []byte) (int, error) {
	n, err := r.f.Read(b)
	r.n += int64(n)
	return n, err
}

// lineResult counts what one read found.
type lineResult struct {
	offset    int64 // after the last complete line
	bytesRead int64
	lines     int // complete lines parsed
	malformed int
	odd       int // usage counts read as none (parser.count), in lines not malformed
}

// lines reads f from off to its end, calling visit with each complete
// line's record (ok=false: malformed, rec to be ignored). A last line
// without its '\n' is left for the next read, the offset before it,
// unless takeTail is set and it is a whole JSON record: then it is
// consumed like a complete line (the caller sets takeTail once the file
// has been quiet long enough for that line to be final). sum is the
// file's endSum at off: the bytes before off are checked against it at
// the first read, and r.end is loaded with them, to be left the window
// of the offset returned. An error wrapping endsum.ErrRewritten means
// the file was not (or no longer) the one read up to off: what visit was
// given is to be dropped, and the file read again from 0.
func (r *reader) lines(f *os.File, off int64, sum uint32, takeTail bool, visit func(rec *record, ok bool)) (lineResult, error) {
	res := lineResult{offset: off}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return res, fmt.Errorf("seek: %w", err)
	}
	r.end.Reset() // loaded by the guard's first check, as none may come
	r.guard.Reset(f, off, sum, &r.end)
	var src io.Reader = &r.guard
	if testWrapRead != nil {
		src = testWrapRead(src)
	}
	r.f, r.n = src, 0
	r.br.Reset(r)
	r.rec.forgetLast(true) // every line of this read goes to one aggregate
	defer func() { r.f = nil; r.guard.Reset(nil, 0, 0, nil); r.br.Reset(nil); r.rec.forgetLast(false) }()
	r.readErr = nil
	atStart := off == 0
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(chunk) == 0 {
			if err != nil && !errors.Is(err, io.EOF) {
				r.readErr = err
			}
			break
		}
		r.length = int64(len(chunk))
		r.line.Reset()
		r.line.Feed(chunk)
		r.terminated = err == nil
		r.ended = err != nil && !errors.Is(err, bufio.ErrBufferFull)
		if r.ended && !errors.Is(err, io.EOF) {
			r.readErr = err
		}
		var more func() []byte
		if !r.terminated && !r.ended {
			more = r.more // a long line: the parser takes the rest chunk by chunk
		}
		body := chunk
		if atStart {
			// A byte order mark, as some Windows editors write when a
			// transcript is saved by hand: not part of the first record.
			body, atStart = bytes.TrimPrefix(chunk, utf8BOM), false
		}
		blank := r.terminated && isBlank(body)
		ok := false
		if !blank {
			ok = r.p.parseLine(&r.rec, body, more)
		}
		for more != nil && !r.terminated && !r.ended {
			more() // drain what the parser left of a bad line
		}
		if !r.terminated {
			if takeTail && ok && r.readErr == nil {
				res.offset += r.length
				r.end.Append(&r.line)
				res.lines++
				res.odd += r.p.odd
				visit(&r.rec, true)
			}
			break // incomplete last line, or a read error
		}
		res.offset += r.length
		r.end.Append(&r.line)
		if blank {
			continue
		}
		res.lines++
		if !ok {
			res.malformed++
		} else {
			res.odd += r.p.odd
		}
		visit(&r.rec, ok)
	}
	res.bytesRead = r.n
	if err := r.readErr; err != nil {
		r.readErr = nil
		return res, fmt.Errorf("read: %w", err)
	}
	return res, nil
}

// testWrapRead, set by tests only, wraps what a call of lines reads the
// file through, for a test to change the file between two of its reads.
var testWrapRead func(io.Reader) io.Reader

func isBlank(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// utf8BOM is the byte order mark a file may start with.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}
