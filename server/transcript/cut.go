package transcript

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"vibecraft.sh/helm/server/internal/swar"
)

// Limits of one record as a page carries it. A string longer than
// maxString is cut (and can be loaded whole by its ref); once a record has
// put maxRecord bytes in the page, its further strings are cut short; a
// record whose structure alone exceeds maxStructure is omitted.
const (
	maxString   = 64 << 10
	shortString = 1 << 10
	// blockString cuts the strings the page shows folded behind a
	// tool's line (its input and result): opened, they show a screenful
	// first, and "show all" loads the whole text by its ref. Decoding 64 KB of each
	// big result for a page that shows 3 KB of it was most of a page's
	// time on transcripts full of big results.
	blockString  = 8 << 10
	maxRecord    = 1 << 20
	maxStructure = 4 << 20
)

// errTooBig is a record that cannot be carried, even cut.
var errTooBig = errors.New("record too large")

// cutNonce makes the cut marker unguessable by the transcripts: a string
// in a record can contain anything, but not a marker with this nonce.
var cutNonce = func() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}()

// cutPrefix starts the marker that ends a cut string once decoded:
// "\x00cut<nonce>:<offset of the string's quote in the line>:<raw size>".
var cutPrefix = "\x00cut" + cutNonce + ":"

// cutter copies one JSONL record, cutting its long strings, so that it
// can be decoded with encoding/json in bounded memory however long the
// line is. The copy is valid JSON when the line is: cuts fall between
// characters, never inside an escape or a UTF-8 sequence.
type cutter struct {
	out    []byte
	depth  int   // of objects and arrays, outside strings
	keyAt  int   // where the last depth-1 string began in out
	lastAt int   // where the last string (of any depth) began in out
	text   bool  // the last key read is "text" or "thinking"
	side   bool  // inside a top-level field whose strings are never shown
	pos    int64 // bytes of the line consumed
	inStr  bool
	esc    bool // the next byte is escaped
	hex    int  // \u digits still to come
	strAt  int64
	strLen int64 // raw bytes of the current string so far
	limit  int64 // of the current string
	cut    bool  // the current string is being dropped
}

// record reads one line from br (through its '\n', or to EOF) and
// returns its cut copy and its full length. With errTooBig the line is
// consumed all the same and n is its length.
//
// skips are the line's long strings (offsets relative to its start, in
// order): once such a string is being cut, record calls jump with the
// bytes to pass over, so that br's next byte is the string's closing
// quote, instead of reading through to it.
func (c *cutter) record(br *bufio.Reader, buf []byte, skips []span, jump func(gap int64) error) (out []byte, n int64, err error) {
	*c = cutter{out: buf[:0]}
	tooBig := false
	for {
		chunk, rerr := br.ReadSlice('\n')
		for len(skips) > 0 && !tooBig {
			// Past the kept head of the next long string, and its end
			// not in this chunk: jump to its end once it is being cut.
			from := skips[0].open + 1 + maxString + 16
			to := skips[0].close
			end := c.pos + int64(len(chunk))
			if from >= end || to < end || !errors.Is(rerr, bufio.ErrBufferFull) {
				break
			}
			if from > c.pos {
				head := from - c.pos
				c.feed(chunk[:head])
				chunk = chunk[head:]
			}
			if !c.inStr || !c.cut || c.strAt != skips[0].open {
				skips = skips[1:] // not as the index saw it: read through
				continue
			}
			if jerr := jump(to - end); jerr != nil {
				return nil, c.pos, fmt.Errorf("skip: %w", jerr)
			}
			// The bytes up to the closing quote count as read: the quote
			// is unescaped (the index found it so), and the cut marker
			// records the string's whole size.
			c.strLen += to - c.pos
			c.pos, c.esc, chunk = to, false, nil
			skips = skips[1:]
		}
		if !tooBig {
			c.feed(chunk)
			if len(c.out) > maxStructure {
				tooBig, c.out = true, c.out[:0]
			}
		} else {
			c.pos += int64(len(chunk))
		}
		switch {
		case rerr == nil:
		case errors.Is(rerr, bufio.ErrBufferFull):
			continue
		case errors.Is(rerr, io.EOF):
			if c.pos == 0 {
				return nil, 0, io.EOF
			}
		default:
			return nil, c.pos, fmt.Errorf("read: %w", rerr)
		}
		break
	}
	if tooBig {
		return nil, c.pos, errTooBig
	}
	return c.out, c.pos, nil
}

