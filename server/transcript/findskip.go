package transcript

import (
	"bytes"

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
// shared.FindTokens (which says why), but for a command's name and
// arguments, shown joined by a space: a text made of two strings, so
// lines with that tag are let through.
type prefilter struct{ tokens *shared.FindTokens }

// newPrefilter returns the prefilter of term, or nil when no line can
// be ruled out (a term without a token, such as `"/"`).
func newPrefilter(term string) *prefilter {
	t := shared.NewFindTokens(term)
	if t == nil {
		return nil
	}
	return &prefilter{t}
}

// argsTag is the tag of a command's arguments, shown joined to its name
// by a space: a text made of two strings (see prefilter).
var argsTag = []byte("command-args")

// cutMark starts the marker of a cut string in a line's cut copy
// (cutter.skip), and toolUseTag is in the line of a tool call: a call
// whose input was cut is searched in the input's whole text
// (shared.ShowsWhole), which the cut copy does not hold, so that line
// is let through.
var (
	cutMark    = []byte(`\u0000cut` + cutNonce)
	toolUseTag = []byte(`tool_use"`)
)

// mayShow reports whether the record rec may show the term.
func (p *prefilter) mayShow(rec []byte) bool {
	return bytes.Contains(rec, argsTag) || p.tokens.MayShow(rec) ||
		bytes.Contains(rec, cutMark) && bytes.Contains(rec, toolUseTag)
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
