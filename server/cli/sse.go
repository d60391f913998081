package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// sseEvent is one event of a Server-Sent Events stream.
type sseEvent struct {
	typ, id string
	hasID   bool
	data    []byte
}

// sseReader reads events, bounding each line: an init of a large list is
// a few MB on one line, so the bound is generous, but a server that never
// ends a line cannot take all memory.
type sseReader struct {
	br  *bufio.Reader
	max int
}

func newSSEReader(r io.Reader, max int) *sseReader {
	return &sseReader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

var errLineTooLong = errors.New("stream line too long")

func (r *sseReader) line() ([]byte, error) {
	var long []byte
	for {
		part, err := r.br.ReadSlice('\n')
		if err == nil || !errors.Is(err, bufio.ErrBufferFull) {
			if long == nil {
				return bytes.TrimSuffix(bytes.TrimSuffix(part, []byte("\n")), []byte("\r")), err
			}
			long = append(long, part...)
			return bytes.TrimSuffix(bytes.TrimSuffix(long, []byte("\n")), []byte("\r")), err
		}
		if len(long)+len(part) > r.max {
			return nil, fmt.Errorf("%w (over %d bytes)", errLineTooLong, r.max)
		}
		long = append(long, part...)
	}
}

// next returns the next event with a type or data; comments, retry fields
// and unknown fields are passed over.
func (r *sseReader) next() (sseEvent, error) {
	var ev sseEvent
	seen := false
	for {
		line, err := r.line()
		if err != nil {
			return sseEvent{}, err
		}
		if len(line) == 0 {
			if seen && (ev.typ != "" || ev.data != nil) {
				if ev.typ == "" {
					ev.typ = "message"
				}
				return ev, nil
			}
			ev, seen = sseEvent{}, false
			continue
		}
		if line[0] == ':' {
			continue
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		seen = true
		switch string(name) {
		case "event":
			ev.typ = string(value)
		case "id":
			ev.id, ev.hasID = string(value), true
		case "data":
			if ev.data != nil {
				ev.data = append(ev.data, '\n')
			}
			ev.data = append(ev.data, value...)
		}
	}
}
