package transcript

import (
	"encoding/json"
	"strings"

	"vibecraft.sh/helm/shared"
)

// summaryKeys are the input fields that say what a call does, most
// telling first: the one line a tool call is shown as. A search's
// pattern comes before its path, which is only where it looks.
var summaryKeys = []string{
	"file_path", "notebook_path", "command", "pattern", "url", "path", "query",
	"description", "prompt", "skill", "filePath", "subject",
}

// maxSummary bounds the one line, in runes.
const maxSummary = 200

func (g *grouper) toolUse(c content, lineOff int64) *shared.Tool {
	t := &shared.Tool{ID: c.ID, Name: c.Name}
	if len(c.Input) == 0 {
		return t
	}
	var v any
	if err := json.Unmarshal(c.Input, &v); err != nil {
		return t
	}
	var biggest *shared.Cut
	v = g.clean(v, lineOff, &biggest)
	t.InputCut = biggest
	if b, err := json.Marshal(v); err == nil {
		t.Input = b
	}
	t.Summary = summary(v)
	return t
}

// clean replaces cut markers in every string of a decoded input by
// nothing, keeping a ref to the largest cut string.
func (g *grouper) clean(v any, lineOff int64, biggest **shared.Cut) any {
	switch x := v.(type) {
	case string:
		s, cut := g.cutOf(x, lineOff)
		if cut != nil && (*biggest == nil || cut.Bytes > (*biggest).Bytes) {
			*biggest = cut
		}
		return s
	case map[string]any:
		for k, e := range x {
			x[k] = g.clean(e, lineOff, biggest)
		}
	case []any:
		for i, e := range x {
			x[i] = g.clean(e, lineOff, biggest)
		}
	}
	return v
}

// summary is the main argument of a call, on one line.
func summary(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	for _, k := range summaryKeys {
		if s, ok := m[k].(string); ok && strings.TrimSpace(s) != "" {
			return firstLine(s, maxSummary)
		}
	}
	return ""
}

// firstLine is s's first non-blank line, cut to n runes.
func firstLine(s string, n int) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return cutRunes(l, n)
		}
	}
	return ""
}

func cutRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// Question is the first line of the last assistant text in page: what a
// session that waits for its user asked last. It is the line the list's
// row shows (shared.QuestionLine), so the page and the row agree.
func Question(page shared.MessagePage) string {
	for i := len(page.Messages) - 1; i >= 0; i-- {
		m := page.Messages[i]
		if m.Role != "assistant" {
			continue
		}
		for j := len(m.Blocks) - 1; j >= 0; j-- {
			if b := m.Blocks[j]; b.Type == shared.BlockText && strings.TrimSpace(b.Text) != "" {
				return shared.QuestionLine(b.Text)
			}
		}
		return ""
	}
	return ""
}
