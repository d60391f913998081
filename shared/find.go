package shared

import (
	"strings"
	"unicode"
)

// Find in a transcript: the session page's find box and GET
// …/find?q= match the same text, so that what the server counts is what
// the page marks.

// FindResult answers GET /api/sessions/<source>/<id>/find: the cursors of
// the messages that show the term, in transcript order, at most
// MaxFound; More when there were others after the last.
type FindResult struct {
	Matches []string `json:"matches"`
	More    bool     `json:"more,omitempty"`
}

// Find's bounds.
const (
	// MaxFound is how many matches one find returns.
	MaxFound = 1000
	// MaxFindTerm is the longest term, in bytes, a find accepts.
	MaxFindTerm = 256
)

// Holds reports whether text holds term, as find marks it: where
// MatchRanges finds a range (each rune compared lower-cased, what shows
// nothing passed over, as fold does). Both sides
// lower-cased rune by rune, then searched as strings, which is the same
// (UTF-8 is self-synchronising, and an invalid byte reads as U+FFFD on
// both sides) but linear: the server runs it over whole transcripts,
// with terms of up to MaxFindTerm bytes (FuzzHolds checks the two agree).
func Holds(text, term string) bool {
	needle := string([]rune(fold(term))) // without what shows nothing, as MatchRanges
	if text == "" || needle == "" {
		return false
	}
	return strings.Contains(strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, text), needle)
}

// MessageShows reports whether m shows term: its texts, tool names and
// summaries, and tool results, as they came (a cut text as cut).
func MessageShows(m *Message, term string) bool {
	for _, b := range m.Blocks {
		if Holds(b.Text, term) {
			return true
		}
		if t := b.Tool; t != nil {
			if Holds(t.Name, term) || Holds(t.Summary, term) || (t.Result != nil && Holds(t.Result.Text, term)) {
				return true
			}
		}
	}
	return false
}
