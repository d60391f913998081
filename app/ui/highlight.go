package ui

import (
	"strings"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/shared"
)

// marked is text with the search's matches in <mark>: the pieces to put
// in an element's body. Without a match it is the text alone. The search
// is one phrase (the session page's find).
func marked(text, search string) []app.UI {
	return markRanges(text, shared.MatchRanges(text, search))
}

// markedWords is marked for the list's search: each of its words.
func markedWords(text, search string) []app.UI {
	return markRanges(text, shared.WordRanges(text, search))
}

func markRanges(text string, ranges [][2]int) []app.UI {
	if text == "" {
		return nil // keeps the element :empty
	}
	if len(ranges) == 0 {
		return []app.UI{app.Text(text)}
	}
	out := make([]app.UI, 0, 2*len(ranges)+1)
	at := 0
	for _, r := range ranges {
		if r[0] > at {
			out = append(out, app.Text(text[at:r[0]]))
		}
		out = append(out, el.Mark().Text(text[r[0]:r[1]]))
		at = r[1]
	}
	if at < len(text) {
		out = append(out, app.Text(text[at:]))
	}
	return out
}

// snippetRadius is how much context a snippet keeps each side of a match.
const snippetRadius = 40

// snippet cuts text to the part around search's first match, with an
// ellipsis where it was cut, or "" when search does not occur: it shows
// why a session matched when the match is in its first prompt, which the
// row does not otherwise show.
func snippet(text, search string) string {
	ranges := shared.WordRanges(text, search)
	if len(ranges) == 0 {
		return ""
	}
	start, end := ranges[0][0], ranges[0][1]
	from := max(0, start-snippetRadius)
	for from > 0 && !utf8.RuneStart(text[from]) {
		from--
	}
	to := min(len(text), end+snippetRadius)
	for to < len(text) && !utf8.RuneStart(text[to]) {
		to++
	}
	out := strings.Join(strings.Fields(text[from:to]), " ") // prompts have newlines
	if from > 0 {
		out = "…" + out
	}
	if to < len(text) {
		out += "…"
	}
	return out
}
