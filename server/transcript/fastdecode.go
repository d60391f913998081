package transcript

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
	"strings"

	"vibecraft.sh/helm/server/internal/jsonstr"
)

// A page and a find decode every line they read into a line and its
// content blocks. json.Unmarshal checks its whole input in one pass and
// then decodes it in another, through reflection: in a find over a
// transcript of many small records, the two were half of its time. The
// fast decoder below checks and decodes in one pass, for the shape
// Claude Code writes, and gives up (false) on anything where it could
// differ from encoding/json: a key written with an escape or outside
// ASCII, one that matches a field only without regard to case (as
// encoding/json matches them), a field given twice, a value of the
// wrong type, a number that is not a plain int64, nesting past
// fastMaxDepth, and any input encoding/json would reject. The caller
// then decodes with encoding/json, so the result is always the one
// encoding/json gives (FuzzFastLine, FuzzFastBlocks).

// fastMaxDepth bounds the decoder's recursion; deeper values are left
// to encoding/json.
const fastMaxDepth = 64

type fastDec struct {
	b []byte
	i int
}

func (d *fastDec) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek is the next byte that is not white space, 0 at the end.
func (d *fastDec) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// str reads the string that starts at d.i, checking it as encoding/json
// does. body is between its quotes; plain says it has no escape and no
// byte outside ASCII, so it is its own decoded form.
func (d *fastDec) str() (body []byte, plain, ok bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false, false
	}
	start := d.i + 1
	plain = true
	for j := start; j < len(d.b); j++ {
		// Eight bytes at a time while none is special: most of a
		// string is printable ASCII.
		for j+8 <= len(d.b) && !special(binary.LittleEndian.Uint64(d.b[j:])) {
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

// special reports whether one of the eight bytes of w is one str must
// look at: a quote, a backslash, a control character or a byte outside
// ASCII. (x-lows)&^x&highs is set for a zero byte of x, and every byte
// below 0x20 of w is set in (w-0x20×lows)&^w&highs, when w is ASCII.
func special(w uint64) bool {
	const lows, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(x uint64) uint64 { return (x - lows) &^ x & highs }
	return (w&highs | zero(w^'"'*lows) | zero(w^'\\'*lows) | (w-0x20*lows)&^w&highs) != 0
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number reads a number by JSON's grammar.
func (d *fastDec) number() bool {
	b, j := d.b, d.i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		for j < len(b) && isDigit(b[j]) {
			j++
		}
	default:
		return false
	}
	if j < len(b) && b[j] == '.' {
		j++
		k := j
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j == k {
			return false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := j
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j == k {
			return false
		}
	}
	d.i = j
	return true
}

func (d *fastDec) literal(s string) bool {
	if len(d.b)-d.i < len(s) || string(d.b[d.i:d.i+len(s)]) != s {
		return false
	}
	d.i += len(s)
	return true
}

// value reads and checks any value.
func (d *fastDec) value(depth int) bool {
	switch c := d.peek(); {
	case c == '"':
		_, _, ok := d.str()
		return ok
	case c == '{':
		return d.object(depth, func([]byte) bool { return d.value(depth + 1) })
	case c == '[':
		return d.array(depth, func() bool { return d.value(depth + 1) })
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || isDigit(c):
		return d.number()
	}
	return false
}

// object reads the object that starts at d.i, calling member with each
// key (plain: see str) to read its value; false from member, or a key
// that is not plain, gives up.
func (d *fastDec) object(depth int, member func(key []byte) bool) bool {
	if depth >= fastMaxDepth || d.peek() != '{' {
		return false
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		return true
	}
	for {
		if d.peek() != '"' {
			return false
		}
		key, plain, ok := d.str()
		if !ok || !plain || d.peek() != ':' {
			return false
		}
		d.i++
		if !member(key) {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// array reads the array that starts at d.i, calling elem for each value.
func (d *fastDec) array(depth int, elem func() bool) bool {
	if depth >= fastMaxDepth || d.peek() != '[' {
		return false
	}
	d.i++
	if d.peek() == ']' {
		d.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return true
		default:
			return false
		}
	}
}

// other reads the value of a key no field has: false when encoding/json
// would match it to one of names all the same (its match ignores case).
func (d *fastDec) other(key []byte, names []string, depth int) bool {
	for _, n := range names {
		if len(key) == len(n) && strings.EqualFold(string(key), n) {
			return false
		}
	}
	return d.value(depth)
}

// once marks field bit in seen; false when it was already (a key given
// twice: encoding/json's rules for that are not reproduced here).
func once(seen *uint32, bit uint32) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

func (d *fastDec) stringInto(dst *string) bool {
	switch d.peek() {
	case '"':
		body, plain, ok := d.str()
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
		return d.literal("null") // leaves *dst, as encoding/json does
	}
	return false
}

func (d *fastDec) boolInto(dst *bool) bool {
	switch d.peek() {
	case 't':
		*dst = true
		return d.literal("true")
	case 'f':
		*dst = false
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return false
}

func (d *fastDec) rawInto(dst *json.RawMessage, depth int) bool {
	d.ws()
	start := d.i
	if !d.value(depth) {
		return false
	}
	*dst = append((*dst)[:0], d.b[start:d.i]...)
	return true
}

func (d *fastDec) int64Into(dst *int64) bool {
	switch c := d.peek(); {
	case c == 'n':
		return d.literal("null")
	case c == '-' || isDigit(c):
		start := d.i
		if !d.number() {
			return false
		}
		n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
		if err != nil {
			return false // a fraction, an exponent, out of range: encoding/json's error
		}
		*dst = n
		return true
	}
	return false
}

// structInto reads an object into a struct field by fields, or null,
// which leaves it as it is.
func (d *fastDec) structInto(depth int, fields func(key []byte) bool) bool {
	if d.peek() == 'n' {
		return d.literal("null")
	}
	return d.object(depth, fields)
}

// end reports whether only white space is left.
func (d *fastDec) end() bool {
	d.ws()
	return d.i == len(d.b)
}

var (
	lineNames    = []string{"type", "subtype", "uuid", "timestamp", "isMeta", "isCompactSummary", "isSidechain", "isApiErrorMessage", "content", "level", "error", "message", "toolUseResult", "compactMetadata"}
	messageNames = []string{"id", "model", "content"}
	compactNames = []string{"trigger", "preTokens"}
	blockNames   = []string{"type", "text", "thinking", "id", "name", "input", "tool_use_id", "content", "is_error", "source"}
	sourceNames  = []string{"media_type", "data"}
)

// fastLine decodes b into l as json.Unmarshal(b, l) would, or reports
// false having perhaps written some of l's fields (the caller restores
// it and decodes with encoding/json).
func fastLine(b []byte, l *line) bool {
	d := fastDec{b: b}
	var seen uint32
	ok := d.object(0, func(key []byte) bool {
		switch string(key) {
		case "type":
			return once(&seen, 1<<0) && d.stringInto(&l.Type)
		case "subtype":
			return once(&seen, 1<<1) && d.stringInto(&l.Subtype)
		case "uuid":
			return once(&seen, 1<<2) && d.stringInto(&l.UUID)
		case "timestamp":
			return once(&seen, 1<<3) && d.stringInto(&l.Timestamp)
		case "isMeta":
			return once(&seen, 1<<4) && d.boolInto(&l.IsMeta)
		case "isCompactSummary":
			return once(&seen, 1<<5) && d.boolInto(&l.IsCompactSummary)
		case "isSidechain":
			return once(&seen, 1<<6) && d.boolInto(&l.IsSidechain)
		case "isApiErrorMessage":
			return once(&seen, 1<<7) && d.boolInto(&l.IsAPIError)
		case "content":
			return once(&seen, 1<<8) && d.rawInto(&l.Content, 1)
		case "level":
			return once(&seen, 1<<9) && d.stringInto(&l.Level)
		case "error":
			return once(&seen, 1<<10) && d.rawInto(&l.Error, 1)
		case "toolUseResult":
			return once(&seen, 1<<11) && d.rawInto(&l.ToolUseResult, 1)
		case "message":
			var in uint32
			return once(&seen, 1<<12) && d.structInto(1, func(key []byte) bool {
				switch string(key) {
				case "id":
					return once(&in, 1<<0) && d.stringInto(&l.Message.ID)
				case "model":
					return once(&in, 1<<1) && d.stringInto(&l.Message.Model)
				case "content":
					return once(&in, 1<<2) && d.rawInto(&l.Message.Content, 2)
				}
				return d.other(key, messageNames, 2)
			})
		case "compactMetadata":
			var in uint32
			return once(&seen, 1<<13) && d.structInto(1, func(key []byte) bool {
				switch string(key) {
				case "trigger":
					return once(&in, 1<<0) && d.stringInto(&l.CompactMeta.Trigger)
				case "preTokens":
					return once(&in, 1<<1) && d.int64Into(&l.CompactMeta.PreTokens)
				}
				return d.other(key, compactNames, 2)
			})
		}
		return d.other(key, lineNames, 1)
	})
	return ok && d.end()
}

// fastBlocks decodes raw, a JSON array, into content blocks as
// json.Unmarshal(raw, &out) would from a nil out, or reports false.
func fastBlocks(raw []byte) ([]content, bool) {
	d := fastDec{b: raw}
	out := []content{}
	ok := d.array(0, func() bool {
		out = append(out, content{})
		c := &out[len(out)-1]
		if d.peek() == 'n' {
			return d.literal("null") // a zero block, as encoding/json leaves it
		}
		var seen uint32
		return d.object(1, func(key []byte) bool {
			switch string(key) {
			case "type":
				return once(&seen, 1<<0) && d.stringInto(&c.Type)
			case "text":
				return once(&seen, 1<<1) && d.stringInto(&c.Text)
			case "thinking":
				return once(&seen, 1<<2) && d.stringInto(&c.Thinking)
			case "id":
				return once(&seen, 1<<3) && d.stringInto(&c.ID)
			case "name":
				return once(&seen, 1<<4) && d.stringInto(&c.Name)
			case "input":
				return once(&seen, 1<<5) && d.rawInto(&c.Input, 2)
			case "tool_use_id":
				return once(&seen, 1<<6) && d.stringInto(&c.ToolUseID)
			case "content":
				return once(&seen, 1<<7) && d.rawInto(&c.Content, 2)
			case "is_error":
				return once(&seen, 1<<8) && d.boolInto(&c.IsError)
			case "source":
				var in uint32
				return once(&seen, 1<<9) && d.structInto(2, func(key []byte) bool {
					switch string(key) {
					case "media_type":
						return once(&in, 1<<0) && d.stringInto(&c.Source.MediaType)
					case "data":
						return once(&in, 1<<1) && d.stringInto(&c.Source.Data)
					}
					return d.other(key, sourceNames, 3)
				})
			}
			return d.other(key, blockNames, 2)
		})
	})
	if !ok || !d.end() {
		return nil, false
	}
	return out, true
}
