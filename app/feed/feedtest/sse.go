package feedtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxEvent bounds the data of one event (and so any line), so that a
// hostile or broken server cannot make a test client buffer without end.
const MaxEvent = 32 << 20

// errTooBig is parse's error for an event or line over its bound.
var errTooBig = errors.New("feedtest: event over the size bound")

// parse reads an event stream as the HTML standard's EventSource does
// and calls emit for each event dispatched, with its type ("message"
// when unnamed), the last event id (which carries over to later events,
// as lastEventId does) and its data. Lines end in CRLF, LF or CR; a
// leading BOM is skipped; comments and unknown fields are ignored; an
// event with no data is not dispatched. It returns the reader's error,
// nil at EOF (an unterminated last event is dropped, as the standard
// says), or errTooBig.
func parse(r io.Reader, limit int, emit func(typ, id, data string)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(4096, limit+1)), limit+1) // the larger of the two is the bound
	sc.Split(splitLines)
	var (
		typ, lastID string
		data        bytes.Buffer
		first       = true
	)
	for sc.Scan() {
		line := sc.Bytes()
		if first {
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
			first = false
		}
		if len(line) == 0 {
			if data.Len() > 0 {
				d := data.Bytes()
				d = d[:len(d)-1] // the last data line's newline
				t := typ
				if t == "" {
					t = "message"
				}
				emit(t, lastID, string(d))
			}
			typ = ""
			data.Reset()
			continue
		}
		field, value, found := bytes.Cut(line, []byte(":"))
		if len(field) == 0 {
			continue // a comment
		}
		if found {
			value = bytes.TrimPrefix(value, []byte(" "))
		}
		switch string(field) {
		case "event":
			typ = string(value)
		case "data":
			if data.Len()+len(value)+1 > limit {
				return errTooBig
			}
			data.Write(value)
			data.WriteByte('\n')
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				lastID = string(value)
			}
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return errTooBig
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("feedtest: reading the stream: %w", err)
	}
	return nil
}

// splitLines splits at CRLF, LF or CR. A CR at the end of the buffer may
// be the first half of a CRLF: it waits for more input unless at EOF.
func splitLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	for i, b := range data {
		switch b {
		case '\n':
			return i + 1, data[:i], nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil
		}
	}
	// At EOF a last line without an end is dropped: its event cannot be
	// complete.
	return 0, nil, nil
}
