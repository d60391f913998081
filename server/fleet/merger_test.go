package fleet

import (
	"testing"

	"vibecraft.sh/helm/shared"
)

// A refresh (live's full list) replaces the published state: it must
// carry the remote sessions too, or they would vanish until they change.
func TestMergerRefreshKeepsRemoteSessions(t *testing.T) {
	g := newTarget()
	m := NewMerger(g, "here", nil)
	r := session("r", 1)
	r.Host, r.Remote = "there", true
	same := session("r", 1) // this machine's session of the same id
	m.Remote([]shared.Session{r}, nil)
	m.Publish(shared.EventRefresh, []shared.Session{same})
	got := g.list()
	if len(got) != 2 {
		t.Fatalf("after a refresh the stream holds %+v, want the local and the remote session", got)
	}
	local, ok := g.Lookup(same.Key())
	if !ok || local.Host != "here" || local.Remote {
		t.Fatalf("local session published as %+v, want host here", local)
	}
	// live compares Lookup with its index, which has no host stamp.
	if l, _ := m.Lookup(same.Key()); l != same {
		t.Fatalf("Lookup = %+v, want %+v", l, same)
	}
	before := g.n
	m.Remote([]shared.Session{r}, nil) // unchanged: no event
	if g.n != before {
		t.Fatal("an unchanged remote session was published again")
	}
	m.Remote(nil, []string{r.Key()})
	if _, ok := g.Lookup(r.Key()); ok {
		t.Fatal("a remote session gone is still published")
	}
}
