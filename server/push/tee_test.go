package push

import (
	"testing"

	"vibecraft.sh/helm/shared"
)

type plainPub struct{ got [][]shared.Session }

func (p *plainPub) Publish(_ shared.EventType, ss []shared.Session) { p.got = append(p.got, ss) }
func (p *plainPub) Lookup(string) (shared.Session, bool)            { return shared.Session{}, false }

type ownerPub struct {
	plainPub
	owned [][]shared.Session
}

func (p *ownerPub) PublishOwned(_ shared.EventType, ss []shared.Session) {
	p.owned = append(p.owned, ss)
}

type seen struct{ got [][]shared.Session }

func (o *seen) Observe(_ shared.EventType, ss []shared.Session) { o.got = append(o.got, ss) }

// TestTeePublishOwned: a list handed over goes on to a publisher that
// takes lists (the hub), to Publish otherwise, and push is told either way.
func TestTeePublishOwned(t *testing.T) {
	list := []shared.Session{{ID: "a", Source: shared.SourceClaude}}
	owner, obs := &ownerPub{}, &seen{}
	Tee(owner, obs).(tee).PublishOwned(shared.EventRefresh, list)
	if len(owner.owned) != 1 || &owner.owned[0][0] != &list[0] || len(owner.got) != 0 {
		t.Errorf("a publisher that takes lists got %d handed over, %d published", len(owner.owned), len(owner.got))
	}
	plain, obs2 := &plainPub{}, &seen{}
	Tee(plain, obs2).(tee).PublishOwned(shared.EventRefresh, list)
	if len(plain.got) != 1 {
		t.Errorf("a plain publisher got %d lists, want 1", len(plain.got))
	}
	if len(obs.got) != 1 || len(obs2.got) != 1 {
		t.Errorf("push told %d and %d times, want once each", len(obs.got), len(obs2.got))
	}
}
