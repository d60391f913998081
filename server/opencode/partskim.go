package opencode

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// A part file of the legacy tree can hold a whole answer, a tool's whole
// output or a whole file as a data URL, up to maxJSONFile. What the list
// takes from it is its type, its session, two flags and the start of its
// text (keptText). json.Unmarshal needed the file whole in memory, at
// every load of its session, so a 12 MB answer cost a 12 MB buffer for a
// line of 200 runes. skimPart reads it through a small buffer instead,
// checking it as json.Unmarshal would (a file it refuses is still passed
// over, and counted), and keeps no more of it than those fields.

const (
	skimBuffer = 32 << 10
	// keyCap: an escaped key longer than this is no field of partInfo
	// (9 characters at most, 6 bytes each escaped).
	keyCap = 64
	// idCap: a sessionID or type whose literal is longer than this is
	// kept cut: no id (maxIDLen) and no type is that long.
	idCap = 1024
	// textCap is the literal that holds keptChars characters, each at
	// most 6 bytes of it (\uXXXX).
	textCap = 6 * keptChars
	// maxSkimDepth is encoding/json's bound on nesting.
	maxSkimDepth = 10000
)

var (
	errSkimEnd    = errors.New("unexpected end of JSON input")
	errSkimDepth  = errors.New("exceeded max depth")
	errSkimObject = errors.New("not a JSON object")
	errSkimType   = errors.New("a field of the wrong type")
)

// skimmer reads one JSON document from r, checking its syntax.
type skimmer struct {
	r     *bufio.Reader
	off   int64 // bytes read, for errors
	depth int
	// tap, when set, is handed every byte read: the page keeps a tool
	// call's input as written (pagepart.go).
	tap *runeKeep
}

// skimPart decodes r into p as json.Unmarshal would: the same fields,
// the same errors (a syntax error, a field of the wrong type, a
// document that is not an object), but holding only a bounded buffer.
func skimPart(r io.Reader, p *partInfo) error {
	return skimDocument(r, func(s *skimmer) error { return s.object(p) })
}

// errRoleRead ends skimRole's read at the role.
var errRoleRead = errors.New("role read")

// skimRole reads the role of a message file: its top-level "role", a
// string (the key matched as json.Unmarshal matches it), reading no
// further than that member. A page asks it of the files after it, to
// learn whether an answer follows, and OpenCode writes the role near the
// start, before a user message's summary, which can hold whole files:
// each was read and decoded whole. What follows the role is not checked,
// so a file cut short after its role still says what it is. A document
// that is no object, or whose members up to the role are not JSON, is
// an error; one with no role leaves role as it was.
func skimRole(r io.Reader, role *string) error {
	s := &skimmer{r: bufio.NewReaderSize(r, roleBuffer)}
	c, err := s.nonSpace()
	switch {
	case err == io.EOF:
		return errSkimEnd
	case err != nil:
		return err
	case c != '{':
		return errSkimObject
	}
	s.depth = 1
	err = s.members(func(key []byte, whole bool, c byte) error {
		if fieldOf(key, whole, "role") != "" {
			if err := s.stringField(c, role); err != nil {
				return err
			}
			return errRoleRead
		}
		return s.value(c)
	})
	if errors.Is(err, errRoleRead) {
		return nil
	}
	return err
}

// roleBuffer is skimRole's buffer: a message file's role is in its
// first hundred bytes or so.
const roleBuffer = 512

// skimDocument reads the one JSON document of r, checking it as
// json.Unmarshal does, with object reading its members (its '{' read)
// when it is an object; null sets nothing, and anything else is checked
// whole and refused (json.Unmarshal reports its syntax first).
func skimDocument(r io.Reader, object func(s *skimmer) error) error {
	s := &skimmer{r: bufio.NewReaderSize(r, skimBuffer)}
	c, err := s.nonSpace()
	if err == io.EOF {
		return errSkimEnd
	}
	if err != nil {
		return err
	}
	switch c {
	case '{':
		err = object(s)
	case 'n':
		err = s.literal("ull") // null: nothing set, as json.Unmarshal does
	default:
		if err = s.value(c); err == nil {
			err = errSkimObject
		}
	}
	if err != nil && !errors.Is(err, errSkimObject) {
		return err
	}
	// Only white space may follow.
	c, rest := s.nonSpace()
	switch {
	case rest == io.EOF:
		return err
	case rest != nil:
		return rest
	}
	return s.syntax(c, "after the top-level value")
}

func (s *skimmer) syntax(c byte, where string) error {
	return fmt.Errorf("invalid character %q %s at offset %d", c, where, s.off)
}

// next is the next byte; the end of r is an error.
func (s *skimmer) next() (byte, error) {
	c, err := s.r.ReadByte()
	if err == io.EOF {
		return 0, errSkimEnd
	}
	if err != nil {
		return 0, err
	}
	s.off++
	if s.tap != nil {
		s.tap.byte(c)
	}
	return c, nil
}

// nonSpace is the next byte that is not JSON white space; io.EOF at the
// end of r.
func (s *skimmer) nonSpace() (byte, error) {
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return 0, err
		}
		s.off++
		if s.tap != nil {
			s.tap.byte(c)
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c, nil
		}
	}
}

