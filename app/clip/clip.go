// Package clip cuts transcript text to what a row or a notification
// shows: one line of a bounded length. It is apart from the UI so that
// its fuzz target builds without go-app.
package clip

import "strings"

// MaxLine is the longest question line shown (runes): a notification or
// a row shows a sentence, not a page.
const MaxLine = 200

// FirstLine is the first non-blank line of s, trimmed and cut to a
// notification's length.
func FirstLine(s string) string {
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			return cut(line, MaxLine)
		}
	}
	return ""
}

// cut cuts s to n runes, marking the cut with an ellipsis.
func cut(s string, n int) string {
	i := 0
	for at := range s {
		if i == n {
			return s[:at] + "…"
		}
		i++
	}
	return s
}
