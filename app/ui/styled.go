package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/shared"
)

// joinRuns is the text of runs, as shared.StripEscapes keeps it.
func joinRuns(runs []shared.Run) string {
	var b strings.Builder
	for _, r := range runs {
		b.WriteString(r.Text)
	}
	return b.String()
}

// markOutput is mark of shown, the first bytes of a command's output
// whose runs (shared.StyledRuns) say how a terminal colours it: each run
// in a span of its style's classes (helm.css holds colours with WCAG AA
// contrast in both themes), find's marks within it; a match that crosses
// runs is marked in each. Without a styled run (no escape, or none that
// colours), mark alone.
func (p *SessionPage) markOutput(runs []shared.Run, shown string) []app.UI {
	if !styled(runs) {
		return p.mark(shown)
	}
	// Each run cleaned alone is the whole cleaned (md.Clean maps rune by
	// rune), so the marks are found in the text shown, as mark finds them.
	type piece struct {
		text  string
		style shared.Style
	}
	pieces := make([]piece, 0, min(len(runs), maxStyledRuns+1))
	var whole strings.Builder
	for left, at := len(shown), 0; left > 0 && len(pieces) < len(runs); {
		r := runs[len(pieces)]
		t := r.Text[:min(len(r.Text), left)]
		if len(pieces) == maxStyledRuns {
			// Past them, the rest as it is: an output of a
			// hundred thousand colour changes is not as many spans.
			t, r.Style = shown[at:], 0
		}
		left, at = left-len(t), at+len(t)
		c := md.Clean(t)
		pieces = append(pieces, piece{c, r.Style})
		whole.WriteString(c)
	}
	var ranges [][2]int
	if p.term != "" {
		ranges = shared.MatchRanges(whole.String(), p.term)
	}
	out := make([]app.UI, 0, len(pieces))
	at, k := 0, 0 // where the piece starts in whole; the first range not before it
	for _, pc := range pieces {
		end := at + len(pc.text)
		var local [][2]int
		for k < len(ranges) && ranges[k][1] <= at {
			k++
		}
		for j := k; j < len(ranges) && ranges[j][0] < end; j++ {
			local = append(local, [2]int{max(ranges[j][0], at) - at, min(ranges[j][1], end) - at})
		}
		nodes := markRanges(pc.text, local)
		if pc.style == 0 {
			out = append(out, nodes...)
		} else {
			out = append(out, el.Span().Class(styleClass(pc.style)).Body(nodes...))
		}
		at = end
	}
	return out
}

// maxStyledRuns bounds the runs of one output drawn in their style, so
// that its elements are bounded too (Show all of a 5 MB output).
const maxStyledRuns = 2000

// styled reports whether one of runs has a style.
func styled(runs []shared.Run) bool {
	for _, r := range runs {
		if r.Style != 0 {
			return true
		}
	}
	return false
}

// styleClass is the class of a run drawn in style s: "sgr", its
// colour's ("sgr-red") and "sgr-bold" for bold.
func styleClass(s shared.Style) string {
	c := "sgr"
	if name := sgrColors[s.Color()]; name != "" {
		c += " sgr-" + name
	}
	if s.Bold() {
		c += " sgr-bold"
	}
	return c
}

var sgrColors = [8]string{shared.StyleRed: "red", shared.StyleGreen: "green", shared.StyleYellow: "yellow",
	shared.StyleBlue: "blue", shared.StyleMagenta: "magenta", shared.StyleCyan: "cyan"}
