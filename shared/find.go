package shared

import (
	"io"
	"slices"
	"strings"
)

// Find in a transcript: the session page's find box and GET
// …/find?q= match the same text, so that what the server counts is what
// the page marks.

// FindResult answers GET /api/sessions/<source>/<id>/find: the cursors of
// the messages that show the term, in transcript order, at most
// MaxFound of them (the first, the last, or those either side of a
// cursor); More when there were others after the last.
//
// Total counts every match in the transcript and First is the place of
// Matches[0] among them (from 0), so that a page shows "k of N" right
// past MaxFound. Last is the cursor of the last match in the whole
// transcript and End that of its last message, as read: a page tells
// by them the messages written since, which the answer does not count.
// An older helmd sends none of the four.
type FindResult struct {
	Matches []string `json:"matches"`
	More    bool     `json:"more,omitempty"`
	Total   int      `json:"total,omitempty"`
	First   int      `json:"first,omitempty"`
	Last    string   `json:"last,omitempty"`
	End     string   `json:"end,omitempty"`
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
// nothing passed over). Both sides folded (fold), then searched as
// strings, which is the same (UTF-8 is self-synchronising, and an
// invalid byte reads as U+FFFD on both sides) but linear: the server runs
// it over whole transcripts, with terms of up to MaxFindTerm bytes
// (FuzzHolds checks the two agree).
func Holds(text, term string) bool { return holdsFolded(text, fold(term)) }

// Fold is text as find compares it, lower-cased, accents and what shows
// nothing dropped: the server folds a whole record with it to pass over
// the lines that cannot hold a term.
func Fold(text string) string { return fold(text) }

// holdsFolded is Holds with the term folded already.
func holdsFolded(text, needle string) bool {
	return text != "" && needle != "" && strings.Contains(fold(text), needle)
}

// MessageShows reports whether m shows term: its texts, tool names and
// summaries, and what an opened tool call shows, its input (InputTexts)
// and result, as they came (a cut text as cut), an output or a result
// without its terminal escapes (StripEscapes).
func MessageShows(m *Message, term string) bool { return Shows(term)(m) }

// Shows is MessageShows for one term over many messages (a find over a
// whole transcript): the term is folded once. A tool call's input is
// written out as the page shows it only when its JSON may show the term
// (FindTokens): helmd's find tests every call of a transcript. The
// function holds scratch space: one goroutine at a time.
func Shows(term string) func(m *Message) bool { return shows(term, nil) }

// shows is Shows, with ShowsWhole's way to read a cut input whole when
// whole is set.
func shows(term string, whole func(ref string, w io.Writer) error) func(m *Message) bool {
	needle := fold(term)
	has := func(s string) bool { return holdsFolded(s, needle) }
	tokens := NewFindTokens(term)
	inputHas := func(t *Tool) bool {
		if !t.ShowsInput() {
			return false
		}
		if c := t.InputCut; c != nil && c.Ref != "" && whole != nil {
			h := holdsWriter{needle: []byte(needle)}
			err := whole(c.Ref, &h)
			if h.found {
				return true
			}
			if err == nil {
				h.close()
				return h.found
			}
			// Not loaded: what the page shows before.
		}
		if tokens != nil && !tokens.MayShow(t.Input) {
			return false
		}
		return slices.ContainsFunc(InputTexts(t), has)
	}
	return func(m *Message) bool {
		for _, b := range m.Blocks {
			text := b.Text
			if b.Type == BlockOutput {
				text = StripEscapes(text) // as the page shows an output
			}
			if has(text) {
				return true
			}
			if t := b.Tool; t != nil && (has(t.Name) || has(t.Summary) || t.Result != nil && has(StripEscapes(t.Result.Text)) || inputHas(t)) {
				return true
			}
		}
		return false
	}
}
