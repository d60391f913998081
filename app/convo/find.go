package convo

import (
	"errors"
	"io"

	"vibecraft.sh/helm/shared"
)

// errNotLoaded: a cut input whose whole text the page has not loaded.
var errNotLoaded = errors.New("not loaded")

// Find returns the indices of the loaded messages that show term (its
// texts, tool lines and results: shared.ShowsWhole, which the server's
// find uses too), in order, the term folded once. A tool input the
// server cut is searched in its whole text once the page loaded it
// (whole, by cut ref: what "load all" shows, and what helmd searches),
// else in what the page shows of it. Only loaded messages are searched;
// the page says so.
func (c *Convo) Find(term string, whole map[string]string) []int {
	if term == "" {
		return nil
	}
	shows := Shows(term, whole)
	var out []int
	for i := range c.Msgs {
		if shows(&c.Msgs[i]) {
			out = append(out, i)
		}
	}
	return out
}

// Shows is what Find tests each message with: whether it shows term,
// a cut input searched in its whole text once loaded (whole, by ref).
// The function holds scratch space: one goroutine at a time.
func Shows(term string, whole map[string]string) func(*shared.Message) bool {
	return shared.ShowsWhole(term, func(ref string, w io.Writer) error {
		text, ok := whole[ref]
		if !ok {
			return errNotLoaded
		}
		_, err := io.WriteString(w, text)
		return err
	})
}
