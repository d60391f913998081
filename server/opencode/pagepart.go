package opencode

import (
	"encoding/json"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// The session page shows a part's text, a tool's input and output and
// its error cut to MaxPartText characters, with their whole length
// beside them. json.Unmarshal needed the part file whole in memory (up to
// maxJSONFile) and made each field a string of its whole size, so a page
// of a few tool outputs of 10 MB allocated them three times over and held
// them until it was sent. skimPagePart reads the file through skimmer's
// small buffer instead, checking it as json.Unmarshal would (a file it
// refuses is still passed over), and keeps of each long field only what
// the page shows; FuzzSkimPagePart compares it with the decode it
// replaced.

// skimPagePart decodes the part file r into p as the page shows it: the
// fields it would have from json.Unmarshal into partFile, text, output,
// input and error cut to cut characters (MaxPartText but in tests), and
// the lengths of the first three and of the url counted whole.
func skimPagePart(r io.Reader, p *Part, cut int) error {
	return skimDocument(r, func(s *skimmer) error {
		s.depth = 1
		return s.members(func(key []byte, whole bool, c byte) error {
			switch fieldOf(key, whole, "type", "text", "synthetic", "tool", "callID", "state", "mime", "filename", "url") {
			case "type":
				return s.wholeString(c, &p.Type)
			case "text":
				return s.cutString(c, &p.Text, &p.TextLen, cut)
			case "synthetic":
				return s.boolField(c, &p.Synthetic)
			case "tool":
				return s.wholeString(c, &p.Tool)
			case "callID":
				return s.wholeString(c, &p.CallID)
			case "state":
				return s.pageState(c, p, cut)
			case "mime":
				return s.wholeString(c, &p.Mime)
			case "filename":
				return s.wholeString(c, &p.Filename)
			case "url":
				var url string // counted, never kept: a whole file as a data URL
				return s.cutString(c, &url, &p.URLLen, 0)
			}
			return s.value(c)
		})
	})
}

// fieldOf is the one of names that the key literal (skimmer.members)
// names, as json.Unmarshal matches them (the exact name, or one equal
// under Unicode case folding); "" for none.
func fieldOf(key []byte, whole bool, names ...string) string {
	if !whole {
		return "" // longer than any of them can be written
	}
	var k string
	if json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &k) != nil {
		return ""
	}
	for _, n := range names {
		if strings.EqualFold(k, n) {
			return n
		}
	}
	return ""
}

// pageState reads a tool part's state (its first byte c read) into p.
// Like json.Unmarshal into a struct, a second state adds to the first.
func (s *skimmer) pageState(c byte, p *Part, cut int) error {
	if more, err := s.typed(c, '{'); !more {
		return err
	}
	if s.depth++; s.depth > maxSkimDepth {
		return errSkimDepth
	}
	err := s.members(func(key []byte, whole bool, c byte) error {
		switch fieldOf(key, whole, "status", "input", "output", "error", "metadata") {
		case "status":
			return s.wholeString(c, &p.Status)
		case "input":
			return s.rawValue(c, &p.Input, &p.InputLen, cut)
		case "output":
			return s.cutString(c, &p.Output, &p.OutputLen, cut)
		case "error":
			var n int64 // the page keeps no length of an error
			return s.cutString(c, &p.ToolError, &n, cut)
		case "metadata":
			return s.childSession(c, &p.ChildSession)
		}
		return s.value(c)
	})
	s.depth--
	return err
}

// rawValue reads any value (its first byte c read) as json.RawMessage
// holds it, as written: its first cut characters into v, and how many
// it has into n.
func (s *skimmer) rawValue(c byte, v *string, n *int64, cut int) error {
	k := &runeKeep{max: cut}
	k.byte(c)
	s.tap = k
	err := s.value(c)
	s.tap = nil
	k.flush()
	*v, *n = string(k.lit), k.n
	return err
}

// childSession reads the state's metadata (its first byte c read): the
// subagent's session a task call names in metadata.sessionId, a string
// of 100 bytes at most, or "". A later metadata replaces an earlier one,
// as it replaced the json.RawMessage that was read for it.
func (s *skimmer) childSession(c byte, child *string) error {
	*child = ""
	if c != '{' {
		return s.value(c) // no object: no session
	}
	if s.depth++; s.depth > maxSkimDepth {
		return errSkimDepth
	}
	id, isString := "", false
	err := s.members(func(key []byte, whole bool, c byte) error {
		if fieldOf(key, whole, "sessionId") == "" {
			return s.value(c)
		}
		id, isString = "", false // the last one counts
		if c != '"' {
			return s.value(c)
		}
		// A literal over idCap bytes is over 100 bytes decoded (6 bytes
		// of it make one at least): no session.
		lit, whole, err := s.str([]byte{'"'}, idCap)
		if err != nil || !whole {
			return err
		}
		isString = json.Unmarshal(append(lit, '"'), &id) == nil
		return nil
	})
	s.depth--
	if err == nil && isString && len(id) <= 100 {
		*child = id
	}
	return err
}

// wholeString reads a string field kept whole (a tool's name, a mime
// type): as json.Unmarshal does, null leaves v, another type is an error.
func (s *skimmer) wholeString(c byte, v *string) error {
	var n int64
	return s.cutString(c, v, &n, math.MaxInt)
}

