package shared

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"
)

// A tool input too long for the page comes cut (Tool.InputCut): the
// opened call shows its JSON cut short, and "load all" replaces it with
// the whole text its ref loads, which the page then shows. That whole
// text is what a find must search, or a word past the cut (or one with
// a quote or a line break, written \" and \n in the JSON) is missed in
// the very call that shows it. It can be many MB: it is folded and
// searched as it streams, holding a chunk and the term's length.

// ShowsWhole is Shows for a reader that can load a cut input's whole
// text: whole writes to w the text the input's ref loads, as the page
// shows it once loaded (helmd: Files.Full). Such an input is tested on
// that text alone; when whole fails (the transcript was rewritten), on
// what the page shows before, as Shows tests it. The function holds
// scratch space: one goroutine at a time.
func ShowsWhole(term string, whole func(ref string, w io.Writer) error) func(*Message) bool {
	return shows(term, whole)
}

// errFound stops a whole text's reading once the term is found in it.
var errFound = errors.New("found")

// holdsWriter tells whether the text written to it holds a folded
// needle, as holdsFolded tells of the whole text: rune by rune folding
// is the same on the text in pieces cut between runes, and a match
// across two pieces is found in the tail kept of the first.
type holdsWriter struct {
	needle []byte
	part   []byte // an incomplete UTF-8 sequence, held for what follows
	text   []byte // scratch: the tail kept, then the piece folded
	found  bool
}

// Write fails with errFound once the needle is found: what follows
// need not be read.
func (h *holdsWriter) Write(p []byte) (int, error) {
	if h.found {
		return 0, errFound
	}
	s := p
	if len(h.part) > 0 {
		h.part = append(h.part, p...)
		s = h.part
	}
	// Hold back a last rune that may still be completed.
	cut := len(s)
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if !utf8.FullRune(s[i:]) {
				cut = i
			}
			break
		}
	}
	h.search(s[:cut])
	h.part = append(h.part[:0], s[cut:]...)
	if h.found {
		return len(p), errFound
	}
	return len(p), nil
}

// search folds a piece of text cut between runes and looks for the
// needle in it, after the tail of the text before.
func (h *holdsWriter) search(s []byte) {
	if len(s) == 0 || len(h.needle) == 0 {
		return
	}
	h.text = append(h.text, fold(string(s))...)
	if bytes.Contains(h.text, h.needle) {
		h.found = true
		return
	}
	if keep := len(h.needle) - 1; len(h.text) > keep {
		h.text = h.text[:copy(h.text, h.text[len(h.text)-keep:])]
	}
}

// close ends the text: bytes held as an incomplete rune are folded as
// what they are (each a U+FFFD, as fold reads them).
func (h *holdsWriter) close() {
	h.search(h.part)
	h.part = h.part[:0]
}