func (c *cutter) feed(b []byte) {
	for i := 0; i < len(b); {
		if c.inStr && c.cut {
			i += c.skip(b[i:])
			continue
		}
		ch := b[i]
		if !c.inStr {
			// Structure: copy up to the next string, keeping the depth.
			j := bytes.IndexByte(b[i:], '"')
			if j < 0 {
				j = len(b) - i
			}
			for _, s := range b[i : i+j] {
				switch s {
				case '{', '[':
					c.depth++
				case '}', ']':
					c.depth--
				case ':':
					if c.depth == 1 {
						c.side = string(c.out[c.keyAt:]) == `"toolUseResult"`
					}
					key := c.out[c.lastAt:]
					c.text = string(key) == `"text"` || string(key) == `"thinking"`
				}
			}
			if c.depth == 1 {
				c.keyAt = len(c.out) + j
			}
			c.lastAt = len(c.out) + j
			c.out = append(c.out, b[i:i+j]...)
			c.pos += int64(j)
			i += j
			if i == len(b) {
				return
			}
			c.out = append(c.out, '"')
			c.pos++
			i++
			c.inStr, c.esc, c.hex, c.cut = true, false, 0, false
			c.strAt, c.strLen = c.pos-1, 0
			switch {
			case c.side && c.depth > 1:
				// toolUseResult repeats the result for tools' own use:
				// only its short fields (an agent id) matter here.
				c.limit = shortString
			case len(c.out) > maxRecord:
				c.limit = shortString
			case c.depth >= 5 || c.depth == 4 && !c.text:
				// Below a message's content blocks (a tool's input, a
				// result's blocks), or a block's field other than its
				// text or thinking (a result): shown folded.
				c.limit = blockString
			default:
				c.limit = maxString
			}
			continue
		}
		// Inside a string, copying. Its plain bytes (no quote, no
		// backslash) up to the limit change no state: copied at once, as
		// a byte at a time they were most of a find's time over a
		// transcript of long prompts.
		clean := !c.esc && c.hex == 0
		if clean && c.strLen < c.limit {
			run := b[i:min(len(b), i+int(c.limit-c.strLen))]
			// One pass for either byte: an IndexByte for each would
			// scan past the string's end, again for every short string.
			run = run[:quoteOrBackslash(run)]
			if len(run) > 0 {
				c.out = append(c.out, run...)
				c.strLen += int64(len(run))
				c.pos += int64(len(run))
				i += len(run)
				continue
			}
		}
		switch {
		case clean && ch == '"':
			c.out = append(c.out, ch)
			c.inStr = false
		case clean && c.strLen >= c.limit && ch&0xC0 != 0x80:
			c.cut = true // start dropping at a character boundary
			continue
		default:
			c.out = append(c.out, ch)
			c.strLen++
			switch {
			case c.hex > 0:
				c.hex--
			case c.esc:
				c.esc = false
				if ch == 'u' {
					c.hex = 4
				}
			case ch == '\\':
				c.esc = true
			}
		}
		c.pos++
		i++
	}
}

// quoteOrBackslash is the index of the first '"' or '\\' in b, or len(b),
// found eight bytes at a time.
func quoteOrBackslash(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := swar.Load(b[i:])
		if m := swar.Equal(w, '"') | swar.Equal(w, '\\'); m != 0 {
			return i + swar.First(m)
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '"' || b[i] == '\\' {
			return i
		}
	}
	return i
}

// skip drops bytes of a cut string up to its closing quote, which it
// replaces by the marker and the quote; it returns the bytes consumed.
func (c *cutter) skip(b []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			c.carry(b[i:])
			c.strLen += int64(len(b) - i)
			c.pos += int64(len(b) - i)
			return len(b)
		}
		// The quote is escaped when an odd run of backslashes precedes it.
		k := 0
		for k < j && b[i+j-1-k] == '\\' {
			k++
		}
		escaped := k%2 == 1
		if k == j && c.esc {
			escaped = !escaped
		}
		c.strLen += int64(j)
		c.pos += int64(j + 1)
		if escaped {
			c.esc = false
			c.strLen++
			i += j + 1
			continue
		}
		c.out = append(c.out, `\u0000cut`...)
		c.out = append(c.out, cutNonce...)
		c.out = append(c.out, ':')
		c.out = strconv.AppendInt(c.out, c.strAt, 10)
		c.out = append(c.out, ':')
		c.out = strconv.AppendInt(c.out, c.strLen, 10)
		c.out = append(c.out, '"')
		c.inStr, c.cut, c.esc = false, false, false
		return i + j + 1
	}
}

// carry updates the escape state over a run of dropped bytes with no quote.
func (c *cutter) carry(b []byte) {
	k := 0
	for k < len(b) && b[len(b)-1-k] == '\\' {
		k++
	}
	if k == len(b) {
		c.esc = c.esc != (k%2 == 1)
	} else {
		c.esc = k%2 == 1
	}
}

// uncut splits a decoded string into its kept text and, when it was cut,
// the offset of its quote in the line and its raw size.
func uncut(s string) (text string, at, size int64, wasCut bool) {
	// The marker ends the string, and its two numbers are int64s (at
	// most 20 bytes each, a sign included): it is looked for in that
	// tail only. A search of the whole string, which finds none in most,
	// took a tenth of a find over long prompts.
	tail := s[len(s)-min(len(s), len(cutPrefix)+41):]
	i := strings.LastIndex(tail, cutPrefix)
	if i < 0 {
		return s, 0, 0, false
	}
	i += len(s) - len(tail)
	a, b, ok := strings.Cut(s[i+len(cutPrefix):], ":")
	if !ok {
		return s, 0, 0, false
	}
	at, err1 := strconv.ParseInt(a, 10, 64)
	size, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil {
		return s, 0, 0, false
	}
	return s[:i], at, size, true
}
