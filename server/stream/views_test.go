package stream

import (
	"testing"

	"vibecraft.sh/helm/shared"
)

// An id names a position in one view's frames: presented to another view
// it must give an init, never a replay of that view's events onto a list
// the client never had.
func TestEventIDsBelongToOneView(t *testing.T) {
	r := newRig(t, Options{})
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("cl0", shared.SourceClaude, 1), sess("oc0", shared.SourceOpenCode, 2)})
	r.hub.Publish(shared.EventSessionUpdated, []shared.Session{sess("cl0", shared.SourceClaude, 3)})
	paths := []string{"/all", "/claude", "/claude-again"}
	seen := map[string]string{}
	for _, p := range paths {
		e := r.epoch(p)
		if other, dup := seen[e]; dup {
			t.Fatalf("%s and %s share the epoch %s", p, other, e)
		}
		seen[e] = p
		if _, _, ok := ParseEventID(e + "-1"); !ok {
			t.Fatalf("%s: epoch %q does not make a valid id", p, e)
		}
	}
	for _, from := range paths {
		for _, to := range paths {
			t.Run(from+"→"+to, func(t *testing.T) {
				c := r.connect(t, to, r.epoch(from)+"-1")
				f := c.next(t) // retry
				if f.Retry == "" {
					t.Fatalf("want retry first, got %+v", f)
				}
				f = c.next(t)
				if from == to {
					// The replay: the update after seq 1, in this view's ids.
					if f.Event != string(shared.EventSessionUpdated) || f.ID != r.epoch(to)+"-2" {
						t.Fatalf("same-view resume: got %s %s, want session-updated %s-2", f.Event, f.ID, r.epoch(to))
					}
					return
				}
				if f.Event != string(shared.EventInit) || f.ID != r.epoch(to)+"-2" {
					t.Fatalf("id of %s on %s: got %s %s, want a fresh init %s-2", from, to, f.Event, f.ID, r.epoch(to))
				}
			})
		}
	}
}

// Snapshot is the published state of a view with the id of the last event
// it includes, in that view's epoch.
func TestSnapshotNamesItsLastEvent(t *testing.T) {
	r := newRig(t, Options{})
	if ss, id := r.views["/all"].Snapshot(); len(ss) != 0 || id != r.hub.Epoch()+"-0" {
		t.Fatalf("empty hub: %d sessions, id %s", len(ss), id)
	}
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("cl0", shared.SourceClaude, 1), sess("oc0", shared.SourceOpenCode, 2)})
	r.hub.Publish(shared.EventSessionUpdated, []shared.Session{sess("cl0", shared.SourceClaude, 3)})
	tests := []struct {
		path, ids string
	}{{"/all", "cl0,oc0"}, {"/claude", "cl0"}, {"/claude-again", "cl0"}}
	for _, tc := range tests {
		ss, id := r.views[tc.path].Snapshot()
		if ids(ss) != tc.ids || id != r.epoch(tc.path)+"-2" || ss[0].UpdatedAt != 3 {
			t.Errorf("%s: Snapshot = [%s] %s, want [%s] %s-2 with cl0 at 3", tc.path, ids(ss), id, tc.ids, r.epoch(tc.path))
		}
		ss[0].Title = "changed by a caller"
		if again, _ := r.views[tc.path].Snapshot(); again[0].Title == "changed by a caller" {
			t.Errorf("%s: a caller's edit of a snapshot reached the hub's state", tc.path)
		}
	}

	// Resumed from a snapshot's id, the stream carries exactly what came after.
	_, id := r.views["/all"].Snapshot()
	c := r.connect(t, "/all", id)
	c.next(t) // retry
	r.hub.Publish(shared.EventSessionDeleted, []shared.Session{sess("oc0", shared.SourceOpenCode, 2)})
	if f := c.next(t); f.Event != string(shared.EventSessionDeleted) || f.ID != r.hub.Epoch()+"-3" {
		t.Fatalf("after the snapshot's id: got %s %s, want session-deleted %s-3", f.Event, f.ID, r.hub.Epoch())
	}
}

// Crafted ids near a real one never replay: a view suffix no view has, a
// suffix glued to another view's, a seq from the future.
func TestForgedViewIDsGetInit(t *testing.T) {
	r := newRig(t, Options{})
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("cl0", shared.SourceClaude, 1)})
	r.hub.Publish(shared.EventSessionUpdated, []shared.Session{sess("cl0", shared.SourceClaude, 2)})
	e := r.hub.Epoch()
	for _, id := range []string{
		e + "v99-1",                     // no such view
		r.epoch("/claude") + "1-1",      // another view's suffix, extended
		r.epoch("/claude") + "-3",       // the right view, a seq not yet published
		e + "V1-1",                      // case matters
		e + "v-1",                       // a suffix without its number
		r.epoch("/claude-again") + "-1", // the same filter's other view
	} {
		c := r.connect(t, "/claude", id)
		c.next(t) // retry
		if f := c.next(t); f.Event != string(shared.EventInit) {
			t.Errorf("id %q on /claude: got %s %s, want init", id, f.Event, f.ID)
		}
	}
}
