package shared

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// What an opened tool call shows of its input, here so that the page
// that shows it and the find that searches it (on the page and in
// helmd) read the same text: a find that misses the Edit whose
// new_string says parseConfig, on a page that shows it, is a find the
// reader cannot trust.

// InputField is one member of a tool call's input as the page shows
// it: a string as it reads, any other value as indented JSON.
type InputField struct{ Name, Value string }

// ShowsInput reports whether the page shows t's input when the call is
// opened: not when there is none, or it is null or an empty object.
func (t *Tool) ShowsInput() bool {
	return len(t.Input) > 0 && string(t.Input) != "null" && string(t.Input) != "{}"
}

// InputFields is raw's members in their order, or false when raw is
// not a JSON object. It reads raw as json.Decoder's Token API did when
// it was written with it (input_ref_test.go holds that version, and
// FuzzInputFieldsSame holds this one to it): what follows the members,
// or a closing brace that never comes, does not matter; a value is
// read whole, within the 10,000 levels json.Valid allows.
func InputFields(raw json.RawMessage) ([]InputField, bool) {
	i := skipSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return nil, false
	}
	var out []InputField
	for i++; ; {
		i = skipSpace(raw, i)
		if i == len(raw) || raw[i] == '}' || raw[i] == ']' {
			return out, true
		}
		if out != nil {
			if raw[i] != ',' {
				return nil, false
			}
			i = skipSpace(raw, i+1)
		}
		name, j, ok := readString(raw, i)
		if !ok {
			return nil, false
		}
		if i = skipSpace(raw, j); i == len(raw) || raw[i] != ':' {
			return nil, false
		}
		i = skipSpace(raw, i+1)
		j = valueEnd(raw, i)
		v := raw[i:max(i, j)]
		if j < 0 || !json.Valid(v) {
			return nil, false
		}
		var s string
		switch v[0] {
		case '"':
			s, _, _ = readString(v, 0)
		case 'n': // null reads as no text, as it did when decoded into a string
		default:
			var err error
			if s, err = indentJSON(v); err != nil {
				s = string(v) // nested past maxShownDepth: as written
			}
		}
		out = append(out, InputField{name, s})
		i = j
	}
}

// InputJSON is raw as the page shows an input it does not take apart
// (not an object, or cut by the server): indented, written as
// InputFields writes a value; raw itself when it is not JSON.
func InputJSON(raw json.RawMessage) string {
	s, err := indentJSON(raw)
	if err != nil {
		return string(raw)
	}
	return s
}

// InputTexts is what the page shows of t's input once the call is
// opened: its fields' values, or its JSON when the page does not take
// it apart; nil when it shows none.
func InputTexts(t *Tool) []string {
	if !t.ShowsInput() {
		return nil
	}
	if fields, ok := InputFields(t.Input); ok && t.InputCut == nil {
		out := make([]string, len(fields))
		for i, f := range fields {
			out[i] = f.Value
		}
		return out
	}
	return []string{InputJSON(t.Input)}
}

