package shared

import (
	"cmp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQuestion bounds Session.Question, in runes (the ellipsis included).
const MaxQuestion = 200

// QuestionLine is what a waiting session's row shows of its last
// assistant text: its first line that says something, trimmed, without
// control or bidirectional formatting characters (an RLO in a transcript
// would otherwise reverse the rest of the row), cut to MaxQuestion runes
// with an ellipsis. It is text, never markup: the UI sets it as a text
// node. The list's row, the API's question and the session page's header
// all show this one line.
//
// It is computed for every answer while a transcript is read, so it maps
// only the runes it keeps: an answer of many KB costs its first
// MaxQuestion runes of each line it looks at, not its length.
//
// The answer is Markdown: a line's markup is dropped (PlainLine), and a
// line that says nothing is passed over: a fence, a rule, and the lines
// of a fenced block; a label, which is a short heading ("## Question",
// "Question" over "---") or a short line bold or italic as a whole
// ("**Question:**"); a table's rows. A label, a table's first row (its
// cells "a · b") or a fenced line is shown only when no other line says
// anything.
func QuestionLine(text string) string {
	return questionLine(text, QuestionText)
}

// labelWords is the most words a heading or a bold line has to be a
// label passed over for the text after it: "## Question", "**Next
// steps:**", "## Open questions left". A longer one is a title, which
// says something ("## Result of step 119").
const labelWords = 3

// questionLine is QuestionLine with cut as the rule mapping and cutting
// one line.
func questionLine(text string, cut func(string) string) string {
	var (
		fallback string // the first label, or line of a fenced block
		held     string // a line the next may underline as a heading
		fence    string // the open fence's marks, "" outside a block
	)
	for line := range strings.Lines(text) {
		raw := cut(line)
		if held != "" {
			if !isUnderline(raw) || wordCount(held) > labelWords {
				return held
			}
			fallback = cmp.Or(fallback, held)
			held = ""
			continue
		}
		if fence != "" {
			if closesFence(raw, fence) {
				fence = ""
			} else if fallback == "" {
				fallback = PlainLine(raw)
			}
			continue
		}
		if f := fenceOf(raw); f != "" {
			fence = f
			continue
		}
		q := PlainLine(raw)
		switch {
		case q == "":
		case isLabel(raw, q), raw[0] == '|':
			// A label, or a table's row ("a · b"): the line after the
			// table is the more likely question.
			fallback = cmp.Or(fallback, q)
		case strings.ContainsRune("#>-+*", rune(raw[0])):
			// A heading, a quote or a bullet: no line underlines it.
			return q
		default:
			held = q
		}
	}
	return cmp.Or(held, fallback)
}

// fenceOf is the run of backticks or tildes that opens a fenced block
// at the start of line (trimmed), or "".
func fenceOf(line string) string {
	if line == "" || line[0] != '`' && line[0] != '~' {
		return ""
	}
	n := len(line) - len(strings.TrimLeft(line, line[:1]))
	if n < 3 || line[0] == '`' && strings.Contains(line[n:], "`") {
		return ""
	}
	return line[:n]
}

// closesFence reports whether line (trimmed) closes the block that fence
// opened: a run of the same mark at least as long, and nothing else.
func closesFence(line, fence string) bool {
	return len(line) >= len(fence) && strings.TrimLeft(line, fence[:1]) == ""
}

// isUnderline reports whether line (trimmed) underlines the line before
// it as a heading: only "=" or only "-", as many as may be.
func isUnderline(line string) bool {
	return line != "" && (strings.Trim(line, "=") == "" || strings.Trim(line, "-") == "")
}

// isLabel reports whether raw, a line whose plain text is q, is a short
// heading or a short line emphasized as a whole: a label for the text
// after it rather than something said.
func isLabel(raw, q string) bool {
	if wordCount(q) > labelWords {
		return false
	}
	if rest := strings.TrimLeft(raw, "#"); len(raw)-len(rest) <= 6 && len(rest) < len(raw) && (rest == "" || rest[0] == ' ') {
		return true
	}
	s := strings.TrimSuffix(raw, ":")
	for _, mark := range []string{"***", "**", "__", "*", "_"} {
		if len(s) > 2*len(mark) && strings.HasPrefix(s, mark) && strings.HasSuffix(s, mark) {
			return true
		}
	}
	return false
}

// wordCount counts the words of s, stopping past labelWords.
func wordCount(s string) int {
	n := 0
	for range strings.FieldsSeq(s) {
		if n++; n > labelWords {
			break
		}
	}
	return n
}

// PlainLine is one line of Markdown as a reader would say it: without
// the marks of a heading, a quote or a bullet at its start, nor emphasis,
// strikethrough or code marks within; a table's row as its cells, "a ·
// b"; "" for a code fence, a rule or a table's delimiter row, which say
// nothing. "## Result" → "Result", "- **Done**: `make test`" →
// "Done: make test", "*really* ~~not~~" → "really not". Underscores stay:
// in an agent's answer they are more often a name's (__init__,
// snake_case) than emphasis.
func PlainLine(line string) string {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") || isRule(line) || isTableDelimiter(line) {
		return ""
	}
	if strings.HasPrefix(line, "|") {
		line = tableCells(line)
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
	line = strings.ReplaceAll(line, "`", "")
	line = dropMarks(line, '*')
	line = dropMarks(line, '~')
	if strings.Trim(line, "*~_ ") == "" {
		return "" // marks alone say nothing
	}
	if strings.Contains(line, "  ") {
		// Marks dropped between spaces ("a `` b") leave a run, which
		// QuestionText, reading the line again, would make one space.
		line = strings.Join(strings.Fields(line), " ")
	}
	return strings.TrimSpace(line)
}

// dropMarks drops the runs of c that open or close emphasis (c '*') or a
// strikethrough (c '~', runs of two): an opening run is followed by a
// letter and not preceded by one, a closing run the other way round, and
// each opening run is closed by the next closing one. A run between two
// spaces ("2 * 3") or two letters ("a*b") stays, as does an unclosed
// one. Linear in line: one pass finds the runs, one copies the rest.
func dropMarks(line string, c byte) string {
	if strings.IndexByte(line, c) < 0 {
		return line
	}
	var drop []int // start and end of each run dropped, in order
	open := -1     // where the open run starts, its end in openEnd
	openEnd := 0
	for i := 0; i < len(line); {
		if line[i] != c {
			i++
			continue
		}
		n := 1
		for i+n < len(line) && line[i+n] == c {
			n++
		}
		before := i > 0 && !isSpaceOrPunct(line[i-1])
		after := i+n < len(line) && !isSpaceOrPunct(line[i+n])
		fits := n <= 3
		if c == '~' {
			fits = n == 2
		}
		switch {
		case !fits:
		case open < 0 && after && !before:
			open, openEnd = i, i+n
		case open >= 0 && before && !after:
			drop = append(drop, open, openEnd, i, i+n)
			open = -1
		}
		i += n
	}
	if drop == nil {
		return line
	}
	var b strings.Builder
	b.Grow(len(line))
	last := 0
	for k := 0; k < len(drop); k += 2 {
		b.WriteString(line[last:drop[k]])
		last = drop[k+1]
	}
	b.WriteString(line[last:])
	return b.String()
}

// isSpaceOrPunct reports whether the byte next to a run of marks lets
// it open or close: a space or ASCII punctuation. Other bytes, UTF-8's
// included, are a word's.
func isSpaceOrPunct(b byte) bool {
	return b == ' ' || b == '\t' || b < 0x80 && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", b) >= 0
}

// isTableDelimiter reports whether line (trimmed) is the row under a
// table's header: cells of dashes, each with an optional colon at either
// end, between pipes ("|---|:--:|", "--- | ---").
func isTableDelimiter(line string) bool {
	if !strings.Contains(line, "|") || !strings.Contains(line, "-") {
		return false
	}
	for cell := range strings.SplitSeq(strings.Trim(line, "|"), "|") {
		cell = strings.Trim(strings.TrimSpace(cell), ":")
		if cell == "" || strings.Trim(cell, "-") != "" {
			return false
		}
	}
	return true
}

// tableCells is a table's row ("| a | b |") as its cells, "a · b"; an
// escaped pipe ("\\|") stays in its cell, as a pipe.
func tableCells(line string) string {
	var cells []string
	var cell strings.Builder
	end := func() {
		if c := strings.TrimSpace(cell.String()); c != "" {
			cells = append(cells, c)
		}
		cell.Reset()
	}
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cell.WriteByte('|')
			i++
		case line[i] == '|':
			end()
		default:
			cell.WriteByte(line[i])
		}
	}
	end()
	return strings.Join(cells, " · ")
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

// QuestionText is s as one question line: without control or
// bidirectional formatting characters, each run of white space (a line
// break too: "Which\nport?" is "Which port?") one space, trimmed, cut to
// MaxQuestion runes, as QuestionLine makes a line, but not read as
// Markdown: for a line QuestionLine made already and another program
// passed on (a hook's), which a second reading could strip further. It
// changes nothing of what QuestionLine returns; "" when nothing is
// left. QuestionLine makes each line it reads so.
func QuestionText(line string) string {
	var b strings.Builder
	// Grown once, rather than by doubling.
	b.Grow(min(len(line), 4*MaxQuestion))
	n, cut := 0, 0 // runes kept; bytes of b after MaxQuestion-1 of them
	space := true  // the last rune kept is a space, or none is yet
	for i, r := range line {
		if r = keepRune(r); r < 0 || r == ' ' && space {
			continue
		}
		space = r == ' '
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

// keepRune drops control characters, bidi controls and invalid UTF-8;
// white space (a tab, a line break, a no-break space) becomes a space:
// the words a line break parted stay apart.
func keepRune(r rune) rune {
	switch {
	case unicode.IsSpace(r):
		return ' '
	case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
		return -1
	}
	return r
}
