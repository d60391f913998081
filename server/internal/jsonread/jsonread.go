// Package jsonread reads JSON in one pass, checking it as it decodes,
// for decoders that take the shapes they know and give up on anything
// else, where encoding/json then decodes: json.Unmarshal checks its
// whole input in one pass and decodes it by reflection in another,
// which on small values costs more than the work itself. Every method
// refuses (false) what encoding/json would refuse; what a decoder built
// on it takes must be what encoding/json would make of it, which its
// own fuzz test checks against encoding/json.
package jsonread

import (
	"encoding/json"
	"strconv"
	"strings"

	"vibecraft.sh/helm/server/internal/jsonstr"
	"vibecraft.sh/helm/server/internal/swar"
)

// MaxDepth bounds the reader's recursion: a value nested deeper is
// refused (its decoder leaves it to encoding/json).
const MaxDepth = 64

// Reader is one pass over a JSON text.
type Reader struct {
	b []byte
	i int
}

// New returns a Reader at the start of b.
func New(b []byte) *Reader { return &Reader{b: b} }

func (d *Reader) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// Peek is the next byte that is not white space, 0 at the end.
func (d *Reader) Peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// Str reads the string that starts at the next byte, checking it as
// encoding/json does. body is between its quotes; plain says it has no escape and no
// byte outside ASCII, so it is its own decoded form.
func (d *Reader) Str() (body []byte, plain, ok bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false, false
	}
	start := d.i + 1
	plain = true
	for j := start; j < len(d.b); j++ {
		// Eight bytes at a time while none is special: most of a
		// string is printable ASCII. A word with one goes straight to
		// the first.
		for j+8 <= len(d.b) {
			if m := special(swar.Load(d.b[j:])); m != 0 {
				j += swar.First(m)
				break
			}
			j += 8
		}
		if j >= len(d.b) {
			break
		}
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			return d.b[start:j], plain, true
		case c == '\\':
			plain = false
			j++
			if j >= len(d.b) {
				return nil, false, false
			}
			switch d.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(d.b) {
					return nil, false, false
				}
				for _, h := range d.b[j+1 : j+5] {
					if !isHex(h) {
						return nil, false, false
					}
				}
				j += 4
			default:
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		case c >= 0x80:
			plain = false
		}
	}
	return nil, false, false
}

