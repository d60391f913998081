package claude

import (
	"bytes"
	"math/bits"

	"vibecraft.sh/helm/server/internal/swar"
)

// scanner walks the bytes of one JSON line without decoding it. The line
// may arrive in several chunks (a bufio.Reader hands out at most its buffer
// at a time), so a 50 MB tool_result costs one buffer of memory, not 50 MB:
// nothing outside the fields a caller captures is kept, and captured
// strings are copied out before the next chunk replaces the current one.
//
// Errors are sticky: after the first one every method returns quickly and
// bad stays true, so the callers' loops need only check it now and then.
type scanner struct {
	buf  []byte
	pos  int
	more func() []byte // the next chunk of the line, nil at its end
	bad  bool

	stack []byte // open containers of skip, reused across lines
}

// maxDepth bounds nesting in skipped values: memory stays bounded and a
// line of a million '[' is simply malformed.
const maxDepth = 10000

const eol = -1 // returned by peek and next at the end of the line

func (s *scanner) reset(first []byte, more func() []byte) {
	s.buf, s.pos, s.bad = first, 0, false
	if s.more != nil || more != nil { // most lines have one chunk: no store, no write barrier
		s.more = more
	}
}

// fill makes buf[pos] valid if the line has more bytes; false at its end.
func (s *scanner) fill() bool {
	for s.pos >= len(s.buf) {
		if s.more == nil {
			return false
		}
		b := s.more()
		if b == nil {
			s.more = nil
			return false
		}
		s.buf, s.pos = b, 0
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// peek returns the next byte that is not white space, without consuming
// it, or eol.
func (s *scanner) peek() int {
	for {
		if s.pos >= len(s.buf) && !s.fill() {
			return eol
		}
		c := s.buf[s.pos]
		if !isSpace(c) {
			return int(c)
		}
		s.pos++
	}
}

// next consumes and returns the next byte that is not white space, or eol.
func (s *scanner) next() int {
	c := s.peek()
	if c != eol {
		s.pos++
	}
	return c
}

// expect consumes c or marks the line bad.
func (s *scanner) expect(c byte) bool {
	if s.bad {
		return false
	}
	if s.next() != int(c) {
		s.bad = true
		return false
	}
	return true
}

// str consumes a string whose opening quote is next. When dst is not nil
// it also appends the string's raw (still escaped) bytes to *dst, up to
// limit bytes in all; the rest is skipped. The result says whether dst got
// the whole string.
//
// The scan finds the next quote with IndexByte and then decides whether it
// is escaped by the parity of the backslashes before it, so a long string
// costs one vectorised search, however many escapes it holds.
//
// Two ways around a call per quote were measured on helmbench's
// corpus-small and left: a bitmap of each chunk's quotes and backslashes
// made 64 bytes at a time (AVX2, AVX-512) cost in its pass what the calls
// saved, and looking at a string's first 48 bytes in place before the
// call cost about as much as it saved. The parser's time is spread over
// its walk of the tokens (key, str, peek, follows), not in this search.
func (s *scanner) str(dst *[]byte, limit int) (complete bool) {
	if uint(s.pos) < uint(len(s.buf)) && s.buf[s.pos] == '"' && !s.bad {
		s.pos++ // the usual case, without the calls of expect
	} else if !s.expect('"') {
		return false
	}
	complete = true
	escaped := false // the first byte of the current chunk is escaped
	for {
		if s.pos >= len(s.buf) && !s.fill() {
			s.bad = true // unterminated
			return false
		}
		if escaped {
			if dst != nil {
				complete = capture(dst, s.buf[s.pos:s.pos+1], limit) && complete
			}
			s.pos++
			escaped = false
			continue
		}
		rest := s.buf[s.pos:]
		q := bytes.IndexByte(rest, '"')
		if q < 0 {
			if dst != nil {
				complete = capture(dst, rest, limit) && complete
			}
			escaped = trailingBackslashes(rest)%2 == 1
			s.pos = len(s.buf)
			continue
		}
		if trailingBackslashes(rest[:q])%2 == 1 {
			if dst != nil {
				complete = capture(dst, rest[:q+1], limit) && complete
			}
			s.pos += q + 1
			continue
		}
		if dst != nil {
			complete = capture(dst, rest[:q], limit) && complete
		}
		s.pos += q + 1
		return complete
	}
}

// capture appends b to *dst up to limit bytes; false if it had to cut.
func capture(dst *[]byte, b []byte, limit int) bool {
	room := limit - len(*dst)
	if room >= len(b) {
		*dst = append(*dst, b...)
		return true
	}
	if room > 0 {
		*dst = append(*dst, b[:room]...)
	}
	return false
}

func trailingBackslashes(b []byte) int {
	n := 0
	for i := len(b) - 1; i >= 0 && b[i] == '\\'; i-- {
		n++
	}
	return n
}

// literal consumes the rest of true, false or null after its first byte.
func (s *scanner) literal(rest string) {
	for i := 0; i < len(rest); i++ {
		if s.pos >= len(s.buf) && !s.fill() {
			s.bad = true
			return
		}
		if s.buf[s.pos] != rest[i] {
			s.bad = true
			return
		}
		s.pos++
	}
}

func isNumByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// number consumes a number, appending up to 32 of its bytes to dst when
// dst is not nil. It checks the alphabet only: a lenient reader need not
// reject 1.2.3, it must only never reject a valid line.
func (s *scanner) number(dst *[]byte) {
	n := 0
	for {
		if s.pos >= len(s.buf) && !s.fill() {
			break
		}
		c := s.buf[s.pos]
		if !isNumByte(c) {
			break
		}
		if dst != nil && len(*dst) < 32 {
			*dst = append(*dst, c)
		}
		s.pos++
		n++
	}
	if n == 0 {
		s.bad = true
	}
}

// scalar consumes a value that is not a string, object or array.
func (s *scanner) scalar(c int) {
	switch {
	case c == 't':
		s.pos++
		s.literal("rue")
	case c == 'f':
		s.pos++
		s.literal("alse")
	case c == 'n':
		s.pos++
		s.literal("ull")
	case c == '-' || c >= '0' && c <= '9':
		s.number(nil)
	default:
		s.bad = true
	}
}

// skip consumes one value of any shape, checking its grammar, with an
// explicit stack instead of recursion so that deep nesting cannot exhaust
// the goroutine stack.
func (s *scanner) skip() {
	if uint(s.pos) < uint(len(s.buf)) && s.buf[s.pos] == '"' {
		s.str(nil, 0) // most skipped values are strings: no stack to set up
		return
	}
	s.skipAny()
}

func (s *scanner) skipAny() {
	stack := s.stack[:0]
	defer func() { s.stack = stack[:0] }()
value:
	for !s.bad {
		switch c := s.peek(); c {
		case '"':
			s.str(nil, 0)
		case '{':
			s.pos++
			if s.peek() == '}' {
				s.pos++
				break
			}
			if len(stack) >= maxDepth {
				s.bad = true
				return
			}
			stack = append(stack, '}')
			s.str(nil, 0)
			s.expect(':')
			continue value
		case '[':
			s.pos++
			if s.peek() == ']' {
				s.pos++
				break
			}
			if len(stack) >= maxDepth {
				s.bad = true
				return
			}
			stack = append(stack, ']')
			continue value
		default:
			s.scalar(c)
		}
		// After a value: close containers or move to the next element.
		for !s.bad {
			if len(stack) == 0 {
				return
			}
			top := stack[len(stack)-1]
			switch c := s.next(); {
			case c == ',':
				if top == '}' {
					s.str(nil, 0)
					s.expect(':')
				}
				continue value
			case c == int(top):
				stack = stack[:len(stack)-1]
			default:
				s.bad = true
			}
		}
	}
}

// key reads an object key and the colon after it when both are in the
// current chunk and the key has no escape, the shape of nearly every key
// Claude Code writes; it returns the key's bytes in the chunk (valid until
// the scanner moves to the next chunk) and true. Otherwise it consumes
// nothing and returns false, and the caller reads the key the long way.
func (s *scanner) key(limit int) ([]byte, bool) {
	if s.bad || uint(s.pos) >= uint(len(s.buf)) {
		return nil, false
	}
	b := s.buf[s.pos:]
	if b[0] != '"' {
		return nil, false
	}
	// One pass finds the closing quote and refuses an escape: keys are
	// short, so eight bytes at a time and then a plain loop beat a call
	// to IndexByte and a second pass.
	q, i := 0, 1
	for ; i+8 <= len(b) && i <= limit; i += 8 {
		w := swar.Load(b[i:])
		quote, esc := swar.Equal(w, '"'), swar.Equal(w, '\\')
		if quote|esc == 0 {
			continue
		}
		// The lowest marked byte of each mask is exact (package swar).
		if bits.TrailingZeros64(esc) < bits.TrailingZeros64(quote) {
			return nil, false
		}
		q = i + swar.First(quote)
		break
	}
	for ; q == 0 && i < len(b) && i <= limit; i++ {
		if c := b[i]; c == '"' {
			q = i
			break
		} else if c == '\\' {
			return nil, false
		}
	}
	if q == 0 || q+1 >= len(b) || b[q+1] != ':' {
		return nil, false
	}
	k := b[1:q]
	s.pos += q + 2
	return k, true
}

// follows reports, after a member of an object or array, whether another
// follows (a comma) or the container ends (close); anything else is bad.
func (s *scanner) follows(close byte) bool {
	if uint(s.pos) < uint(len(s.buf)) {
		switch s.buf[s.pos] { // compact JSON: no white space to skip
		case ',':
			s.pos++
			return true
		case close:
			s.pos++
			return false
		}
	}
	switch s.next() {
	case ',':
		return true
	case int(close):
		return false
	}
	s.bad = true
	return false
}
