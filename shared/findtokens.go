package shared

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"
)

// FindTokens tells the JSON that may hold a term, once decoded and shown,
// from the JSON that cannot, without decoding it, conservatively: JSON it
// lets through may not show the term, JSON it stops cannot. helmd's find
// passes over the transcript lines it stops (server/transcript,
// findskip.go), and Shows over the tool inputs it stops, which it would
// otherwise write out again as the page shows them.
//
// A shown text is a decoded string of the JSON, cut (a prefix), several
// joined by a line break (a result's text blocks), or a value written
// again as JSON (InputJSON). Its folded form holds the folded term only
// if the JSON, folded as text, holds each of the term's tokens: runs of
// printable ASCII other than the quote, the backslash and the slash,
// which JSON may write escaped, and the marks of JSON's structure
// ({}[],:), less the spaces they start or end with, which a value
// written again indented puts elsewhere (`"done": true` where the line
// says {"done":true}). The spaces inside a token stay: a phrase whose
// words are each on every line still rules most of them out.
//
// Other escapes (\uXXXX) may write any character, so JSON with one is
// let through, unless it is a control character's that InputJSON writes
// again as it was (it writes a line break as \n, so \u000a is let
// through, \u0007 not: no token holds a control character); so is JSON
// with a line or paragraph separator as it is, which InputJSON writes
// as \u2028 or \u2029. ESC's (\u001b) is let through too: an output
// or a result is shown without its terminal escapes (StripEscapes),
// which joins the text either side of one ("PASS\u001b[0m ok" shows
// "PASS ok").
//
// A FindTokens holds scratch space: one goroutine at a time.
type FindTokens struct {
	tokens []string
	low    []byte // scratch: an ASCII text lower-cased
}

// NewFindTokens returns the FindTokens of term, or nil when no JSON can
// be ruled out (a term without a token, such as `"/"`).
func NewFindTokens(term string) *FindTokens {
	var p FindTokens
	needle := fold(term)
	start := -1
	for i := 0; i <= len(needle); i++ {
		if i < len(needle) && tokenByte(needle[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if t := strings.Trim(needle[start:i], " "); t != "" {
				p.tokens = append(p.tokens, t)
			}
			start = -1
		}
	}
	if len(p.tokens) == 0 {
		return nil
	}
	return &p
}

func tokenByte(c byte) bool {
	switch c {
	case '"', '\\', '/', '{', '}', '[', ']', ',', ':':
		return false
	}
	return c >= ' ' && c < 0x7f
}

// MayShow reports whether the JSON rec may show the term.
func (p *FindTokens) MayShow(rec []byte) bool {
	may, _ := p.MayShowMarked(rec, nil)
	return may
}

// MayShowMarked is MayShow, and whether rec holds mark, an escape of a
// control character (\u0000…) and what follows it, told when may is
// false: the pass over rec's escapes that MayShow makes anyway finds it
// (helmd marks a string it cut so: findskip.go).
func (p *FindTokens) MayShowMarked(rec, mark []byte) (may, marked bool) {
	for rest := rec; ; {
		i := bytes.Index(rest, []byte(`\u`))
		if i < 0 {
			break
		}
		if h := rest[i+2:]; len(h) < 4 || h[0] != '0' || h[1] != '0' || (h[2] != '0' && h[2] != '1') || writtenShort(h[2], h[3]) || isESC(h[2], h[3]) {
			return true, false // any character but a control one JSON writes again as it was, and ESC
		}
		if !marked && len(mark) > 0 && bytes.HasPrefix(rest[i:], mark) {
			marked = true
		}
		rest = rest[i+2:]
	}
	if low, ok := p.lowerASCII(rec); ok {
		for _, t := range p.tokens {
			if !bytes.Contains(low, []byte(t)) {
				return false, marked
			}
		}
		return true, marked
	}
	if bytes.Contains(rec, []byte("\u2028")) || bytes.Contains(rec, []byte("\u2029")) {
		return true, marked
	}
	text := fold(string(rec))
	for _, t := range p.tokens {
		if !strings.Contains(text, t) {
			return false, marked
		}
	}
	return true, marked
}

// isESC reports whether \u00XY is ESC, which starts the terminal escapes
// an output is shown without.
func isESC(x, y byte) bool { return x == '1' && (y == 'b' || y == 'B') }

// writtenShort reports whether the control character \u00XY is one
// encoding/json writes with a letter (\b \t \n \f \r): written again, it
// reads otherwise.
func writtenShort(x, y byte) bool {
	if x != '0' {
		return false
	}
	switch y {
	case '8', '9', 'a', 'A', 'c', 'C', 'd', 'D':
		return true
	}
	return false
}

// lowerASCII is rec lower-cased, as fold makes an ASCII text, in p's
// scratch; false when rec is not ASCII. One pass, by a table: a find
// runs it over every line of the transcript.
func (p *FindTokens) lowerASCII(rec []byte) ([]byte, bool) {
	p.low = slices.Grow(p.low[:0], len(rec))[:len(rec)]
	i := 0
	for ; i+8 <= len(rec); i += 8 { // eight bytes at a time
		w := binary.LittleEndian.Uint64(rec[i:])
		if w&highs != 0 {
			return nil, false
		}
		// Every byte is below 0x80, so adding 0x3F to each sets its
		// high bit from 'A' up, adding 0x25 from past 'Z' up, and no
		// sum carries into the next byte: the bytes from 'A' to 'Z'
		// have their high bit in upper, and 0x80>>2 is the 0x20 that
		// lower-cases them.
		upper := (w + (0x80-'A')*lows) &^ (w + (0x80-'Z'-1)*lows) & highs
		binary.LittleEndian.PutUint64(p.low[i:], w|upper>>2)
	}
	for ; i < len(rec); i++ {
		c := rec[i]
		if c >= utf8.RuneSelf {
			return nil, false
		}
		p.low[i] = lowerTable[c]
	}
	return p.low, true
}

const lows, highs = 0x0101010101010101, 0x8080808080808080

// lowerTable lower-cases an ASCII byte.
var lowerTable = func() (t [utf8.RuneSelf]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()
