package transcript

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Full writes the whole text of the string a ref (shared.Cut.Ref) names,
// decoded from its JSON form as it streams: memory stays a buffer however
// long it is. Nothing is written when the ref is bad or stale.
func (t *Files) Full(path, ref string, w io.Writer) error {
	pos, err := decodeCursor(ref)
	if err != nil || pos.kind != kindRef {
		return ErrBadCursor
	}
	f, snap, err := t.open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pos.check(f, &snap); err != nil {
		return err
	}
	if pos.off >= snap.end {
		return ErrBadCursor
	}
	br := bufio.NewReaderSize(io.NewSectionReader(f, pos.off, snap.end-pos.off), lineBufSize)
	if b, err := br.ReadByte(); err != nil || b != '"' {
		return ErrBadCursor // not at a string: not a ref helmd made
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	if err := unquote(br, bw); err != nil {
		return err
	}
	return bw.Flush()
}

// errUnterminated is a string that ends before its closing quote.
var errUnterminated = errors.New("string not terminated")

// unquote copies a JSON string body from r (after its opening quote) to
// w, decoded, up to its closing quote. Invalid escapes come out as
// U+FFFD, as encoding/json decodes them.
func unquote(r *bufio.Reader, w *bufio.Writer) error {
	var pending rune = -1 // a high surrogate waiting for its pair
	flush := func() {
		if pending >= 0 {
			w.WriteRune(utf8.RuneError)
			pending = -1
		}
	}
	for {
		b, err := r.ReadByte()
		if err != nil {
			return errUnterminated
		}
		switch {
		case b == '"':
			flush()
			return nil
		case b == '\n':
			return errUnterminated
		case b != '\\':
			flush()
			if err := w.WriteByte(b); err != nil {
				return fmt.Errorf("write: %w", err)
			}
			continue
		}
		e, err := r.ReadByte()
		if err != nil {
			return errUnterminated
		}
		if e != 'u' {
			flush()
			switch e {
			case 'n':
				w.WriteByte('\n')
			case 't':
				w.WriteByte('\t')
			case 'r':
				w.WriteByte('\r')
			case 'b':
				w.WriteByte('\b')
			case 'f':
				w.WriteByte('\f')
			case '"', '\\', '/':
				w.WriteByte(e)
			default:
				w.WriteRune(utf8.RuneError)
			}
			continue
		}
		var hex [4]byte
		if _, err := io.ReadFull(r, hex[:]); err != nil {
			return errUnterminated
		}
		v, err := strconv.ParseUint(string(hex[:]), 16, 16)
		if err != nil {
			flush()
			w.WriteRune(utf8.RuneError)
			continue
		}
		c := rune(v)
		switch {
		case utf16.IsSurrogate(c) && c < 0xDC00:
			flush()
			pending = c
		case utf16.IsSurrogate(c) && pending >= 0:
			w.WriteRune(utf16.DecodeRune(pending, c))
			pending = -1
		default:
			flush()
			w.WriteRune(c)
		}
	}
}
