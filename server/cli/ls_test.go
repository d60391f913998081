package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// helmd ls right-aligns its figures too: message counts and costs of
// different widths end in one column.
func TestLsFiguresLineUp(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	var b strings.Builder
	err := writeTable(&b, []shared.Session{
		{Status: shared.StatusIdle, Title: "short", ProjectName: "a", MessageCount: 7, CostUSD: 0.5, UpdatedAt: now.UnixMilli()},
		{Status: shared.StatusWaiting, Title: "a longer title", ProjectName: "b", MessageCount: 1234, CostUSD: 112.25, UpdatedAt: now.UnixMilli()},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	msgs, cost := strings.Index(lines[0], "MSGS")+len("MSGS"), strings.Index(lines[0], "COST")+len("COST")
	for _, l := range lines[1:3] {
		if !strings.HasSuffix(l[:msgs], " 7") && !strings.HasSuffix(l[:msgs], " 1234") ||
			!strings.HasSuffix(l[:cost], " $0.50") && !strings.HasSuffix(l[:cost], " $112.25") {
			t.Errorf("figures do not end under MSGS and COST:\n%s", b.String())
		}
	}
}

// Titles in Japanese or with emoji take two columns a character: the
// columns after them still start at one place on every line, and a long
// one is cut to the title column's width in columns, not in runes.
func TestLsWideTitlesLineUp(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	var b strings.Builder
	err := writeTable(&b, []shared.Session{
		{Status: shared.StatusIdle, Title: "plain title", ProjectName: "p1", Source: shared.SourceClaude, UpdatedAt: now.UnixMilli()},
		{Status: shared.StatusIdle, Title: "日本語のセッション", ProjectName: "p2", Source: shared.SourceClaude, UpdatedAt: now.UnixMilli()},
		{Status: shared.StatusIdle, Title: "🚀 ship it 🎉", ProjectName: "p3", Source: shared.SourceClaude, UpdatedAt: now.UnixMilli()},
		{Status: shared.StatusIdle, Title: strings.Repeat("長", 40), ProjectName: "p4", Source: shared.SourceClaude, UpdatedAt: now.UnixMilli()},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	project := width(lines[0][:strings.Index(lines[0], "PROJECT")])
	tool := width(lines[0][:strings.Index(lines[0], "TOOL")])
	for i, l := range lines[1:] {
		p := strings.Index(l, fmt.Sprintf("p%d ", i+1))
		c := strings.Index(l, "claude")
		if p < 0 || c < 0 || width(l[:p]) != project || width(l[:c]) != tool {
			t.Errorf("row %d: PROJECT or TOOL not under its heading:\n%s", i+1, b.String())
		}
	}
	if w := width(lines[4][:strings.Index(lines[4], "p4 ")]); w > project || !strings.Contains(lines[4], "…") {
		t.Errorf("a long wide title is not cut to its column:\n%s", b.String())
	}
}
