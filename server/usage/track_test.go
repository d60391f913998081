package usage_test

import (
	"testing"
	"time"

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
