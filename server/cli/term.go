package cli

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// clean makes text from a transcript safe to print on a terminal: escape
// sequences (CSI, OSC, DCS and the rest) are dropped whole, other control
// characters (C0, DEL, C1), line and paragraph separators and bidi
// overrides become a space or nothing, and invalid UTF-8 becomes U+FFFD.
// A title must never move the cursor, clear the screen, set the window
// title, make a link or reorder what follows it.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(utf8.RuneError)
		case r == 0x1b: // ESC
			i += escapeLen(s[i:])
			continue
		case r == 0x9b || r == 0x9d || r == 0x90: // C1 CSI, OSC, DCS
			i += n + stringLen(s[i+n:], r == 0x9b)
			continue
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		case isBidi(r) || r == '\ufeff':
		case !unicode.IsPrint(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Mn, r):
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// escapeLen is the length of the escape sequence at the start of s (s[0]
// is ESC).
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[': // CSI: parameters and intermediates, then a final byte
		return 2 + stringLen(s[2:], true)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: up to BEL or ST
		return 2 + stringLen(s[2:], false)
	}
	_, n := utf8.DecodeRuneInString(s[1:]) // a two-character sequence
	return 1 + n
}

// stringLen is the length of a control sequence's body at the start of s,
// terminator included: for a CSI up to its final byte (0x40–0x7e), else up
// to BEL, ESC \ or C1 ST. An unterminated one runs to the end of s.
func stringLen(s string, csi bool) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if csi {
			if c >= 0x40 && c <= 0x7e {
				return i + 1
			}
			if c < 0x20 || c > 0x7e {
				return i // not a CSI byte: the sequence ends here, broken
			}
			continue
		}
		switch {
		case c == 0x07:
			return i + 1
		case c == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // U+009C ST
			return i + 2
		}
	}
	return len(s)
}

