package transcript

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"

	"vibecraft.sh/helm/shared"
)

// A find decodes every line of a transcript to group it into messages,
// but most lines cannot show the term: those are decoded from a copy
// whose strings are cut short (skeleton), enough to place them in their
// message, never enough to be tested. Decoding whole every string of a
// 500 MB transcript was most of a find's time (20 s and more, past the
// write timeout when a few ran at once).

// skeletonString is how much of each string a line read for its place
// keeps: ids, types and the tags a prompt starts with are shorter.
const skeletonString = 256

// skeletonHead is where, at the latest, a kept string's first printable
// character must stand: a user text is classed by what follows its
// leading white space (kindOf), so a string whose kept head is mostly
// white space is kept whole.
const skeletonHead = skeletonString - 64

// prefilter tells the lines that may show a term from those that cannot,
// from their cut copy (the JSON the page decodes), conservatively: a line
// it lets through may not match, a line it stops cannot.
//
// A shown text is a decoded string of the line, cut (a prefix), or
// several joined by a line break (a result's text blocks), except a
// command's name and arguments, joined by a space (lines with that tag
// are let through).
// Its folded form holds the folded term only if the line, folded as
// text, holds each of the term's tokens: runs of printable ASCII and
// spaces other than the quote, the backslash and the slash, which JSON
// may write escaped. Other escapes (\uXXXX) may write any character, so
// a line with one is let through, unless it is a control character's,
// which no token holds.
type prefilter struct {
	tokens []string
	low    []byte // scratch: an ASCII line lower-cased
}

// newPrefilter returns the prefilter of term, or nil when no line can
// be ruled out (a term without a token, such as `"/"`).
func newPrefilter(term string) *prefilter {
	var p prefilter
	needle := shared.Fold(term)
	start := -1
	for i := 0; i <= len(needle); i++ {
		if i < len(needle) && tokenByte(needle[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			p.tokens = append(p.tokens, needle[start:i])
			start = -1
		}
	}
	if len(p.tokens) == 0 {
		return nil
	}
	return &p
}

func tokenByte(c byte) bool { return c >= ' ' && c < 0x7f && c != '"' && c != '\\' && c != '/' }

// argsTag is the tag of a command's arguments, shown joined to its name
// by a space: a text made of two strings (see prefilter).
var argsTag = []byte("command-args")

// mayShow reports whether the record rec may show the term.
func (p *prefilter) mayShow(rec []byte) bool {
	for rest := rec; ; {
		i := bytes.Index(rest, []byte(`\u`))
		if i < 0 {
			break
		}
		if h := rest[i+2:]; len(h) < 4 || h[0] != '0' || h[1] != '0' || (h[2] != '0' && h[2] != '1') {
			return true // any character but a control one
		}
		rest = rest[i+2:]
	}
	if bytes.Contains(rec, argsTag) {
		return true
	}
	if low, ok := p.lowerASCII(rec); ok {
		for _, t := range p.tokens {
			if !bytes.Contains(low, []byte(t)) {
				return false
			}
		}
		return true
	}
	text := shared.Fold(string(rec))
	for _, t := range p.tokens {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}

// lowerASCII is rec lower-cased, as fold makes an ASCII text, in p's
// scratch; false when rec is not ASCII. One pass, by a table: a find
// runs it over every line of the transcript.
func (p *prefilter) lowerASCII(rec []byte) ([]byte, bool) {
	p.low = slices.Grow(p.low[:0], len(rec))[:len(rec)]
	for i, c := range rec {
		if c >= utf8.RuneSelf {
			return nil, false
		}
		p.low[i] = lowerTable[c]
	}
	return p.low, true
}

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

// skeleton appends to dst the record rec with each string longer than
// skeletonString cut to about that, at a character's boundary outside
// any escape, so that it decodes as rec does but for those strings'
// tails. A string without a printable character early in its head is
// kept whole; so is the rest of a record that is not well formed.
func skeleton(dst, rec []byte) []byte {
	for i := 0; i < len(rec); {
		j := bytes.IndexByte(rec[i:], '"')
		if j < 0 {
			return append(dst, rec[i:]...)
		}
		dst = append(dst, rec[i:i+j+1]...)
		i += j + 1
		end, ok := stringEnd(rec, i)
		if !ok {
			return append(dst, rec[i:]...)
		}
		dst = append(dst, rec[i:i+headOf(rec[i:end])]...)
		dst = append(dst, '"')
		i = end + 1
	}
	return dst
}

// stringEnd finds the closing quote of the string whose content starts
// at from: the first quote not escaped by an odd run of backslashes.
func stringEnd(rec []byte, from int) (int, bool) {
	for at := from; ; {
		q := bytes.IndexByte(rec[at:], '"')
		if q < 0 {
			return 0, false
		}
		end := at + q
		k := 0
		for end-1-k >= from && rec[end-1-k] == '\\' {
			k++
		}
		if k%2 == 0 {
			return end, true
		}
		at = end + 1
	}
}

// headOf is how much of the string content s a skeleton keeps.
func headOf(s []byte) int {
	if len(s) <= skeletonString {
		return len(s)
	}
	cut, printable := 0, false
	for cut < len(s) {
		n := 1
		switch c := s[cut]; {
		case c == '\\':
			n = 2
			if cut+1 < len(s) && s[cut+1] == 'u' {
				n = 6
			}
		case c >= 0x80:
			// A UTF-8 sequence: its lead byte and continuation bytes.
			for n < 4 && cut+n < len(s) && s[cut+n]&0xC0 == 0x80 {
				n++
			}
		case c > ' ' && cut < skeletonHead:
			printable = true
		}
		if cut+n > skeletonString {
			break
		}
		cut += n
	}
	if !printable {
		return len(s)
	}
	return cut
}

// decodeSkeleton decodes rec's skeleton into l, reporting whether it
// places the line as rec would. A system record is not: a local
// command's is classed by a tag anywhere in its content.
func decodeSkeleton(p *pager, rec []byte, l *line) bool {
	p.skel = skeleton(p.skel[:0], rec)
	if decodeLine(p.skel, l) != nil || l.Type == "system" {
		*l = line{}
		return false
	}
	return true
}
