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
func QuestionLine(text string) string {
	for line := range strings.Lines(text) {
		line = strings.Map(keepRune, line)
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if utf8.RuneCountInString(line) <= MaxQuestion {
			return line
		}
		n := 0
		for i := range line {
			if n == MaxQuestion-1 {
				return strings.TrimSpace(line[:i]) + "…"
			}
			n++
		}
	}
	return ""
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
