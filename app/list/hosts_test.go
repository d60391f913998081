package list

import (
	"testing"

	"vibecraft.sh/helm/shared"
)

func TestHosts(t *testing.T) {
	l := New([]shared.Session{
		{ID: "a", Source: shared.SourceClaude, Host: "zed"},
		{ID: "a", Source: shared.SourceClaude, Host: "alpha", Remote: true, HostOffline: true},
		{ID: "b", Source: shared.SourceClaude, Host: "alpha", Remote: true, HostOffline: true},
		{ID: "c", Source: shared.SourceOpenCode}, // no fleet: not a machine to filter by
	})
	got := l.Hosts()
	want := []shared.Machine{{Name: "alpha", Sessions: 2, Remote: true, Offline: true}, {Name: "zed", Sessions: 1}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Hosts() = %+v, want %+v", got, want)
	}
	q := shared.Query{Host: "alpha"}
	if n := l.Filter(q).Len(); n != 2 {
		t.Fatalf("host filter keeps %d sessions, want 2", n)
	}
}
