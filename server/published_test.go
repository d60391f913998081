package main

import (
	"testing"

	"vibecraft.sh/helm/server/fleet"
	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
)

// TestIndexOverPublishedHoldsOnlyItsOwn: an index over a fleet hub's
// published list sees this machine's sessions as live made them (no host
// stamp) and never another machine's, though the hub lists both.
func TestIndexOverPublishedHoldsOnlyItsOwn(t *testing.T) {
	hub := stream.NewHub(stream.Options{})
	defer hub.Close()
	m := fleet.NewMerger(hub, "here", nil)
	ix := index.New()
	ix.Over(published{hub: hub, pub: m})

	mine := shared.Session{ID: "a", Source: shared.SourceClaude, UpdatedAt: 2}
	ix.Apply(shared.SourceClaude, []shared.Session{mine}, nil)
	m.Publish(shared.EventSessionCreated, []shared.Session{mine})
	ix.Settle()
	remote := shared.Session{ID: "a", Source: shared.SourceClaude, UpdatedAt: 3, Host: "there", Remote: true}
	m.Remote([]shared.Session{remote}, nil)

	if got, ok := ix.Get(mine.Key()); !ok || got != mine {
		t.Errorf("Get(own) = %+v, %v; want %+v without a host stamp", got, ok, mine)
	}
	if got, ok := ix.Get(remote.Key()); ok {
		t.Errorf("Get(remote) = %+v: the index found another machine's session", got)
	}
	if list := ix.List(nil); len(list) != 1 || list[0] != mine || ix.Len() != 1 {
		t.Errorf("List = %+v (Len %d), want this machine's session alone", list, ix.Len())
	}
	if len(hub.Snapshot()) != 2 {
		t.Fatalf("the hub lists %d sessions, want both machines'", len(hub.Snapshot()))
	}
}
