package convo

import (
	"vibecraft.sh/helm/shared"
)

// Find returns the indices of the loaded messages that show term (its
// texts, tool lines and results: shared.Shows, which the server's find
// uses too), in order, the term folded once. Only loaded messages are
// searched; the page says so.
func (c *Convo) Find(term string) []int {
	if term == "" {
		return nil
	}
	shows := shared.Shows(term)
	var out []int
	for i := range c.Msgs {
		if shows(&c.Msgs[i]) {
			out = append(out, i)
		}
	}
	return out
}
