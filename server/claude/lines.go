package claude

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
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
}

var readers = sync.Pool{New: func() any { return &reader{br: bufio.NewReaderSize(nil, readBufSize)} }}

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
	tailTaken bool // a last line without '\n' was consumed (see lines)
}

// lines reads f from off to its end, calling visit with each complete
// line's record (ok=false: malformed, rec to be ignored). A last line
// without its '\n' is left for the next read, the offset before it,
// unless takeTail is set and it is a whole JSON record: then it is
// consumed like a complete line (the caller sets takeTail once the file
// has been quiet long enough for that line to be final).
func (r *reader) lines(f *os.File, off int64, takeTail bool, visit func(rec *record, ok bool)) (lineResult, error) {
	res := lineResult{offset: off}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return res, fmt.Errorf("seek: %w", err)
	}
	r.f, r.n = f, 0
	r.br.Reset(r)
	defer func() { r.f = nil; r.br.Reset(nil) }()
	var readErr error
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(chunk) == 0 {
			if err != nil && !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
		length := int64(len(chunk))
		terminated := err == nil
		ended := err != nil && !errors.Is(err, bufio.ErrBufferFull)
		if ended && !errors.Is(err, io.EOF) {
			readErr = err
		}
		var more func() []byte
		if !terminated && !ended {
			// A long line: hand the parser the rest chunk by chunk.
			more = func() []byte {
				if terminated || ended {
					return nil
				}
				c, err := r.br.ReadSlice('\n')
				length += int64(len(c))
				switch {
				case err == nil:
					terminated = true
				case !errors.Is(err, bufio.ErrBufferFull):
					ended = true
					if !errors.Is(err, io.EOF) {
						readErr = err
					}
				}
				if len(c) == 0 {
					return nil
				}
				return c
			}
		}
		blank := terminated && isBlank(chunk)
		ok := false
		if !blank {
			ok = r.p.parseLine(&r.rec, chunk, more)
		}
		for more != nil && !terminated && !ended {
			more() // drain what the parser left of a bad line
		}
		if !terminated {
			if takeTail && ok && readErr == nil {
				res.offset += length
				res.lines++
				res.tailTaken = true
				visit(&r.rec, true)
			}
			break // incomplete last line, or a read error
		}
		res.offset += length
		if blank {
			continue
		}
		res.lines++
		if !ok {
			res.malformed++
		}
		visit(&r.rec, ok)
	}
	res.bytesRead = r.n
	if readErr != nil {
		return res, fmt.Errorf("read: %w", readErr)
	}
	return res, nil
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}
