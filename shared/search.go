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
// shows finds it. s itself when it holds nothing to change: lower-case
// ASCII, as most of a list is.
func fold(s string) string {
	if keptASCII(s) == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	writeFold(&b, s)
	return b.String()
}

// writeFold writes fold(s) to b. The client folds every session of a list
// of up to 100,000 before its first search, and most of what it folds is
// lower-case ASCII with a capital, a dash, a quote or an accent here and
// there: the bytes that fold keeps are found eight at a time
// (keptASCII) and written a run at a time, an ASCII capital is
// lower-cased as a byte, and only a rune that is not ASCII is decoded and
// folded (foldedRunes). Rune by rune, the whole of a field with one dash
// cost ~7 µs a session in the browser.
func writeFold(b *strings.Builder, s string) {
	var buf [1]rune
	kept := 0 // s[kept:i] folds to itself and is not written yet
	for i := keptASCII(s); i < len(s); i += keptASCII(s[i:]) {
		if c := s[i]; c < utf8.RuneSelf { // a capital
			b.WriteString(s[kept:i])
			b.WriteByte(c + ('a' - 'A'))
			i++
			kept = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		f := foldedRunes(r, &buf)
		// A valid rune that folds to itself is kept as its bytes; a byte
		// that is not UTF-8 (size 1) reads U+FFFD, as ranging over s does.
		if size > 1 && len(f) == 1 && f[0] == r {
			i += size
			continue
		}
		b.WriteString(s[kept:i])
		for _, fr := range f {
			b.WriteRune(fr)
		}
		i += size
		kept = i
	}
	b.WriteString(s[kept:])
}

// keptASCII is how many bytes at the start of s are ASCII but for its
// capitals, which fold keeps as they are. Eight bytes are read as one
// word (the compiler makes the eight loads one) and tested at once: in
// wasm, a loop costs ~6 ns a byte.
func keptASCII(s string) int {
	const high = 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		t := s[i : i+8]
		w := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		// Each byte below 0x80, adding 0x3f sets its high bit from 'A'
		// up and adding 0x25 from past 'Z' up, with no carry into the
		// next byte: a capital is a byte with the first and not the
		// second.
		if w&high != 0 || (w+0x3f3f3f3f3f3f3f3f)&^(w+0x2525252525252525)&high != 0 {
			break
		}
	}
	for ; i < len(s) && s[i] < utf8.RuneSelf && (s[i] < 'A' || s[i] > 'Z'); i++ {
	}
	return i
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
// so that a rune's fold costs no allocation. r is lower-cased once.
func foldedRunes(r rune, buf *[1]rune) []rune {
	l := unicode.ToLower(r)
	if l >= utf8.RuneSelf {
		if e, ok := expansion(l); ok {
			return e
		}
	}
	f := foldLower(l)
	if f < 0 {
		return nil
	}
	buf[0] = f
	return buf[:]
}

// foldLower is a lower-cased rune l as fold keeps it: its accents
// dropped; -1 for what fold drops: a format character or a nonspacing
// mark.
func foldLower(l rune) rune {
	if l < utf8.RuneSelf {
		return l
	}
	if base, ok := accented[l]; ok {
		return base
	}
	if invisible(l) || unicode.Is(unicode.Mn, l) {
		return -1
	}
	return l
}

// invisible reports whether r is a format character (Unicode's Cf),
// which a search passes over.
func invisible(r rune) bool { return r >= 0xAD && unicode.Is(unicode.Cf, r) }

// in reports whether every word occurs in one of fields, each field
// folded at most once, when a word first looks in it.
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
// client filters thousands of sessions per keystroke with one query. Its
// filters too are made ready once (filters); not safe for concurrent use.
func (q Query) Matcher() func(s *Session, text string) bool {
	ws := searchWords(q.Search)
	if strings.IndexByte(q.Search, 0) >= 0 {
		return func(s *Session, _ string) bool { return q.Match(s) } // a NUL could match across fields of text
	}
	f := q.filters(true)
	if len(ws) == 0 {
		return func(s *Session, _ string) bool { return f.match(s) }
	}
	return func(s *Session, text string) bool { return f.match(s) && ws.inFolded(text) }
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
