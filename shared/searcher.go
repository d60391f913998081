package shared

import (
	"strings"
	"unicode/utf8"
)

// MatchFunc returns q.Match for a pass over many sessions: the search
// split and folded once, and no allocation per session. Match, for one
// session, folds each field whole (words.in): it is the reference
// FuzzSearchFolds checks this against. The client does not use it: over
// text folded once per session (Matcher), a keystroke costs a fifth of
// this in wasm. A function, not a method of Query, so that the client's
// Query is as it was (a method is named in its type's table, and the
// client's brotli size moved by 3 KB). It is not safe for concurrent use.
func MatchFunc(q Query) func(s *Session) bool {
	f := q.filters(true)
	if q.Search == "" {
		return f.match
	}
	sr := newSearcher(q.Search)
	return func(s *Session) bool { return f.match(s) && sr.in(s) }
}

// searcher is a search made ready for a pass over many sessions: its
// words split and folded once, and each session's fields compared as they
// are (searchWord.in), so that a session costs no allocation. A search
// that folded every field of every session spent 70 % of its time
// lower-casing: 400 ms of helmd at 100,000 sessions. It finds what
// words.in finds, folding each field and looking for each word in it.
// Not safe for concurrent use (models).
type searcher struct {
	words  []searchWord
	models map[string]string // modelWords
}

// searchWord is a word of a search, folded, and as runes for a field that
// is not ASCII.
type searchWord struct {
	s     string
	runes []rune
	ascii bool
}

func newSearcher(search string) *searcher {
	ws := searchWords(search)
	sr := &searcher{words: make([]searchWord, len(ws))}
	for i, w := range ws {
		sr.words[i] = searchWord{s: w, runes: []rune(w), ascii: firstNonASCII(w) == len(w)}
	}
	return sr
}

// in reports whether every word occurs in one of s's searched fields,
// those of searched (FuzzSearchFolds fails if the two lists part): the
// longest, the first prompt, last.
func (sr *searcher) in(s *Session) bool {
	for i := range sr.words {
		w := &sr.words[i]
		if !w.in(s.Title) && !w.in(s.GitBranch) && !w.in(s.ProjectPath) && !w.in(s.Model) &&
			!w.in(sr.modelWords(s.Model)) && !w.in(s.Source.Label()) && !w.in(s.FirstPrompt) {
			return false
		}
	}
	return true
}

// modelWords is ModelWords(m), made once per model: a list has a few.
// Past 64 (a list of made-up names) it is made each time, as before,
// rather than a map the size of the list.
func (sr *searcher) modelWords(m string) string {
	if mw, ok := sr.models[m]; ok {
		return mw
	}
	if sr.models == nil {
		sr.models = make(map[string]string)
	}
	mw := ModelWords(m)
	if len(sr.models) < 64 {
		sr.models[m] = mw
	}
	return mw
}

// in reports whether w occurs in fold(hay). fold keeps ASCII as it is but
// for its letters' case, so over a run of ASCII the candidates, either
// case of w's first letter, are found many bytes at a time, and an ASCII
// w compares bytes; a rune that is not ASCII is folded as fold does
// (foldedRunes), and a match may start inside its fold ("s" in "ß",
// folded "ss"). A third of real first prompts hold such a rune, a dash or
// a quote, among ASCII.
func (w *searchWord) in(hay string) bool {
	// A candidate costs the bytes compared: over hay and w made of one
	// letter, len(hay)×len(w). Past a budget linear in len(hay), hay is
	// folded and searched as before, in linear time (strings.Index).
	budget := 2*len(hay) + 64
	var buf [1]rune
	for i := 0; i < len(hay); {
		end := i + firstNonASCII(hay[i:])
		if w.inASCII(hay, i, end, &budget) {
			return true
		}
		if budget < 0 {
			return strings.Contains(fold(hay), w.s)
		}
		if end == len(hay) {
			return false
		}
		f, size := foldAt(hay, end, &buf)
		for k := range f {
			if f[k] == w.runes[0] && foldedHasPrefix(hay, end+size, f[k:], w.runes) {
				return true
			}
			budget -= len(w.runes)
		}
		i = end + size
	}
	return false
}

// inASCII reports whether w occurs in fold(hay) starting in hay[from:end],
// which is ASCII; a match that would run past end is compared folding.
// It stops, false, when the budget is spent.
func (w *searchWord) inASCII(hay string, from, end int, budget *int) bool {
	if w.runes[0] >= utf8.RuneSelf || !w.ascii && end == len(hay) {
		return false // no match starts on ASCII, or none that is not is left
	}
	c0, u0 := w.s[0], upperASCII(w.s[0])
	nextC, nextU := -1, -1 // the next c0 and u0 at or after p; -1: look again
	for p := from; p < end; p++ {
		if nextC < p {
			if nextC = indexByteFrom(hay[:end], c0, p); nextC < 0 {
				nextC = end
			}
		}
		if nextU < p {
			if nextU = indexByteFrom(hay[:end], u0, p); nextU < 0 {
				nextU = end
			}
		}
		if p = min(nextC, nextU); p == end {
			return false
		}
		if *budget < 0 {
			return false
		}
		switch {
		case w.ascii && p+len(w.s) <= end:
			n := equalFoldASCII(hay[p+1:p+len(w.s)], w.s[1:])
			if n == len(w.s)-1 {
				return true
			}
			*budget -= n + 1
		case w.ascii && end == len(hay):
			return false // hay[p:] is ASCII and shorter than w
		case foldedHasPrefix(hay, p+1, nil, w.runes[1:]):
			return true
		default:
			*budget -= len(w.runes)
		}
	}
	return false
}

// indexByteFrom is the index of c in s at or after from, or -1.
func indexByteFrom(s string, c byte, from int) int {
	if i := strings.IndexByte(s[from:], c); i >= 0 {
		return from + i
	}
	return -1
}

// equalFoldASCII is how many bytes of the ASCII s lower-cased are w's
// before the first that differs: len(w) when all are.
func equalFoldASCII(s, w string) int {
	for i := 0; i < len(w); i++ {
		if lowerASCII(s[i]) != w[i] {
			return i
		}
	}
	return len(w)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// firstNonASCII is the index of s's first byte that is not ASCII, or
// len(s): eight bytes at a time.
func firstNonASCII(s string) int {
	i := 0
	for ; len(s)-i >= 8; i += 8 {
		b := s[i : i+8] // one bounds check, and one load
		x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if x&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return i
		}
	}
	return len(s)
}

// foldedHasPrefix reports whether head, then the fold of hay from byte i
// on, begins with w.
func foldedHasPrefix(hay string, i int, head, w []rune) bool {
	var buf [1]rune
	for {
		for _, r := range head {
			if len(w) == 0 {
				return true
			}
			if r != w[0] {
				return false
			}
			w = w[1:]
		}
		if len(w) == 0 {
			return true
		}
		if i >= len(hay) {
			return false
		}
		var size int
		head, size = foldAt(hay, i, &buf)
		i += size
	}
}

// foldAt is the fold of the rune at byte i of hay (foldedRunes) and its
// size.
func foldAt(hay string, i int, buf *[1]rune) ([]rune, int) {
	if c := hay[i]; c < utf8.RuneSelf {
		buf[0] = rune(lowerASCII(c))
		return buf[:], 1
	}
	r, size := utf8.DecodeRuneInString(hay[i:])
	return foldedRunes(r, buf), size
}
