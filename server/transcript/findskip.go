package transcript

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"vibecraft.sh/helm/server/internal/jsonstr"
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
// it lets through may not match, a line it stops cannot. It is
// shared.FindTokens (which says why), but for the texts a page makes of
// several strings, which no line holds as they read: a command's name
// and arguments joined by a space ("/review the PR"), a web search's
// titles and URLs joined by a space and its errors after "Error: "; and
// for a call whose input was cut, searched in its whole text, which the
// cut copy does not hold. Lines with those are let through
// (TestFindPrefilterSameAnswer fails without each).
type prefilter struct {
	tokens *shared.FindTokens
	spaces []byte // a term of spaces alone: the run (see newPrefilter)
}

// newPrefilter returns the prefilter of term, or nil when no line can
// be ruled out.
//
// A term with no token is one of spaces alone, or one made of JSON's
// structure ({}[],:), of quotes, slashes, backslashes and spaces
// (`"/"`). The latter are let through: the page writes a tool input's
// nested values again as indented JSON, with other spaces around that
// structure, every record's JSON holds {, :, } and "," and most hold
// [ ], and a quote or a slash may be written escaped: no test of the
// raw line rules one out that holds the characters anyway. A run of
// spaces, though, the page shows only where the line holds it (a
// string's spaces, or \u0020), or where it writes spaces itself: the
// joins above, and the indents and ": " of an input written again
// (a line with a call), or where folding drops what stands between
// spaces (a zero-width character: a line with a byte past ASCII or a
// \u escape): the other lines are passed over.
func newPrefilter(term string) *prefilter {
	if t := shared.NewFindTokens(term); t != nil {
		return &prefilter{tokens: t}
	}
	if f := shared.Fold(term); f != "" && strings.Trim(f, " ") == "" {
		return &prefilter{spaces: []byte(f)}
	}
	return nil
}

// The tags of a line whose texts are joined by the page (see prefilter):
// a command's arguments, a tool call's input. (A server tool's result,
// web_search_tool_result, is told by its decoded type: skipped.)
var (
	argsTag    = []byte("command-args")
	toolUseTag = []byte(`tool_use"`)
)

// cutMark starts the marker of a cut string in a line's cut copy
// (cutter.skip): with toolUseTag, a call whose input may have been cut.
var cutMark = []byte(`\u0000cut` + cutNonce)

// mayShow reports whether the record rec may show the term. Most lines
// of a find are passed over: on those each test below is a pass over
// the line, so the cut mark is looked for in the pass over escapes the
// tokens make (MayShowMarked), and the tags only once they said no.
func (p *prefilter) mayShow(rec []byte) bool {
	if p.spaces != nil {
		return bytes.Contains(rec, p.spaces) || bytes.Contains(rec, toolUseTag) ||
			bytes.Contains(rec, []byte(`\u`)) || !ascii(rec) || p.tagged(rec)
	}
	may, cut := p.tokens.MayShowMarked(rec, cutMark)
	return may || cut && bytes.Contains(rec, toolUseTag) || p.tagged(rec)
}

// tagged reports whether rec holds the tag of a command's arguments. A
// server tool's result is told once the skeleton is decoded (skipped):
// no pass over the line is needed to find its type.
func (p *prefilter) tagged(rec []byte) bool { return bytes.Contains(rec, argsTag) }

// skipped sets cs to the blocks of l, decoded from its skeleton, and
// reports whether the line may be passed over: not when it holds a
// server tool's result, whose texts the page joins (see prefilter); l
// is then emptied, to be decoded whole.
func skipped(l *line, cs *[]content) bool {
	*cs = blocks(l.Message.Content)
	if serverResult(*cs) {
		*l, *cs = line{}, nil
		return false
	}
	return true
}

// serverResult reports whether cs holds a server tool's result.
func serverResult(cs []content) bool {
	for _, c := range cs {
		if c.Type != "tool_result" && strings.HasSuffix(c.Type, "_tool_result") {
			return true
		}
	}
	return false
}

// ascii reports whether b is all ASCII.
func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

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
		h := headOf(rec[i:end])
		if !escapesValid(rec[i+h : end]) {
			// An escape encoding/json refuses fails the whole line: the
			// skeleton must not decode where the line does not.
			return append(dst, rec[i:]...)
		}
		dst = append(dst, rec[i:i+h]...)
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

// escapesValid reports whether each escape in the string content s (cut
// at a character's boundary outside any escape) is one JSON allows.
func escapesValid(s []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(s[i:], '\\')
		if j < 0 {
			return true
		}
		i += j + 1
		if i == len(s) {
			return false
		}
		switch s[i] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i++
		case 'u':
			if i+5 > len(s) {
				return false
			}
			for _, c := range s[i+1 : i+5] {
				if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
					return false
				}
			}
			i += 5
		default:
			return false
		}
	}
}

// headOf is how much of the string content s a skeleton keeps.
func headOf(s []byte) int {
	if len(s) <= skeletonString {
		return len(s)
	}
	if jsonstr.PlainRun(s[:skeletonString]) == skeletonString {
		// Every character one byte: the loop below would keep exactly
		// skeletonString bytes, if a printable one comes early enough.
		for _, c := range s[:skeletonHead] {
			if c > ' ' {
				return skeletonString
			}
		}
		return len(s)
	}
	return headByChars(s)
}

// headByChars is headOf, a character at a time.
func headByChars(s []byte) int {
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
