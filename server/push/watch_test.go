package push

import (
	"fmt"
	"slices"
	"testing"

	"vibecraft.sh/helm/shared"
)

func TestWatcherStartsWaiting(t *testing.T) {
	type step struct {
		t        shared.EventType
		sessions []shared.Session
		want     []string // keys told as starting to wait
	}
	w := func(id string) shared.Session { return session(id, shared.StatusWaiting, "input needed") }
	busy := func(id string) shared.Session { return session(id, shared.StatusWorking, "") }
	cleared := func(id string) shared.Session { s := w(id); s.ClearedAt = 9; return s }
	// offline is s as a fleet hub lists it once its machine went silent.
	offline := func(s shared.Session) shared.Session {
		s.HostOffline, s.Status, s.WaitingFor = true, shared.StatusIdle, ""
		return s
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"nothing before the first scan", []step{
			{shared.EventSessionCreated, []shared.Session{w("a")}, nil},
			{shared.EventRefresh, []shared.Session{w("a"), w("b")}, nil},
		}},
		{"working then waiting", []step{
			{shared.EventRefresh, []shared.Session{busy("a")}, nil},
			{shared.EventSessionUpdated, []shared.Session{w("a")}, []string{"claude:a"}},
			{shared.EventSessionUpdated, []shared.Session{w("a")}, nil}, // still the same wait
		}},
		{"created waiting", []step{
			{shared.EventRefresh, nil, nil},
			{shared.EventSessionCreated, []shared.Session{w("n"), busy("m")}, []string{"claude:n"}},
		}},
		{"cleared is not news, until it waits anew", []step{
			{shared.EventRefresh, []shared.Session{busy("a")}, nil},
			{shared.EventSessionUpdated, []shared.Session{cleared("a")}, nil},
			{shared.EventSessionUpdated, []shared.Session{busy("a")}, nil},
			{shared.EventSessionUpdated, []shared.Session{w("a")}, []string{"claude:a"}},
		}},
		{"a later refresh tells what started waiting meanwhile", []step{
			{shared.EventRefresh, []shared.Session{busy("a"), w("b")}, nil},
			{shared.EventRefresh, []shared.Session{w("a"), w("b")}, []string{"claude:a"}},
		}},
		{"a fleet machine offline, then back with the same wait", []step{
			{shared.EventRefresh, []shared.Session{busy("a"), w("b")}, nil},
			{shared.EventSessionUpdated, []shared.Session{offline(busy("a")), offline(w("b"))}, nil},
			{shared.EventSessionUpdated, []shared.Session{w("a"), w("b")}, []string{"claude:a"}}, // a began waiting meanwhile
		}},
		{"deleted then back", []step{
			{shared.EventRefresh, []shared.Session{w("a")}, nil},
			{shared.EventSessionDeleted, []shared.Session{w("a")}, nil},
			{shared.EventSessionCreated, []shared.Session{w("a")}, []string{"claude:a"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var wt watcher
			wt.init()
			for i, st := range tc.steps {
				var got []string
				for _, s := range wt.observe(st.t, st.sessions) {
					got = append(got, s.Key())
				}
				if !slices.Equal(got, st.want) {
					t.Errorf("step %d (%s): told %v, want %v", i, st.t, got, st.want)
				}
			}
		})
	}
}

func TestPayloadFor(t *testing.T) {
	long := make([]rune, 1000)
	for i := range long {
		long[i] = 'é'
	}
	for _, tc := range []struct {
		name     string
		s        shared.Session
		question string
		want     Payload
	}{
		{"reason and question", shared.Session{ID: "x1", Source: shared.SourceOpenCode, Title: "T", WaitingFor: "permission prompt"}, "  Allow rm?  ",
			Payload{Title: "T", Body: "needs approval: Allow rm?", Tag: "opencode:x1", URL: "/s/opencode/x1"}},
		{"no title, no reason", shared.Session{ID: "y", Source: shared.SourceClaude}, "",
			Payload{Title: "A session waits for you", Body: "input needed", Tag: "claude:y", URL: "/s/claude/y"}},
		{"markup stays text, odd id escaped", shared.Session{ID: "a/b?c", Source: shared.SourceClaude, Title: "<b>x</b>", WaitingFor: "élan"}, "",
			Payload{Title: "<b>x</b>", Body: "élan", Tag: "claude:a/b?c", URL: "/s/claude/a%2Fb%3Fc"}},
		// A fleet hub's push for another machine's session names the
		// machine and opens the hub's page of that session, not the
		// hub's own session of the same id.
		{"another machine's session", shared.Session{ID: "y", Source: shared.SourceClaude, Title: "T", WaitingFor: "permission prompt",
			Host: "beta & co", Remote: true}, "Deploy?",
			Payload{Title: "T", Body: "beta & co · needs approval: Deploy?", Tag: "claude:y@beta & co", URL: "/s/claude/y?host=beta+%26+co"}},
		{"the hub's own session names no machine", shared.Session{ID: "y", Source: shared.SourceClaude, Title: "T", Host: "hub"}, "",
			Payload{Title: "T", Body: "input needed", Tag: "claude:y", URL: "/s/claude/y"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := PayloadFor(tc.s, tc.question); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	p := PayloadFor(shared.Session{ID: "z", Source: shared.SourceClaude, Title: string(long), WaitingFor: "input needed"}, string(long))
	if n := len([]rune(p.Title)); n != maxTitle {
		t.Errorf("title of %d runes, want %d", n, maxTitle)
	}
	if n := len([]rune(p.Body)); n != maxBody {
		t.Errorf("body of %d runes, want %d", n, maxBody)
	}
}

// TestWatcherKeepsOnlyTheWaiting: what the watcher keeps between events
// is the sessions that wait, not a key for every session listed (100,000
// at each refresh), and a session that stops waiting leaves it.
func TestWatcherKeepsOnlyTheWaiting(t *testing.T) {
	var wt watcher
	wt.init()
	list := []shared.Session{session("w", shared.StatusWaiting, "input needed")}
	for i := range 100 {
		list = append(list, session(fmt.Sprint(i), shared.StatusIdle, ""))
	}
	wt.observe(shared.EventRefresh, list)
	if len(wt.waiting) != 1 || !wt.waiting["claude:w"] {
		t.Errorf("after a refresh of one waiting session and 100 idle ones the watcher keeps %d keys, want claude:w alone", len(wt.waiting))
	}
	wt.observe(shared.EventSessionUpdated, []shared.Session{session("w", shared.StatusIdle, ""), session("5", shared.StatusIdle, "")})
	if len(wt.waiting) != 0 {
		t.Errorf("after the wait ended the watcher keeps %v", wt.waiting)
	}
}
