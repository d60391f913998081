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
//
// The answer is Markdown: a line's markup is dropped (PlainLine), and a
// line with nothing else (a fence, a rule) is skipped.
func QuestionLine(text string) string {
	for line := range strings.Lines(text) {
		if q := PlainLine(questionOf(line)); q != "" {
			return q
		}
	}
	return ""
}

// PlainLine is one line of Markdown as a reader would say it: without
// the marks of a heading, a quote or a bullet at its start, nor bold or
// code marks within; "" for a code fence or a rule, which say nothing.
// "## Result" → "Result", "- **Done**: `make test`" → "Done: make test".
func PlainLine(line string) string {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") || isRule(line) {
		return ""
	}
	for {
		rest := strings.TrimLeft(line, "#")
		if n := len(line) - len(rest); n > 0 && n <= 6 && (rest == "" || rest[0] == ' ') {
			line = strings.TrimSpace(rest)
			continue
		}
		if rest, ok := strings.CutPrefix(line, ">"); ok {
			line = strings.TrimSpace(rest)
			continue
		}
		if len(line) > 1 && strings.ContainsRune("-*+", rune(line[0])) && line[1] == ' ' {
			line = strings.TrimSpace(line[2:])
			continue
		}
		break
	}
	line = strings.ReplaceAll(line, "**", "")
	line = strings.ReplaceAll(line, "`", "")
	return strings.TrimSpace(line)
}

// isRule reports whether line is a thematic break or a setext heading's
// underline: three or more of one of - * _ =, spaces between.
func isRule(line string) bool {
	if len(line) < 3 || !strings.ContainsRune("-*_=", rune(line[0])) {
		return false
	}
	n := 0
	for _, r := range line {
		switch {
		case r == rune(line[0]):
			n++
		case r != ' ':
			return false
		}
	}
	return n >= 3
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
