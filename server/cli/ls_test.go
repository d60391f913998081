package cli

import (
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