// special marks the bytes of w that Str must look at: a quote, a
// backslash, a control character or a byte outside ASCII. The lowest
// mark is the first such byte (package swar).
func special(w uint64) uint64 {
	return w&swar.Highs | swar.Equal(w, '"') | swar.Equal(w, '\\') | swar.Below(w, 0x20)
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Number reads a number by JSON's grammar.
func (d *Reader) Number() bool {
	b, j := d.b, d.i
	if j < len(b) && b[j] == '-' {
		j++
	}
	if j < len(b) && b[j] == '0' {
		j++
	} else if j = digits(b, j); j == -1 {
		return false
	}
	if j < len(b) && b[j] == '.' {
		if j = digits(b, j+1); j == -1 {
			return false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j = digits(b, j); j == -1 {
			return false
		}
	}
	d.i = j
	return true
}

// digits is where the run of digits at b[j:] ends, -1 when there is none.
func digits(b []byte, j int) int {
	k := j
	for k < len(b) && isDigit(b[k]) {
		k++
	}
	if k == j {
		return -1
	}
	return k
}

// Literal reads s (true, false or null) at the next byte.
func (d *Reader) Literal(s string) bool {
	if len(d.b)-d.i < len(s) || string(d.b[d.i:d.i+len(s)]) != s {
		return false
	}
	d.i += len(s)
	return true
}

// Value reads and checks any value.
func (d *Reader) Value(depth int) bool {
	switch c := d.Peek(); {
	case c == '"':
		_, _, ok := d.Str()
		return ok
	case c == '{':
		return d.Object(depth, func([]byte) bool { return d.Value(depth + 1) })
	case c == '[':
		return d.Array(depth, func() bool { return d.Value(depth + 1) })
	case c == 't':
		return d.Literal("true")
	case c == 'f':
		return d.Literal("false")
	case c == 'n':
		return d.Literal("null")
	case c == '-' || isDigit(c):
		return d.Number()
	}
	return false
}

// Object reads the object that starts at the next byte, calling member
// with each key (plain: see Str) to read its value; false from member,
// or a key that is not plain, gives up.
func (d *Reader) Object(depth int, member func(key []byte) bool) bool {
	return d.container(depth, '{', '}', func() bool {
		if d.Peek() != '"' {
			return false
		}
		key, plain, ok := d.Str()
		if !ok || !plain || d.Peek() != ':' {
			return false
		}
		d.i++
		return member(key)
	})
}

// Array reads the array that starts at the next byte, calling elem for
// each value.
func (d *Reader) Array(depth int, elem func() bool) bool {
	return d.container(depth, '[', ']', elem)
}

// container reads open, then elements separated by commas (each read by
// elem), then close.
func (d *Reader) container(depth int, open, close byte, elem func() bool) bool {
	if depth >= MaxDepth || d.Peek() != open {
		return false
	}
	d.i++
	if d.Peek() == close {
		d.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch d.Peek() {
		case ',':
			d.i++
		case close:
			d.i++
			return true
		default:
			return false
		}
	}
}

// Other reads the value of a key no field has: false when encoding/json
// would match it to one of names all the same (its match ignores case).
func (d *Reader) Other(key []byte, names []string, depth int) bool {
	for _, n := range names {
		if len(key) == len(n) && strings.EqualFold(string(key), n) {
			return false
		}
	}
	return d.Value(depth)
}

// Once marks field bit in seen; false when it was already (a key given
// twice: encoding/json's rules for that are not reproduced here).
func Once(seen *uint32, bit uint32) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

// StringInto reads a string into *dst as encoding/json decodes it; null
// leaves *dst; any other value is refused.
func (d *Reader) StringInto(dst *string) bool {
	switch d.Peek() {
	case '"':
		body, plain, ok := d.Str()
		if !ok {
			return false
		}
		if plain {
			*dst = string(body)
		} else {
			*dst = string(jsonstr.Unescape(make([]byte, 0, len(body)), body))
		}
		return true
	case 'n':
		return d.Literal("null") // leaves *dst, as encoding/json does
	}
	return false
}

// BoolInto reads true or false into *dst; null leaves it.
func (d *Reader) BoolInto(dst *bool) bool {
	switch d.Peek() {
	case 't':
		*dst = true
		return d.Literal("true")
	case 'f':
		*dst = false
		return d.Literal("false")
	case 'n':
		return d.Literal("null")
	}
	return false
}

// RawInto reads any value and copies it into *dst as it is written, as
// json.RawMessage does (null included).
func (d *Reader) RawInto(dst *json.RawMessage, depth int) bool {
	d.ws()
	start := d.i
	if !d.Value(depth) {
		return false
	}
	*dst = append((*dst)[:0], d.b[start:d.i]...)
	return true
}

// Int64Into reads an integer that fits an int64 into *dst; null leaves
// it.
func (d *Reader) Int64Into(dst *int64) bool {
	v, ok, null := d.integer(64)
	if ok && !null {
		*dst = v
	}
	return ok
}

// IntInto reads an integer that fits an int into *dst; null leaves it.
func (d *Reader) IntInto(dst *int) bool {
	v, ok, null := d.integer(strconv.IntSize)
	if ok && !null {
		*dst = int(v)
	}
	return ok
}

// integer reads an integer of bits bits, or null.
func (d *Reader) integer(bits int) (v int64, ok, null bool) {
	n, ok, null := d.number()
	if !ok || null {
		return 0, ok, null
	}
	v, err := strconv.ParseInt(string(n), 10, bits)
	return v, err == nil, false // a fraction, an exponent, out of range: encoding/json's error
}

// Float64Into reads a number into *dst as encoding/json does (one past
// a float64's range is its error); null leaves it.
func (d *Reader) Float64Into(dst *float64) bool {
	n, ok, null := d.number()
	if !ok || null {
		return ok
	}
	v, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return false
	}
	*dst = v
	return true
}

// number reads a number, giving its text, or null.
func (d *Reader) number() (n []byte, ok, null bool) {
	switch c := d.Peek(); {
	case c == 'n':
		return nil, d.Literal("null"), true
	case c == '-' || isDigit(c):
		start := d.i
		if !d.Number() {
			return nil, false, false
		}
		return d.b[start:d.i], true, false
	}
	return nil, false, false
}

// StructInto reads an object into a struct field by fields, or null,
// which leaves it as it is.
func (d *Reader) StructInto(depth int, fields func(key []byte) bool) bool {
	if d.Peek() == 'n' {
		return d.Literal("null")
	}
	return d.Object(depth, fields)
}

// End reports whether only white space is left.
func (d *Reader) End() bool {
	d.ws()
	return d.i == len(d.b)
}
