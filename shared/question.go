package shared

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQuestion bounds Session.Question, in runes (the ellipsis included).
const MaxQuestion = 200

// QuestionLine is what a waiting session's row shows of its last
// assistant text: the first line that is not blank, trimmed, without
// control or bidirectional formatting characters (an RLO in a transcript
// would otherwise reverse the rest of the row), cut to MaxQuestion runes
// with an ellipsis. It is text, never markup: the UI sets it as a text
// node.
//
// It is computed for every answer while a transcript is read, so it maps
// only the runes it keeps: an answer of many KB costs its first
// MaxQuestion runes, not its length.
func QuestionLine(text string) string {
	for line := range strings.Lines(text) {
		if q := questionOf(line); q != "" {
			return q
		}
	}
	return ""
}

// questionOf is line without dropped runes, trimmed, cut as QuestionLine
// says; "" when nothing is left.
func questionOf(line string) string {
	var b strings.Builder
	// Grown once, rather than by doubling.
	b.Grow(min(len(line), 4*MaxQuestion))
	n, cut := 0, 0 // runes kept; bytes of b after MaxQuestion-1 of them
	for i, r := range line {
		if r = keepRune(r); r < 0 || n == 0 && unicode.IsSpace(r) {
			continue
		}
		if n == MaxQuestion {
			// Longer than a question only if something other than
			// space follows, which TrimSpace would not remove.
			if strings.IndexFunc(line[i:], func(r rune) bool { r = keepRune(r); return r >= 0 && !unicode.IsSpace(r) }) < 0 {
				break
			}
			return strings.TrimSpace(b.String()[:cut]) + "…" // a new string, of its size
		}
		if n == MaxQuestion-1 {
			cut = b.Len()
		}
		b.WriteRune(r)
		n++
	}
	// A copy of its size: the line is kept for every session, and the
	// builder's buffer may be four times larger.
	return strings.Clone(strings.TrimSpace(b.String()))
}

// keepRune drops control characters (tabs become spaces), bidi controls
// and invalid UTF-8.
func keepRune(r rune) rune {
	switch {
	case r == '\t':
		return ' '
	case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
		return -1
	}
	return r
}