// cutString reads a string field (its first byte c read): its first cut
// characters decoded into v, and how many characters it has decoded into
// n. As json.Unmarshal does, null leaves both, another type is an error.
func (s *skimmer) cutString(c byte, v *string, n *int64, cut int) error {
	if more, err := s.typed(c, '"'); !more {
		return err
	}
	k := &runeKeep{max: cut, lit: []byte{'"'}}
	if err := s.decoded(k); err != nil {
		return err
	}
	// The characters kept are whole, and so are their escapes: the
	// literal cut is one json.Unmarshal reads.
	if err := json.Unmarshal(append(k.lit, '"'), v); err != nil {
		return err
	}
	*n = k.n
	return nil
}

// decoded reads the rest of a string literal (its opening quote read)
// into k by the characters json.Unmarshal decodes it to: a character
// written as itself, an escape, and a pair of \u escapes of UTF-16
// surrogates, which is one.
func (s *skimmer) decoded(k *runeKeep) error {
	high := false // the last character was a \u escape of a high surrogate
	for {
		if buf := s.plain(); len(buf) > 0 {
			k.run(buf)
			s.consume(len(buf))
			high = false
			continue
		}
		c, err := s.next()
		if err != nil {
			return err
		}
		k.flush() // the bytes before an ASCII byte are whole characters or none
		switch {
		case c == '"':
			return nil
		case c < 0x20:
			return s.syntax(c, "in a string literal")
		}
		// c is '\\'.
		e, err := s.next()
		if err != nil {
			return err
		}
		var esc [6]byte
		esc[0], esc[1] = c, e
		switch e {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			k.escape(esc[:2], true)
			high = false
		case 'u':
			r := rune(0)
			for i := 2; i < 6; i++ {
				if esc[i], err = s.next(); err != nil {
					return err
				}
				if !isHex(esc[i]) {
					return s.syntax(esc[i], "in a \\u escape")
				}
				r = r<<4 | hexValue(esc[i])
			}
			// A low surrogate right after a high one is the same
			// character (and a lone one U+FFFD, as json.Unmarshal has it).
			pair := high && 0xDC00 <= r && r <= 0xDFFF
			k.escape(esc[:], !pair)
			high = !pair && 0xD800 <= r && r <= 0xDBFF
		default:
			return s.syntax(e, "in a string escape")
		}
	}
}

func hexValue(c byte) rune {
	switch {
	case c <= '9':
		return rune(c - '0')
	case c >= 'a':
		return rune(c - 'a' + 10)
	}
	return rune(c - 'A' + 10)
}

// runeKeep counts the characters of bytes handed to it in pieces, as
// utf8.RuneCount would count them whole (a byte of no character is
// one), and keeps their first max characters. A character cut between
// two pieces is held until it ends.
type runeKeep struct {
	lit  []byte // the bytes of the characters kept
	max  int    // how many characters to keep
	kept int    // how many are kept
	n    int64  // how many there are
	last bool   // the last escape was kept (escape)
	pend [utf8.UTFMax]byte
	np   int // pend's bytes: a character begun in the last piece
	one  [1]byte
}

// byte hands k one byte.
func (k *runeKeep) byte(c byte) {
	k.one[0] = c
	k.run(k.one[:])
}

// run hands k the next bytes of text; the last character may be begun
// only.
func (k *runeKeep) run(b []byte) {
	for k.np > 0 && len(b) > 0 {
		n := copy(k.pend[k.np:], b)
		buf := k.pend[:k.np+n]
		if !utf8.FullRune(buf) {
			k.np += n // b was all of it
			return
		}
		if _, size := utf8.DecodeRune(buf); size > k.np {
			k.emit(buf[:size]) // the character begun, ended in b
			b, k.np = b[size-k.np:], 0
		} else {
			// Its first byte was no character: the rest may start one.
			k.emit(buf[:1])
			copy(k.pend[:], k.pend[1:k.np])
			k.np--
		}
	}
	end := len(b)
	for i := len(b) - 1; i >= 0 && i > len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				end = i // begun here, to end in the next piece
			}
			break
		}
	}
	k.emit(b[:end])
	k.np = copy(k.pend[:], b[end:])
}

// flush ends the text handed to run: a character begun is bytes of none.
func (k *runeKeep) flush() {
	if k.np > 0 {
		k.emit(k.pend[:k.np])
		k.np = 0
	}
}

// emit counts and keeps b, whole characters.
func (k *runeKeep) emit(b []byte) {
	if k.kept < k.max {
		i, before := 0, k.kept
		for i < len(b) && k.kept < k.max {
			if b[i] < utf8.RuneSelf {
				i++
			} else {
				_, size := utf8.DecodeRune(b[i:])
				i += size
			}
			k.kept++
		}
		k.lit = append(k.lit, b[:i]...)
		k.n += int64(k.kept - before)
		b = b[i:]
	}
	k.n += int64(utf8.RuneCount(b))
}

// escape hands k an escape of a string literal (run's bytes before it
// flushed), one character when counts; one that does not is the low
// half of a pair, kept when its high half was.
func (k *runeKeep) escape(esc []byte, counts bool) {
	switch {
	case !counts:
		if k.last {
			k.lit = append(k.lit, esc...)
		}
	case k.kept < k.max:
		k.lit = append(k.lit, esc...)
		k.kept++
		k.n++
		k.last = true
	default:
		k.n++
		k.last = false
	}
}
