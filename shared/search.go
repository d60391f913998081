package shared

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// words is a search split at white space and lower-cased: a session
// matches when every word occurs in one of its searched fields, in any
// order ("login main" finds the branch main of a session about login).
type words []string

// searchWords splits a search into its words.
func searchWords(search string) words { return strings.Fields(fold(search)) }

// fold is s as a search compares it: lower-cased, a letter's accents
// dropped ("é" and its decomposed form "e\u0301" both read "e", see
// accented), without the characters that show nothing (format characters:
// a zero-width space, joiner or soft hyphen, a bidi mark).
// "zero\u200bwidth" shows as "zerowidth", and a search for what the row
// shows finds it. ASCII takes one pass, as strings.ToLower.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			var b strings.Builder
			b.Grow(len(s))
			var buf [1]rune
			for _, r := range s {
				for _, f := range foldedRunes(r, &buf) {
					b.WriteRune(f)
				}
			}
			return b.String()
		}
	}
	return strings.ToLower(s)
}

// expansion is the fold of a letter that folds to more than one: "ß"
// reads "ss" (and "ẞ", lower-cased to it), as "STRASSE" writes "straße",
// and the Latin ligatures read as their letters ("ﬁle" is "file"). A
// browser's find in page matches them so. A switch over one array, not a
// map: the client pays for each map type it holds.
func expansion(r rune) ([]rune, bool) {
	switch r {
	case 'ß':
		return expanded[0:2], true
	case 'ﬀ':
		return expanded[2:4], true
	case 'ﬁ':
		return expanded[4:6], true
	case 'ﬂ':
		return expanded[6:8], true
	case 'ﬃ':
		return expanded[8:11], true
	case 'ﬄ':
		return expanded[11:14], true
	case 'ﬅ', 'ﬆ':
		return expanded[14:16], true
	}
	return nil, false
}

var expanded = [...]rune{'s', 's', 'f', 'f', 'f', 'i', 'f', 'l', 'f', 'f', 'i', 'f', 'f', 'l', 's', 't'}

// foldedRunes is what fold makes of r: none (a character that shows
// nothing), one, or an expansion's letters. buf is the room for one,
// so that a rune's fold costs no allocation.
func foldedRunes(r rune, buf *[1]rune) []rune {
	if r >= utf8.RuneSelf {
		if e, ok := expansion(unicode.ToLower(r)); ok {
			return e
		}
	}
	f := foldRune(r)
	if f < 0 {
		return nil
	}
	buf[0] = f
	return buf[:]
}

// foldRune is r as fold keeps it: lower-cased, its accents dropped; -1
// for what fold drops: a format character or a nonspacing mark.
func foldRune(r rune) rune {
	r = unicode.ToLower(r)
	if r < utf8.RuneSelf {
		return r
	}
	if base, ok := accented[r]; ok {
		return base
	}
	if invisible(r) || unicode.Is(unicode.Mn, r) {
		return -1
	}
	return r
}

// invisible reports whether r is a format character (Unicode's Cf),
// which a search passes over.
func invisible(r rune) bool { return r >= 0xAD && unicode.Is(unicode.Cf, r) }

// in reports whether every word occurs in one of fields, each field
// folded at most once, when a word first looks in it: Match's search, for
// one session. A pass over many uses searcher, which finds the same (it
// is tested against this) without folding; the client, which never makes
// one, is 5 KB (brotli) smaller without it.
func (ws words) in(fields searchedFields) bool {
	var folded [len(searchedFields{})]bool
	for _, w := range ws {
		found := false
		for i := range fields {
			if !folded[i] {
				fields[i], folded[i] = fold(fields[i]), true
			}
			if strings.Contains(fields[i], w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// searcher is a search made ready for a pass over many sessions: its
// words split and folded once, and each session's fields compared as they
// are, a rune folded at a time, so that a session costs no allocation. A
// search that folded every field of every session spent 70 % of its time
// lower-casing: 400 ms of helmd at 100,000 sessions. It finds what
// words.in finds, folding each field and looking for each word in it.
// Not safe for concurrent use (models).
type searcher struct {
	words  []searchWord
	models map[string]string // ModelWords of each model met: a list has a few
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

// in reports whether every word occurs in one of s's searched fields
// (searched): the longest, the first prompt, last.
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

func (sr *searcher) modelWords(m string) string {
	if mw, ok := sr.models[m]; ok {
		return mw
	}
	if sr.models == nil {
		sr.models = make(map[string]string)
	}
	mw := ModelWords(m)
	sr.models[m] = mw
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

// inFolded reports whether every word occurs in text (SearchText). The
// fields there are joined by NUL, which no word holds, so a word never
// matches across two fields.
func (ws words) inFolded(text string) bool {
	for _, w := range ws {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// Matcher returns Match over SearchText, with the search split once: the
// client filters thousands of sessions per keystroke with one query. Over
// text folded once per session, a keystroke costs a fifth of what
// MatchFunc's folding as it goes does in wasm.
func (q Query) Matcher() func(s *Session, text string) bool {
	ws := searchWords(q.Search)
	if len(ws) == 0 || strings.IndexByte(q.Search, 0) >= 0 {
		return func(s *Session, _ string) bool { return q.Match(s) } // a NUL could match across fields of text
	}
	f := q
	f.Search = ""
	return func(s *Session, text string) bool { return f.Match(s) && ws.inFolded(text) }
}

// Narrows reports whether every session search next keeps is one that
// search prev keeps: each word of prev is inside a word of next. Typing
// narrows, so a client may filter its last answer rather than the list.
func Narrows(prev, next string) bool {
	if strings.IndexByte(prev, 0) >= 0 || strings.IndexByte(next, 0) >= 0 {
		return false
	}
	nw := searchWords(next)
	for _, p := range searchWords(prev) {
		if !slices.ContainsFunc(nw, func(n string) bool { return strings.Contains(n, p) }) {
			return false
		}
	}
	return true
}

// WordRanges is MatchRanges for each word of search: where any of them
// occurs in text, byte ranges left to right, merged where they overlap.
// They are what the list highlights.
func WordRanges(text, search string) [][2]int {
	var all [][2]int
	for _, w := range strings.Fields(search) {
		all = append(all, MatchRanges(text, w)...)
	}
	if len(all) < 2 {
		return all
	}
	SortFunc(all, func(a, b *[2]int) int { return a[0] - b[0] })
	out := all[:1]
	for _, r := range all[1:] {
		last := &out[len(out)-1]
		if r[0] <= last[1] {
			last[1] = max(last[1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}
