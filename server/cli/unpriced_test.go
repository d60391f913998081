package cli

import (
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// A Claude Code session on a model helmd has no price for is not free:
// helmd ls said "$0" (and "$0.17" for a session whose other models had a
// price), where helmd usage says "unpriced". An OpenCode session's cost is
// OpenCode's own, whatever its model.
func TestLsUnpricedIsNotFree(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	// Unpriced is helmd's word for every model of the session and its
	// subagents: the last model the row names need not be the unknown one.
	cases := []struct {
		src      shared.Source
		model    string
		unpriced bool
		cost     float64
		want     string
	}{
		{shared.SourceClaude, "claude-nova-9", true, 0, "unpriced"},
		{shared.SourceClaude, "claude-nova-9-20270101", true, 0.17, "$0.17 + unpriced"},
		{shared.SourceClaude, "claude-sonnet-4-5-20250929", true, 0.17, "$0.17 + unpriced"}, // a subagent's model, say
		{shared.SourceClaude, "claude-sonnet-4-5-20250929", false, 0.17, "$0.17"},
		{shared.SourceClaude, "<synthetic>", false, 0, "$0"},
		{shared.SourceOpenCode, "gpt-9", false, 0.5, "$0.50"},
	}
	var sessions []shared.Session
	for i, c := range cases {
		sessions = append(sessions, shared.Session{ID: string(rune('a' + i)), Source: c.src, Status: shared.StatusIdle,
			Title: "t" + string(rune('a'+i)), ProjectName: "p", Model: c.model, CostUSD: c.cost, Unpriced: c.unpriced,
			Tokens: shared.Tokens{Input: 1000, Output: 1000}, UpdatedAt: now.UnixMilli() - int64(i)})
	}
	lines := lsAt(t, sessions, 0, nil)
	for i, c := range cases {
		if l := lines[i+1]; !strings.Contains(l, "  "+c.want+"  ") {
			t.Errorf("%s on %s costing %v (unpriced %v): want COST %q:\n%s", c.src, c.model, c.cost, c.unpriced, c.want, strings.Join(lines, "\n"))
		}
	}
}

// helmd status names the models without a price without calling their
// cost 0, which the usage table's note says it is not.
func TestStatusUnpricedIsNotZero(t *testing.T) {
	var st statusDoc
	st.Claude.Roots = []string{"/home/u/.claude"}
	st.Claude.Stats.UnpricedModels = []string{"claude-nova-9"}
	var b strings.Builder
	if err := writeStatus(&b, st); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "claude-nova-9") || strings.Contains(out, "cost 0") {
		t.Errorf("unpriced models in words:\n%s", out)
	}
}