func isBidi(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') || r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// cut shortens s to at most n columns of a terminal (width), with an
// ellipsis. A combining mark stays with the character it marks.
func cut(s string, n int) string {
	if width(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	w := 0
	for i, r := range s {
		if w+runeWidth(r) > n-1 { // the ellipsis takes one column
			return s[:i] + "…"
		}
		w += runeWidth(r)
	}
	return s
}

// ago says how long before now t (epoch ms) was, as "3m ago": in hours
// up to a day, then in days, as the page does ("yesterday", "2 days
// ago"): "47h ago" left the reader to divide by 24. The units are short,
// for a table column.
func ago(ms int64, now time.Time) string {
	if ms <= 0 {
		return "-"
	}
	d := now.Sub(time.UnixMilli(ms))
	if d < 0 {
		return "just now" // clocks differ a little between files and here
	}
	return span(d) + " ago"
}

// span is d in its largest whole unit, short: "5s", "3m", "23h", "2d".
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// cutPath shortens a path to at most n columns keeping its end, as the
// page's pathFit does: a project is told from its neighbours by its own
// folder and those just above it, so "…" then the last folders that fit
// whole ("…acme/platform/billing-api"), never "/home/alice/src/git…",
// which two projects of one machine share; a last folder wider than n
// alone keeps its end ("…ng-api").
func cutPath(p string, n int) string {
	if width(p) <= n {
		return p
	}
	if n < 1 {
		return ""
	}
	room := n - 1 // the ellipsis takes one column
	kept := -1
	for i := len(p) - 1; i > 0; i-- {
		if p[i-1] != '/' && p[i-1] != '\\' {
			continue
		}
		if width(p[i:]) > room {
			break
		}
		kept = i
	}
	if kept >= 0 {
		return "…" + p[kept:]
	}
	return "…" + tail(p, room)
}

// tail is the end of s that fits n columns; a combining mark stays with
// the character it marks.
func tail(s string, n int) string {
	w := width(s)
	for i, r := range s {
		if w <= n && runeWidth(r) > 0 {
			return s[i:]
		}
		w -= runeWidth(r)
	}
	return ""
}

// table is what helmd ls and helmd usage print: rows of clean cells (one
// line, no tabs, no escapes), the first the header, written as columns
// two spaces apart.
type table struct {
	rows  [][]string
	right []bool                           // by column: figures, padded on the left so that their last digits line up
	cuts  map[int]func(string, int) string // by column, how a cell is cut to a width; else cut, which keeps its start
	hide  []int                            // columns fit leaves out whatever the width (one that would tell no row from another)
	limit int                              // fit's: no line is wider; 0: no limit
}

// shrink is one step of fitting a table to a terminal: column col gives
// up columns, down to min; or, with a min below 0 (dropCol), goes whole,
// its heading too. A whole step (shrinkWhole) takes the column to min at
// once: its cells give way all or nothing (STATUS drops a reason whole).
type shrink struct {
	col, min int
	whole    bool
}

// dropCol is the step that takes column col out of the table.
func dropCol(col int) shrink { return shrink{col: col, min: -1} }

// shrinkWhole is the step that takes column col to min at once, whatever
// it is over: what it frees beyond that goes back to the columns that
// gave way (giveWay). Cut by columns, a STATUS column of 23 dropped every
// reason of 26 anyway, and the 16 columns it left stood empty.
func shrinkWhole(col, min int) shrink { return shrink{col: col, min: min, whole: true} }

// fit cuts the cells of the table (the header is left whole) so that
// its lines are at most limit columns wide, taking the columns the steps
// name, in order, each down to its min, or whole; what a column that
// went leaves unused goes back to those that gave way, the one the steps
// name last first. Lines are never wider than limit: should the steps
// not be enough (a terminal narrower than they foresee), write cuts
// each line at limit, as a wrapped line breaks the table worse. limit
// 0: no limit. The columns of hide go first, whatever the limit.
func (t *table) fit(limit int, steps []shrink) {
	if limit <= 0 && len(t.hide) == 0 || len(t.rows) == 0 {
		return
	}
	widths := columnWidths(t.rows, len(t.rows[0]))
	for _, c := range t.hide {
		widths[c] = -1
	}
	if limit > 0 {
		t.limit = limit
		over := -2 - limit
		for _, w := range widths {
			if w >= 0 {
				over += w + 2
			}
		}
		giveWay(widths, over, steps)
	}
	keep := make([]int, 0, len(widths))
	for i, w := range widths {
		if w >= 0 {
			keep = append(keep, i)
		}
	}
	right := make([]bool, len(keep))
	for j, i := range keep {
		right[j] = t.right[i]
	}
	t.right = right
	for k, r := range t.rows {
		kept := make([]string, len(keep))
		for j, i := range keep {
			kept[j] = r[i]
			if k == 0 {
				continue
			}
			if c := t.cuts[i]; c != nil {
				kept[j] = c(r[i], widths[i])
			} else {
				kept[j] = cut(r[i], widths[i])
			}
		}
		t.rows[k] = kept
	}
}

// write writes the table's rows as columns two spaces apart. A cell is
// padded to its column's width (in terminal columns) on the left where
// right says so, else on the right; no line ends in spaces.
func (t *table) write(w io.Writer) error {
	widths := columnWidths(t.rows, len(t.right))
	var b strings.Builder
	for _, r := range t.rows {
		var line strings.Builder
		for i, c := range r {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-width(c))
			if t.right[i] {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		l := strings.TrimRight(line.String(), " ")
		if t.limit > 0 {
			l = cut(l, t.limit)
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// giveWay takes over columns from widths, by the steps in order, each
// width down to its step's min, or, for a dropCol step, the width and
// the two spaces before the column (the width becomes -1: gone), and
// stops when nothing is over or the steps are spent. A column that went
// may leave columns unused: they go back to the columns that gave way,
// the one the steps name last (the one that gives way last, the most
// read) first. (helmd watch's line gives way by its own steps,
// lineSteps: its parts are not columns.)
func giveWay(widths []int, over int, steps []shrink) {
	given := make([]int, len(widths))
	for _, s := range steps {
		if over <= 0 {
			break
		}
		switch {
		case widths[s.col] < 0:
		case s.min < 0:
			over -= widths[s.col] + 2
			given[s.col], widths[s.col] = 0, -1
		default:
			give := max(0, widths[s.col]-s.min)
			if !s.whole {
				give = min(over, give)
			}
			widths[s.col] -= give
			given[s.col] += give
			over -= give
		}
	}
	for i := len(steps) - 1; i >= 0 && over < 0; i-- {
		c := steps[i].col
		back := min(-over, given[c])
		widths[c] += back
		given[c] -= back
		over += back
	}
}

// columnWidths is the widest cell of each of n columns, in terminal
// columns.
func columnWidths(rows [][]string, n int) []int {
	widths := make([]int, n)
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], width(c))
		}
	}
	return widths
}
