package md

import "strings"

// Block quotes are containers, as in CommonMark: a run of lines that
// start with ">" (indented less than four), each less its marker and one
// space after it, is parsed again as blocks one level deeper, so that a
// quote holds paragraphs, lists, fences, tables and quotes of its own.
// A line without the marker is the quote's too when it goes on with the
// text of a paragraph open in it (a lazy line: "> a" then "b"), as
// CommonMark has it; a blank line, or a line that starts another block,
// ends the quote.

// quoteStarts reports whether the line starts a quote here: a ">"
// indented less than four, not deeper than maxDepth (deeper, it is text).
func (p *parser) quoteStarts(indent int, trim string) bool {
	return p.depth < maxDepth && indent < 4 && strings.HasPrefix(trim, ">")
}

// quote reads the quote at p.i and parses its lines, less their
// markers, as blocks one level deeper.
func (p *parser) quote() {
	var body []string
	open := ""    // the fence open in the quote, if any
	lazy := false // the last line was a paragraph's text
	for ; p.i < len(p.lines); p.i++ {
		line := p.lines[p.i]
		trim := strings.TrimLeft(line, " ")
		indent := len(line) - len(trim)
		if indent < 4 && strings.HasPrefix(trim, ">") {
			l := unquote(trim)
			body = append(body, l)
			open, lazy = quoted(l, open, lazy)
			continue
		}
		if !lazy || strings.TrimSpace(line) == "" || indent < 4 && p.startsBlock(p.i) || p.tableAt(p.i) != nil {
			break
		}
		body = append(body, line) // a lazy line: the paragraph goes on
	}
	p.emit(Block{Kind: Quote, Blocks: parse(body, p.depth+1, p.blocks)})
}

// unquote strips a quote's marker, and one space or tab after it, from
// trim, which starts with ">".
func unquote(trim string) string {
	l := trim[1:]
	if l != "" && (l[0] == ' ' || l[0] == '\t') {
		l = l[1:]
	}
	return l
}

// quoted returns what is open in a quote after its line l: the fence
// (open before l, or opened by it), and whether l is a paragraph's text
// that a lazy line may go on with.
func quoted(l, open string, lazy bool) (string, bool) {
	if open != "" {
		if closes(l, open) {
			open = ""
		}
		return open, false
	}
	return opens(l), paraText(l, lazy)
}

// paraText reports whether l is a paragraph's text, given whether a
// paragraph was open before it (inPara): not blank, not a fence, a
// heading, a rule or a setext underline, and indented four or more only as a paragraph's
// continuation (else it is code). The text of a list item or a quote
// that l opens counts: a lazy line goes on with it too. At most maxDepth
// markers are looked through, so that a line of 10,000 ">" costs no more
// than a few passes over it.
func paraText(l string, inPara bool) bool {
	for range maxDepth + 1 {
		trim := strings.TrimLeft(l, " ")
		switch {
		case strings.TrimSpace(trim) == "":
			return false
		case len(l)-len(trim) >= 4 || trim[0] == '\t':
			return inPara
		case fence(trim) != "" || heading(trim) > 0 || rule(trim) || inPara && setext(trim) > 0:
			return false
		case trim[0] == '>':
			l = unquote(trim)
		case listMarker(trim) > 0:
			l, inPara = trim[listMarker(trim):], false
		default:
			return true
		}
	}
	return true
}
