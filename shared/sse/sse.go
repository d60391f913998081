// Package sse reads a Server-Sent Events stream as the HTML standard's
// EventSource does. It is the one parser every Helm test client, load
// driver and benchmark uses, so that all of them read the wire the same
// way a browser does. It imports only the standard library (no
// net/http), so it builds for js/wasm and app code may use it.
package sse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultLimit bounds the data of one event (and so any line) when
// Options.Limit is 0: a hostile or broken server cannot make a client
// buffer without end.
const DefaultLimit = 32 << 20

// ErrTooBig is Parse's error for an event or a line over the limit.
var ErrTooBig = errors.New("sse: event over the size bound")

// ErrStrict wraps what a strict parse rejects.
var ErrStrict = errors.New("sse: not what helmd writes")

// Event is one block of fields, up to the blank line that ends it.
type Event struct {
	Type    string // the event field as sent; "" when unnamed (see Name)
	ID      string // this block's id field
	HasID   bool   // the block has an id field (an empty one clears the last id)
	LastID  string // the last event id so far: carried over, as EventSource's lastEventId is
	Retry   string // the retry field as sent
	Data    string // the data lines joined by "\n"
	HasData bool   // the block has a data field: EventSource dispatches only these
	Size    int    // bytes on the wire since the blank line before it, its own blank line included
}

// Name is the type EventSource dispatches the event as: "message" when
// unnamed.
func (e Event) Name() string {
	if e.Type == "" {
		return "message"
	}
	return e.Type
}

// Options vary a parse.
type Options struct {
	// Limit bounds the data of one event and any line, in bytes; 0 is
	// DefaultLimit.
	Limit int
	// Strict rejects what helmd never writes, so a test sees the exact
	// encoding: a line end other than LF, a NUL, a BOM, an unknown field
	// or a second data line in one event. The error wraps ErrStrict.
	Strict bool
}

// Parse reads r until it ends or fails and calls emit for every block
// with at least one field (comments alone make none), retry-only blocks
// included: a client that follows EventSource dispatches only those with
// HasData. Lines end in CRLF, LF or CR; a leading BOM is skipped; comments
// and unknown fields are ignored; an id with a NUL is ignored. Parse
// returns nil at EOF (an unterminated last block is dropped, as the
// standard says), ErrTooBig, the reader's error wrapped, or emit's error
// as it is (emit stops the parse by returning one).
func Parse(r io.Reader, o Options, emit func(Event) error) error {
	limit := o.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(4096, limit+1)), limit+1) // the larger of the two is the bound
	consumed := 0                                           // bytes the split has handed out so far
	split := splitLines
	if o.Strict {
		split = splitLF // so that a CR stays in the line, to be rejected
	}
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		adv, tok, err := split(data, atEOF)
		consumed += adv
		return adv, tok, err
	})
	var (
		ev    Event
		data  bytes.Buffer
		seen  bool // a field in this block
		start int  // consumed at the block's start
		first = true
	)
	for sc.Scan() {
		line := sc.Bytes()
		if first {
			first = false
			if bytes.HasPrefix(line, []byte("\uFEFF")) {
				if o.Strict {
					return fmt.Errorf("%w: a BOM", ErrStrict)
				}
				line = line[len("\uFEFF"):]
			}
		}
		if o.Strict {
			if bytes.ContainsAny(line, "\r\x00") {
				return fmt.Errorf("%w: CR or NUL in %q", ErrStrict, line)
			}
		}
		if len(line) == 0 {
			if seen {
				ev.Data, ev.Size = data.String(), consumed-start
				if err := emit(ev); err != nil {
					return err
				}
			}
			ev = Event{LastID: ev.LastID}
			data.Reset()
			seen, start = false, consumed
			continue
		}
		field, value, found := bytes.Cut(line, []byte(":"))
		if len(field) == 0 {
			continue // a comment
		}
		if found {
			value = bytes.TrimPrefix(value, []byte(" "))
		}
		seen = true
		switch string(field) {
		case "event":
			ev.Type = string(value)
		case "data":
			if o.Strict && ev.HasData {
				return fmt.Errorf("%w: more than one data line in an event", ErrStrict)
			}
			if data.Len()+len(value)+1 > limit {
				return ErrTooBig
			}
			if ev.HasData {
				data.WriteByte('\n')
			}
			data.Write(value)
			ev.HasData = true
		case "id":
			ev.ID, ev.HasID = string(value), true
			if bytes.IndexByte(value, 0) < 0 {
				ev.LastID = ev.ID
			}
		case "retry":
			ev.Retry = string(value)
		default:
			if o.Strict {
				return fmt.Errorf("%w: unknown field %q", ErrStrict, field)
			}
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return ErrTooBig
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("sse: reading the stream: %w", err)
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

// splitLF splits at LF only, dropping an unterminated last line as
// splitLines does.
func splitLF(data []byte, _ bool) (advance int, token []byte, err error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	return 0, nil, nil
}
