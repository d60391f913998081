package md

import "strings"

// Tables are GitHub's pipe tables, which Claude writes often: a header
// row, a delimiter row (|---|:--:|) with as many cells, then body rows
// up to a blank line or another block. A body row with fewer cells is
// padded with empty ones, one with more loses the extra, as on GitHub.

// Align is a table column's alignment, from its delimiter row.
type Align uint8

// Column alignments: ":--", ":-:", "--:", or none ("---").
const (
	AlignNone Align = iota
	AlignLeft
	AlignCenter
	AlignRight
)

// Row is a table row: the spans of each cell.
type Row [][]Inline

// Limits on one table, so that no text makes a page of a million cells.
const (
	maxCols = 64   // a wider table is text
	maxRows = 1000 // body rows kept; the rest are text
)

// tableAt returns the columns' alignments if a table starts at line i: a
// row with a pipe, then a delimiter row with as many cells. Otherwise nil.
func (p *parser) tableAt(i int) []Align {
	if i+1 >= len(p.lines) || !strings.Contains(p.lines[i], "|") || indentOf(p.lines[i]) >= 4 {
		return nil
	}
	align := delimiterRow(p.lines[i+1])
	if align == nil || len(splitRow(p.lines[i], maxCols+1)) != len(align) {
		return nil
	}
	return align
}

// table reads the table at p.i, which tableAt has found.
func (p *parser) table() {
	align := p.tableAt(p.i)
	b := Block{Kind: Table, Align: align, Head: cells(p.lines[p.i], len(align))}
	for p.i += 2; p.i < len(p.lines) && len(b.Rows) < maxRows; p.i++ {
		if strings.TrimSpace(p.lines[p.i]) == "" || p.startsBlock(p.i) {
			break
		}
		b.Rows = append(b.Rows, cells(p.lines[p.i], len(align)))
	}
	p.emit(b)
}

// cells parses a row's first n cells, padded with empty ones to n.
func cells(line string, n int) Row {
	row := make(Row, n)
	for i, c := range splitRow(line, n) {
		row[i] = ParseInline(c)
	}
	return row
}

// delimiterRow returns the alignments of a delimiter row's cells, or nil
// if line is not one: only dashes, colons, spaces and pipes, at least
// one pipe, and at least one dash in each cell.
func delimiterRow(line string) []Align {
	s := strings.TrimSpace(line)
	if strings.Trim(s, "|:- \t") != "" || !strings.Contains(s, "|") || strings.Count(s, "|") > maxCols+1 {
		return nil
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "|"), "|")
	parts := strings.Split(s, "|")
	if len(parts) > maxCols {
		return nil
	}
	align := make([]Align, len(parts))
	for i, c := range parts {
		c = strings.TrimSpace(c)
		left, right := strings.HasPrefix(c, ":"), strings.HasSuffix(c, ":")
		if dashes := strings.TrimSuffix(strings.TrimPrefix(c, ":"), ":"); dashes == "" || strings.Trim(dashes, "-") != "" {
			return nil
		}
		switch {
		case left && right:
			align[i] = AlignCenter
		case left:
			align[i] = AlignLeft
		case right:
			align[i] = AlignRight
		}
	}
	return align
}

// splitRow splits a row into at most limit cells' text at its pipes,
// less the optional outer ones. An escaped pipe (\|) is a pipe in its
// cell, even in a code span, as on GitHub; other escapes are left for
// ParseInline. Work stops at limit cells, however long the row.
func splitRow(line string, limit int) []string {
	s := strings.TrimPrefix(strings.TrimSpace(line), "|")
	var out []string
	var cell strings.Builder
	trailing := false // the row ends with a pipe: no cell after it
	for i := 0; i < len(s) && len(out) < limit; i++ {
		c := s[i]
		trailing = c == '|'
		switch {
		case c == '\\' && i+1 < len(s):
			if s[i+1] != '|' {
				cell.WriteByte(c)
			}
			cell.WriteByte(s[i+1])
			i++
		case c == '|':
			out = append(out, strings.TrimSpace(cell.String()))
			cell.Reset()
		default:
			cell.WriteByte(c)
		}
	}
	if !trailing && len(out) < limit {
		out = append(out, strings.TrimSpace(cell.String()))
	}
	return out
}
