package md

import (
	"strconv"
	"strings"
)

// Lists are parsed as CommonMark does for what Claude writes: an item
// holds every line indented under it, less that indentation, and those
// lines are parsed again as blocks of their own, a level deeper. So a
// bulleted list under a numbered item is a sub-list of that item, not
// more numbered items, and a paragraph or a fence indented under an item
// stays in it. One leniency: a line indented two columns past its
// item's marker is under the item even when short of the item's text
// ("1. a" then "  - b"), as a writer who indents by two means it.

// marker is a list item's first line.
type marker struct {
	indent  int  // spaces before the marker
	content int  // the column where the item's text starts
	ordered bool // "1." or "1)", not "-", "*" or "+"
	start   int  // an ordered item's number
}

// markerOf reads the list marker that starts line, if any.
func markerOf(line string) (marker, bool) {
	trim := strings.TrimLeft(line, " ")
	n := listMarker(trim)
	if n == 0 {
		return marker{}, false
	}
	m := marker{indent: len(line) - len(trim), ordered: trim[0] >= '0' && trim[0] <= '9'}
	if m.ordered {
		m.start, _ = strconv.Atoi(trim[:n-2]) // at most nine digits: no overflow
	}
	// Up to four spaces after the marker are part of it (CommonMark); with
	// more, or none before the end, the text starts after the first.
	spaces := run(trim[n-1:], ' ')
	if spaces > 4 || n-1+spaces == len(trim) {
		spaces = 1
	}
	m.content = m.indent + n - 1 + spaces
	return m, true
}

// listStarts reports whether the line starts a list here: not deeper than
// maxDepth (deeper, it is text), and within an open paragraph only as
// CommonMark lets a list interrupt one ("Steps:" then "1. …"), so that a
// line of prose that starts with "2." is not taken for a list.
func (p *parser) listStarts(indent int, trim string) bool {
	if p.depth >= maxDepth || listMarker(trim) == 0 {
		return false
	}
	if len(p.para) == 0 {
		return true
	}
	m, _ := markerOf(trim)
	return indent < 4 && (!m.ordered || m.start == 1)
}

// list reads consecutive items of one kind, blank lines between them
// too; each item's lines are parsed as blocks one level deeper.
func (p *parser) list() {
	m, _ := markerOf(p.lines[p.i])
	b := Block{Kind: List, Ordered: m.ordered, Start: m.start}
	for len(b.Items) < maxItems && *p.blocks < maxBlocks {
		body := p.item(m)
		var it Item
		it.Task, it.Checked, body[0] = task(body[0])
		it.Blocks = parse(body, p.depth+1, p.blocks)
		b.Items = append(b.Items, it)
		j := p.skipBlank(p.i)
		if j == len(p.lines) {
			break
		}
		next, ok := markerOf(p.lines[j])
		if !ok || next.ordered != b.Ordered {
			break
		}
		m, p.i = next, j
	}
	if !b.Ordered {
		b.Start = 0
	}
	p.emit(b)
}

// item reads the item whose marker is at p.i and returns its lines, less
// its indentation: the first line's text; every line indented at least
// two past the marker, blank lines between them; lazy lines that go on
// with its text; and a fence's lines to its end, however indented. It
// leaves p.i at the first line that is not the item's.
func (p *parser) item(m marker) []string {
	first := p.lines[p.i][m.content:]
	body := []string{first}
	under := m.indent + 2 // a line indented this far is the item's
	col := m.content      // the indentation each line loses
	indented := false     // seen a line indented under the item
	open := opens(first)  // the fence open in the item, if any
	lazy := open == "" && heading(strings.TrimLeft(first, " ")) == 0
	for p.i++; p.i < len(p.lines); p.i++ {
		line := p.lines[p.i]
		trim := strings.TrimLeft(line, " ")
		indent := len(line) - len(trim)
		switch {
		case open != "":
			line = dedent(line, col)
			if closes(line, open) {
				open = ""
			}
			lazy = false
		case strings.TrimSpace(line) == "":
			j := p.skipBlank(p.i)
			if j == len(p.lines) || indentOf(p.lines[j]) < under {
				return body
			}
			for ; p.i < j; p.i++ {
				body = append(body, "")
			}
			p.i-- // the loop steps onto line j
			lazy = false
			continue
		case indent >= under:
			if !indented {
				// The first indented line sets how far the body is
				// indented, when it is less than the item's text.
				col, indented = min(col, indent), true
			}
			line = dedent(line, col)
			open = opens(line)
			lazy = open == "" && heading(strings.TrimLeft(line, " ")) == 0
		case lazy && !p.startsBlock(p.i) && p.tableAt(p.i) == nil:
			// A lazy line: the text goes on, unindented.
		default:
			return body
		}
		body = append(body, line)
	}
	return body
}

// task reads a task item's box at the start of its first line: "[ ]",
// or "[x]" or "[X]" when ticked, then a space or a tab and some text, as
// on GitHub; it returns whether there is one, whether it is ticked, and
// the line less the box. A box with no text after it is text.
func task(first string) (isTask, checked bool, rest string) {
	if len(first) < 4 || first[0] != '[' || first[2] != ']' || (first[3] != ' ' && first[3] != '\t') {
		return false, false, first
	}
	text := strings.TrimLeft(first[4:], " \t")
	if strings.TrimSpace(text) == "" {
		return false, false, first
	}
	switch first[1] {
	case ' ':
		return true, false, text
	case 'x', 'X':
		return true, true, text
	}
	return false, false, first
}

// opens returns the fence that line opens, or "".
func opens(line string) string {
	trim := strings.TrimLeft(line, " ")
	if len(line)-len(trim) >= 4 {
		return ""
	}
	return fence(trim)
}

// startsBlock reports whether line i starts a block other than a
// paragraph, so that it cannot be a lazy line of an item's text.
func (p *parser) startsBlock(i int) bool {
	trim := strings.TrimLeft(p.lines[i], " ")
	return fence(trim) != "" || heading(trim) > 0 || strings.HasPrefix(trim, ">") || listMarker(trim) > 0 || rule(trim)
}

// skipBlank returns the index of the first non-blank line from i on.
func (p *parser) skipBlank(i int) int {
	for i < len(p.lines) && strings.TrimSpace(p.lines[i]) == "" {
		i++
	}
	return i
}

// indentOf counts line's leading spaces.
func indentOf(line string) int {
	return run(line, ' ')
}

// listMarker returns the length of a list item's marker and the space
// after it ("- ", "12. "), or 0.
func listMarker(trim string) int {
	if len(trim) >= 2 && strings.ContainsRune("-*+", rune(trim[0])) && trim[1] == ' ' {
		if rule(trim) { // "- - -" and "* * *" are rules
			return 0
		}
		return 2
	}
	n := 0
	for n < len(trim) && n < 9 && trim[n] >= '0' && trim[n] <= '9' {
		n++
	}
	if n > 0 && n+1 < len(trim) && (trim[n] == '.' || trim[n] == ')') && trim[n+1] == ' ' {
		return n + 2
	}
	return 0
}
