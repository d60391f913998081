package list

import (
	"fmt"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

func sess(src shared.Source, id string, updated int64) shared.Session {
	return shared.Session{ID: id, Source: src, Title: "t-" + id, UpdatedAt: updated}
}

func keys(l *List) string {
	var ks []string
	for _, s := range l.Sessions() {
		ks = append(ks, s.Key())
	}
	return strings.Join(ks, ",")
}

func TestApply(t *testing.T) {
	base := []shared.Session{
		sess(shared.SourceClaude, "a", 10),
		sess(shared.SourceOpenCode, "a", 30), // same id, other source: a different session
		sess(shared.SourceClaude, "b", 20),
	}
	tests := []struct {
		name    string
		ev      shared.Event
		changed bool
		want    string
	}{
		{"init replaces", shared.Event{Type: shared.EventInit, Sessions: []shared.Session{sess(shared.SourceClaude, "z", 1)}}, true, "claude:z"},
		{"refresh replaces", shared.Event{Type: shared.EventRefresh, Sessions: []shared.Session{sess(shared.SourceClaude, "b", 2), sess(shared.SourceClaude, "c", 3)}}, true, "claude:c,claude:b"},
		{"empty init empties", shared.Event{Type: shared.EventInit}, true, ""},
		{"created goes on top", shared.Event{Type: shared.EventSessionCreated, Sessions: []shared.Session{sess(shared.SourceClaude, "new", 99)}}, true, "claude:new,opencode:a,claude:b,claude:a"},
		{"updated moves up in place of the old", shared.Event{Type: shared.EventSessionUpdated, Sessions: []shared.Session{sess(shared.SourceClaude, "a", 40)}}, true, "claude:a,opencode:a,claude:b"},
		{"deleted removes", shared.Event{Type: shared.EventSessionDeleted, Sessions: []shared.Session{sess(shared.SourceOpenCode, "a", 30)}}, true, "claude:b,claude:a"},
		{"deleting an unknown one changes nothing", shared.Event{Type: shared.EventSessionDeleted, Sessions: []shared.Session{sess(shared.SourceClaude, "x", 1)}}, false, "opencode:a,claude:b,claude:a"},
		{"keepalive changes nothing", shared.Event{Type: shared.EventKeepalive}, false, "opencode:a,claude:b,claude:a"},
		{"unknown type changes nothing", shared.Event{Type: "bogus", Sessions: []shared.Session{sess(shared.SourceClaude, "q", 1)}}, false, "opencode:a,claude:b,claude:a"},
		{"a session without id is skipped", shared.Event{Type: shared.EventSessionCreated, Sessions: []shared.Session{{Source: shared.SourceClaude}}}, false, "opencode:a,claude:b,claude:a"},
		{"ties are ordered by key", shared.Event{Type: shared.EventSessionCreated, Sessions: []shared.Session{sess(shared.SourceClaude, "c", 20)}}, true, "opencode:a,claude:b,claude:c,claude:a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := New(base)
			if got := l.Apply(tc.ev); got != tc.changed {
				t.Errorf("changed = %v, want %v", got, tc.changed)
			}
			if got := keys(l); got != tc.want {
				t.Errorf("list = %q, want %q", got, tc.want)
			}
			if l.Len() != len(l.Sessions()) {
				t.Errorf("Len %d != %d sessions", l.Len(), len(l.Sessions()))
			}
		})
	}
}

func TestUpdateInPlaceKeepsOneRow(t *testing.T) {
	var l List // the zero value works
	l.Upsert(sess(shared.SourceClaude, "a", 1))
	s := sess(shared.SourceClaude, "a", 1)
	s.Title = "renamed"
	l.Apply(shared.Event{Type: shared.EventSessionUpdated, Sessions: []shared.Session{s}})
	if l.Len() != 1 || l.Sessions()[0].Title != "renamed" {
		t.Fatalf("got %+v", l.Sessions())
	}
	if got, ok := l.Get("claude:a"); !ok || got.Title != "renamed" {
		t.Fatalf("Get = %+v, %v", got, ok)
	}
}

func TestSnapshot(t *testing.T) {
	l := New([]shared.Session{sess(shared.SourceClaude, "a", 1), sess(shared.SourceClaude, "b", 2)})
	snap := l.Snapshot(1234, []string{"/w"})
	if snap.SavedAt != 1234 || len(snap.Sessions) != 2 || snap.Sessions[0].ID != "b" || snap.Watched[0] != "/w" {
		t.Fatalf("snapshot = %+v", snap)
	}
}

// TestUpsertKeepsOrder: updates move rows without a full sort; the order
// must be the one a fresh sort gives.
func TestUpsertKeepsOrder(t *testing.T) {
	var l List
	var all []shared.Session
	for i := range 50 {
		s := sess(shared.SourceClaude, fmt.Sprint(i), int64(i%7)) // many ties
		all = append(all, s)
		l.Upsert(s)
		l.Sessions()
	}
	for i := range 200 {
		s := all[(i*13)%len(all)]
		s.UpdatedAt = int64((i * 31) % 11)
		all[(i*13)%len(all)] = s
		l.Upsert(s)
		if i%10 == 0 {
			l.Remove(all[i%len(all)])
			l.Upsert(all[i%len(all)])
		}
		if got, want := keys(&l), keys(New(all)); got != want {
			t.Fatalf("step %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
