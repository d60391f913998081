package usage_test

import (
	"context"
	"maps"
	"net/url"
	"testing"
	"time"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/shared"
)

// agingSource is a Source that also says when its sessions age.
type agingSource struct{ usage.Source }

func (agingSource) Kind() shared.Source { return shared.SourceClaude }

func (agingSource) NextChange() time.Time { return time.UnixMilli(42) }
func (agingSource) Aged() ([]shared.Session, []string) {
	return []shared.Session{{ID: "a", Source: shared.SourceClaude, UpdatedAt: 1}}, []string{"b"}
}

// Tracking a source that ages by itself keeps that ability visible to
// live, which otherwise recomputes every session on a tick.
func TestTrackKeepsAging(t *testing.T) {
	type ager interface {
		NextChange() time.Time
		Aged() ([]shared.Session, []string)
	}
	st := usage.NewStore()
	tr := usage.Track(agingSource{}, nil, st)
	a, ok := tr.(ager)
	if !ok {
		t.Fatal("the tracked source hides NextChange and Aged")
	}
	if got := a.NextChange(); got.UnixMilli() != 42 {
		t.Errorf("NextChange = %v", got)
	}
	if changed, removed := a.Aged(); len(changed) != 1 || len(removed) != 1 {
		t.Errorf("Aged = %v, %v", changed, removed)
	}
	if _, ok := usage.Track(plainSource{}, nil, st).(ager); ok {
		t.Error("a source that does not age became an ager")
	}
}

type plainSource struct{ usage.Source }

// countingSpender counts what the store asks of a spender, by session.
type countingSpender struct {
	usage.Spender
	calls map[string]int
}

func (c *countingSpender) Usage(id string) []usage.Cell {
	c.calls[id]++
	return c.Spender.Usage(id)
}

// TestAppendCostsOneSession: buckets follow an append without a rescan.
// The scan asks each session's cells once; an append to one transcript
// asks that session's again and no other's, and its response is in the
// report.
func TestAppendCostsOneSession(t *testing.T) {
	root := t.TempDir()
	pathA := writeFile(t, root, shop, sidA, linesA)
	writeFile(t, root, shop, sidB, linesB)
	writeFile(t, root, blog, sidC, linesC)
	now := func() time.Time { return time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC) }
	c := claude.New(claude.Options{Roots: []string{root}, Now: now})
	sp := &countingSpender{Spender: c, calls: map[string]int{}}
	st := usage.NewStore()
	src := usage.Track(c, sp, st)
	if _, err := src.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{sidA: 1, sidB: 1, sidC: 1}; !maps.Equal(sp.calls, want) {
		t.Fatalf("the scan asked %v, want each session once", sp.calls)
	}
	clear(sp.calls)
	fixture.Append(t, pathA, assistantLine(sidA, shop, "2026-03-03T00:25:00Z", "r4", sonnet45, `{"input_tokens":0,"output_tokens":10000}`))
	if _, _, err := src.Update(context.Background(), []string{pathA}); err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{sidA: 1}; !maps.Equal(sp.calls, want) {
		t.Errorf("the append asked %v, want A's cells only", sp.calls)
	}
	q, err := usage.ParseQuery(url.Values{"from": {itoa(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli())}, "by": {"source"}}, now())
	if err != nil {
		t.Fatal(err)
	}
	if got := toCents(st.Query(q).Total.CostUSD); got != 243+15 {
		t.Errorf("total %d cents after the append, want 258", got)
	}
}