// nonSpaceIn is nonSpace inside a value, where the end is an error.
func (s *skimmer) nonSpaceIn() (byte, error) {
	c, err := s.nonSpace()
	if err == io.EOF {
		return 0, errSkimEnd
	}
	return c, err
}

// object reads the top-level object (its '{' read) into p.
func (s *skimmer) object(p *partInfo) error {
	s.depth = 1
	return s.members(func(key []byte, whole bool, c byte) error {
		field := ""
		if whole {
			var k string
			if json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &k) == nil {
				field = k
			}
		}
		switch {
		case strings.EqualFold(field, "sessionID"):
			return s.stringField(c, &p.SessionID)
		case strings.EqualFold(field, "type"):
			return s.stringField(c, &p.Type)
		case strings.EqualFold(field, "text"):
			return s.textField(c, &p.Text)
		case strings.EqualFold(field, "synthetic"):
			return s.boolField(c, &p.Synthetic)
		case strings.EqualFold(field, "ignored"):
			return s.boolField(c, &p.Ignored)
		}
		return s.value(c)
	})
}

// members reads an object's members up to its '}' (its '{' read),
// calling member with each key (its literal, escapes undecoded, at most
// keyCap bytes; whole when that is all of it) and the first byte of its
// value, which member reads.
func (s *skimmer) members(member func(key []byte, whole bool, c byte) error) error {
	c, err := s.nonSpaceIn()
	if err != nil || c == '}' {
		return err
	}
	var key []byte
	for {
		if c != '"' {
			return s.syntax(c, "looking for the beginning of an object key")
		}
		var whole bool
		if key, whole, err = s.str(key[:0], keyCap); err != nil {
			return err
		}
		if c, err = s.nonSpaceIn(); err != nil {
			return err
		}
		if c != ':' {
			return s.syntax(c, "after an object key")
		}
		if c, err = s.nonSpaceIn(); err != nil {
			return err
		}
		if err := member(key, whole, c); err != nil {
			return err
		}
		if c, err = s.nonSpaceIn(); err != nil {
			return err
		}
		switch c {
		case '}':
			return nil
		case ',':
		default:
			return s.syntax(c, "after an object value")
		}
		if c, err = s.nonSpaceIn(); err != nil {
			return err
		}
	}
}

// value checks one value whose first byte is c, keeping nothing of it.
func (s *skimmer) value(c byte) error {
	switch {
	case c == '"':
		_, _, err := s.str(nil, 0)
		return err
	case c == '{':
		if s.depth++; s.depth > maxSkimDepth {
			return errSkimDepth
		}
		err := s.members(func(_ []byte, _ bool, c byte) error { return s.value(c) })
		s.depth--
		return err
	case c == '[':
		if s.depth++; s.depth > maxSkimDepth {
			return errSkimDepth
		}
		err := s.elements()
		s.depth--
		return err
	case c == 't':
		return s.literal("rue")
	case c == 'f':
		return s.literal("alse")
	case c == 'n':
		return s.literal("ull")
	case c == '-' || '0' <= c && c <= '9':
		return s.number(c)
	}
	return s.syntax(c, "looking for the beginning of a value")
}

// elements reads an array's values up to its ']' (its '[' read).
func (s *skimmer) elements() error {
	c, err := s.nonSpaceIn()
	if err != nil || c == ']' {
		return err
	}
	for {
		if err := s.value(c); err != nil {
			return err
		}
		if c, err = s.nonSpaceIn(); err != nil {
			return err
		}
		switch c {
		case ']':
			return nil
		case ',':
		default:
			return s.syntax(c, "after an array element")
		}
		if c, err = s.nonSpaceIn(); err != nil {
			return err
		}
	}
}

// literal reads the rest of true, false or null.
func (s *skimmer) literal(rest string) error {
	for i := range len(rest) {
		c, err := s.next()
		if err != nil {
			return err
		}
		if c != rest[i] {
			return s.syntax(c, "in a literal")
		}
	}
	return nil
}

// number reads a number whose first byte c was read, leaving the byte
// after it unread.
func (s *skimmer) number(c byte) error {
	var err error
	if c == '-' {
		if c, err = s.next(); err != nil {
			return err
		}
	}
	switch {
	case c == '0':
	case '1' <= c && c <= '9':
		if err := s.digits(false); err != nil {
			return err
		}
	default:
		return s.syntax(c, "in a number")
	}
	if s.peekIs(".") {
		s.next()
		if err := s.digits(true); err != nil {
			return err
		}
	}
	if s.peekIs("eE") {
		s.next()
		if s.peekIs("+-") {
			s.next()
		}
		return s.digits(true)
	}
	return nil
}

// digits reads digits, one at least when need, leaving the byte after
// them unread.
func (s *skimmer) digits(need bool) error {
	for {
		b, err := s.r.Peek(1)
		if len(b) == 0 || b[0] < '0' || b[0] > '9' {
			if !need {
				return nil
			}
			if len(b) == 0 {
				if err == io.EOF {
					return errSkimEnd
				}
				return err
			}
			return s.syntax(b[0], "in a number")
		}
		s.next()
		need = false
	}
}

