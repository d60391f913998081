package convo

import (
	"vibecraft.sh/helm/shared"
)

// Find returns the indices of the loaded messages whose shown text holds
// term (shared.MatchRanges: case-insensitive), in order. Only loaded
// messages are searched; the page says so.
func (c *Convo) Find(term string) []int {
	if term == "" {
		return nil
	}
	var out []int
	for i := range c.Msgs {
		if Matches(&c.Msgs[i], term) {
			out = append(out, i)
		}
	}
	return out
}

// Holds reports whether text holds term, as find marks it
// (shared.Holds: case-insensitive).
func Holds(text, term string) bool { return shared.Holds(text, term) }

// Matches reports whether m shows term: its texts, tool lines and
// results (shared.MessageShows, which the server's find uses too).
func Matches(m *shared.Message, term string) bool { return shared.MessageShows(m, term) }