// indentJSON writes the JSON value raw indented by two spaces, as
// written: members in their order (decoded into a map they came sorted,
// and a MultiEdit's new_string showed above its old_string), numbers as
// written (1e2 is not 100), strings escaped only where JSON must ("&&",
// not "\u0026\u0026") however raw escaped them, so that any encoding of
// a value shows the same text: the page's and helmd's copies of an
// input are encoded differently. Byte by byte, with a stack of its own,
// so that no nesting recurses. A value nested past maxShownDepth is
// refused (and shown as written): each line of it is indented by its
// depth, so the text written grows with the square of the depth, ~200 MB
// for a tool input of 20 KB nested 10,000 deep, on every find that
// searches it.
func indentJSON(raw []byte) (string, error) {
	var (
		b     []byte
		stack []byte // the closing bracket of each level open
		i     int
	)
	newline := func(depth int) {
		b = append(b, '\n')
		for range depth {
			b = append(b, "  "...)
		}
	}
	// key reads an object's member's name and its colon.
	key := func() bool {
		s, j, ok := readString(raw, skipSpace(raw, i))
		if !ok {
			return false
		}
		if i = skipSpace(raw, j); i == len(raw) || raw[i] != ':' {
			return false
		}
		i++
		b = append(appendString(b, s), ": "...)
		return true
	}
	for {
		// A value.
		i = skipSpace(raw, i)
		if i < len(raw) && (raw[i] == '{' || raw[i] == '[') {
			c := raw[i]
			b = append(b, c)
			i = skipSpace(raw, i+1)
			if i < len(raw) && raw[i] == c+2 { // empty: {} or []
				b = append(b, c+2)
				i++
			} else {
				if len(stack) == maxShownDepth {
					return "", errTooDeep
				}
				stack = append(stack, c+2)
				newline(len(stack))
				if c == '{' && !key() {
					return "", errNotJSON
				}
				continue
			}
		} else {
			j := valueEnd(raw, i)
			if j < 0 {
				return "", errNotJSON
			}
			if raw[i] == '"' {
				s, _, ok := readString(raw, i)
				if !ok {
					return "", errNotJSON
				}
				b = appendString(b, s)
			} else if v := raw[i:j]; json.Valid(v) {
				b = append(b, v...) // a number as written, or true, false, null
			} else {
				return "", errNotJSON
			}
			i = j
		}
		// The levels the value ends, up to one that goes on.
		for {
			i = skipSpace(raw, i)
			n := len(stack)
			if n == 0 {
				if i < len(raw) {
					return "", errNotJSON // more than one value
				}
				return string(b), nil
			}
			if i == len(raw) {
				return "", errNotJSON
			}
			if raw[i] == ',' {
				b = append(b, ',')
				newline(n)
				i++
				if stack[n-1] == '}' && !key() {
					return "", errNotJSON
				}
				break
			}
			if raw[i] != stack[n-1] {
				return "", errNotJSON
			}
			stack = stack[:n-1]
			newline(n - 1)
			b = append(b, raw[i])
			i++
		}
	}
}

var (
	errNotJSON = errors.New("not one JSON value")
	errTooDeep = errors.New("nested deeper than the page indents")
)

// maxShownDepth is the deepest nesting a tool input is indented to: far
// past what a tool's input holds (a few levels), low enough that the
// indentation written stays within a small multiple of the input.
const maxShownDepth = 32

// skipSpace is the index of the first byte from i on that is not
// space as JSON has it.
func skipSpace(raw []byte, i int) int {
	for i < len(raw) && strings.IndexByte(" \t\n\r", raw[i]) >= 0 {
		i++
	}
	return i
}

// valueEnd is the index just past the value that begins at raw[i], as
// far as its quotes and brackets say, or -1 when raw ends first; what
// it spans is not checked. A number or a literal ends at the first byte
// that could follow a value, as json.Decoder ended it: a byte of it
// that cannot follow is an error there too, read as a value or not.
func valueEnd(raw []byte, i int) int {
	if i < len(raw) && strings.IndexByte(`"{[`, raw[i]) < 0 {
		for i < len(raw) && strings.IndexByte(" \t\n\r,:{}[]\"", raw[i]) < 0 {
			i++
		}
		return i
	}
	depth := 0
	for ; i < len(raw); i++ {
		switch raw[i] {
		case '"':
			for i++; i < len(raw) && raw[i] != '"'; i++ {
				if raw[i] == '\\' {
					i++
				}
			}
			if i >= len(raw) {
				return -1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
		if depth == 0 {
			return i + 1
		}
	}
	return -1
}

// readString reads the JSON string at raw[i] as json.Unmarshal does (a
// byte that is not UTF-8, or a lone surrogate, reads as U+FFFD), and
// the index just past it; false when there is none, or it is not valid.
func readString(raw []byte, i int) (string, int, bool) {
	if i == len(raw) || raw[i] != '"' {
		return "", 0, false
	}
	j := valueEnd(raw, i)
	var s string
	if j < 0 || json.Unmarshal(raw[i:j], &s) != nil {
		return "", 0, false
	}
	return s, j, true
}

// appendString appends s as a JSON string, escaped only where JSON
// must, as encoding/json does with SetEscapeHTML(false): a quote, a
// backslash and control characters, and U+2028 and U+2029, which
// JavaScript reads as line ends. One place that appends an escape: in
// the client's wasm each append written out costs its own code.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		if r >= 0x20 && r != '"' && r != '\\' && r != '\u2028' && r != '\u2029' {
			b = utf8.AppendRune(b, r) // s is UTF-8: json.Unmarshal gave it
			continue
		}
		esc := []byte{'\\', 'u', hexDigits[r>>12], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF]}
		if k := strings.IndexRune("\"\\\b\f\n\r\t", r); k >= 0 {
			esc = append(esc[:1], `"\bfnrt`[k])
		}
		b = append(b, esc...)
	}
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"