// peekIs reports whether the next byte is one of set, leaving it unread.
func (s *skimmer) peekIs(set string) bool {
	b, _ := s.r.Peek(1)
	return len(b) == 1 && strings.IndexByte(set, b[0]) >= 0
}

// plain returns the plain bytes of a string literal buffered next (none
// before a quote, a backslash or a control byte), unread: a string can
// be megabytes, and is walked a buffer at a time, not a byte.
func (s *skimmer) plain() []byte {
	buf, _ := s.r.Peek(max(s.r.Buffered(), 1))
	n := 0
	for n < len(buf) && buf[n] >= 0x20 && buf[n] != '"' && buf[n] != '\\' {
		n++
	}
	return buf[:n]
}

// consume reads the n bytes plain returned.
func (s *skimmer) consume(n int) {
	s.r.Discard(n)
	s.off += int64(n)
}

// str reads the rest of a string literal (its opening quote read),
// checking it, and appends to keep the first bytes of it as written
// (escapes undecoded), up to room bytes more, cut between two
// characters or escapes. whole reports that keep has all of it.
func (s *skimmer) str(keep []byte, room int) (_ []byte, whole bool, _ error) {
	limit := len(keep) + room
	whole = true
	add := func(b ...byte) {
		if whole && len(keep)+len(b) <= limit {
			keep = append(keep, b...)
		} else {
			whole = false
		}
	}
	for {
		if buf := s.plain(); len(buf) > 0 {
			n := len(buf)
			if whole && len(keep)+n > limit {
				// Cut at a character's start: the literal is UTF-8 as
				// written, and keptText counts characters.
				fit := limit - len(keep)
				for fit > 0 && buf[fit]&0xC0 == 0x80 {
					fit--
				}
				keep = append(keep, buf[:fit]...)
				whole = false
			} else if whole {
				keep = append(keep, buf...)
			}
			if s.tap != nil {
				s.tap.run(buf)
			}
			s.consume(n)
			continue
		}
		c, err := s.next()
		if err != nil {
			return keep, false, err
		}
		switch {
		case c == '"':
			return keep, whole, nil
		case c < 0x20:
			return keep, false, s.syntax(c, "in a string literal")
		}
		// c is '\\'.
		e, err := s.next()
		if err != nil {
			return keep, false, err
		}
		switch e {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			add(c, e)
		case 'u':
			esc := []byte{c, e, 0, 0, 0, 0}
			for i := 2; i < 6; i++ {
				if esc[i], err = s.next(); err != nil {
					return keep, false, err
				}
				if !isHex(esc[i]) {
					return keep, false, s.syntax(esc[i], "in a \\u escape")
				}
			}
			add(esc...)
		default:
			return keep, false, s.syntax(e, "in a string escape")
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// typed starts a field's value, its first byte c read, as json.Unmarshal
// reads one into a field whose values open with open: it reports true
// when the value is of that kind, to be read on; null (which leaves the
// field) and a value of another kind (checked whole, then errSkimType)
// are done with.
func (s *skimmer) typed(c, open byte) (more bool, err error) {
	switch c {
	case open:
		return true, nil
	case 'n':
		return false, s.literal("ull")
	}
	if err := s.value(c); err != nil {
		return false, err
	}
	return false, errSkimType
}

// stringField reads a string field's value into v, as json.Unmarshal
// does: null leaves v, another type is an error. A literal longer than
// idCap is kept cut (no field read this way is that long).
func (s *skimmer) stringField(c byte, v *string) error {
	if more, err := s.typed(c, '"'); !more {
		return err
	}
	lit, _, err := s.str([]byte{'"'}, idCap)
	if err != nil {
		return err
	}
	return json.Unmarshal(append(lit, '"'), v)
}

// boolField reads a boolean field's value into v: null leaves v.
func (s *skimmer) boolField(c byte, v *bool) error {
	switch c {
	case 't':
		*v = true
		return s.literal("rue")
	case 'f':
		*v = false
		return s.literal("alse")
	case 'n':
		return s.literal("ull")
	}
	if err := s.value(c); err != nil {
		return err
	}
	return errSkimType
}

// textField reads the text's value into v as keptText's UnmarshalJSON
// would, from the start of the literal: its white space first (as
// afterSpace skips it, which can be any length), then textCap bytes.
func (s *skimmer) textField(c byte, v *keptText) error {
	*v = ""
	if c != '"' {
		return s.value(c) // null, a number, an object: no text
	}
	for {
		b, _ := s.r.Peek(2)
		switch {
		case len(b) >= 1 && b[0] == ' ':
			s.next()
			continue
		case len(b) == 2 && b[0] == '\\' && (b[1] == 'n' || b[1] == 't' || b[1] == 'r'):
			s.next()
			s.next()
			continue
		}
		break
	}
	lit, _, err := s.str([]byte{'"'}, textCap)
	if err != nil {
		return err
	}
	return v.UnmarshalJSON(append(lit, '"'))
}
