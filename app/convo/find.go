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
// (shared.MatchRanges: case-insensitive).
func Holds(text, term string) bool { return text != "" && len(shared.MatchRanges(text, term)) > 0 }

// Matches reports whether m shows term: its texts, tool lines and results.
func Matches(m *shared.Message, term string) bool {
	has := func(s string) bool { return Holds(s, term) }
	for _, b := range m.Blocks {
		if has(b.Text) {
			return true
		}
		if t := b.Tool; t != nil {
			if has(t.Name) || has(t.Summary) || (t.Result != nil && has(t.Result.Text)) {
				return true
			}
		}
	}
	return false
}
