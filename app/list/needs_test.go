package list

import (
	"fmt"
	"testing"

	"vibecraft.sh/helm/shared"
)

func needKeys(ss []shared.Session) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Key())
	}
	return fmt.Sprint(out)
}

func waiting(id string, since, updated, cleared int64) shared.Session {
	return shared.Session{ID: id, Source: shared.SourceClaude, Status: shared.StatusWaiting,
		WaitingSince: since, UpdatedAt: updated, ClearedAt: cleared}
}

// behind makes s a session of machine "m", whose clock is ms behind the
// hub's.
func behind(s shared.Session, ms int64) shared.Session {
	s.Host, s.Remote, s.HostClockAheadMs = "m", true, int32(-ms)
	return s
}

func because(s shared.Session, reason string) shared.Session {
	s.WaitingFor = reason
	return s
}

func TestNeedsYouFilterAndOrder(t *testing.T) {
	tests := []struct {
		name     string
		sessions []shared.Session
		want     string
	}{
		{"none", []shared.Session{{ID: "a", Source: "claude", Status: shared.StatusIdle}}, "[]"},
		{"newest wait first, whatever the activity order",
			[]shared.Session{waiting("new", 300, 100, 0), waiting("old", 100, 500, 0), waiting("mid", 200, 900, 0)},
			"[claude:new claude:mid claude:old]"},
		// Ten finished turns waited for hours; a permission prompt asked
		// a minute ago came last, behind "Show all".
		{"what stops an agent first, then finished turns, each newest first",
			[]shared.Session{
				because(waiting("turn-old", 100, 100, 0), "input needed"),
				because(waiting("bash", 900, 900, 0), "permission: Bash"),
				because(waiting("turn-new", 800, 800, 0), "input needed"),
				because(waiting("dialog", 200, 200, 0), "dialog open"),
				waiting("turn-unsaid", 850, 850, 0), // an older server: no reason
				because(waiting("sandbox", 300, 300, 0), "sandbox request"),
			},
			"[claude:bash claude:sandbox claude:dialog claude:turn-unsaid claude:turn-new claude:turn-old]"},
		{"cleared and not waiting are out",
			[]shared.Session{waiting("w", 100, 100, 0), waiting("cleared", 50, 50, 70),
				{ID: "work", Source: "claude", Status: shared.StatusWorking, UpdatedAt: 10},
				{ID: "idle", Source: "claude", Status: shared.StatusIdle, UpdatedAt: 5}},
			"[claude:w]"},
		{"no waitingSince (an older server) sorts by last activity",
			[]shared.Session{waiting("a", 0, 300, 0), waiting("b", 200, 900, 0), waiting("c", 0, 100, 0)},
			"[claude:a claude:b claude:c]"},
		{"a fleet's machine's waits on the hub's clock",
			[]shared.Session{waiting("here", 300, 300, 0), behind(waiting("late", 250, 250, 0), 100), behind(waiting("early", 350, 350, 0), -100)},
			"[claude:late@m claude:here claude:early@m]"},
		{"equal waits keep the list's order (newest activity first)",
			[]shared.Session{waiting("x", 100, 1, 0), waiting("y", 100, 2, 0)},
			"[claude:y claude:x]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := needKeys(New(tc.sessions).NeedsYou()); got != tc.want {
				t.Errorf("NeedsYou = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestNeedsYouFollowsUpdates: a clear takes a session out, a new wait
// (the server resets clearedAt) brings it back, an answer removes it.
func TestNeedsYouFollowsUpdates(t *testing.T) {
	l := New([]shared.Session{waiting("a", 100, 100, 0), waiting("b", 200, 200, 0)})
	steps := []struct {
		name string
		ev   shared.Session
		want string
	}{
		{"cleared", waiting("a", 100, 100, 150), "[claude:b]"},
		{"waits again", waiting("a", 400, 400, 0), "[claude:a claude:b]"},
		{"answered", shared.Session{ID: "b", Source: "claude", Status: shared.StatusWorking, UpdatedAt: 500}, "[claude:a]"},
	}
	for _, st := range steps {
		l.Apply(shared.Event{Type: shared.EventSessionUpdated, Sessions: []shared.Session{st.ev}})
		if got := needKeys(l.NeedsYou()); got != st.want {
			t.Fatalf("%s: NeedsYou = %s, want %s", st.name, got, st.want)
		}
	}
}

func TestStableOrder(t *testing.T) {
	titles := map[string]string{"a": "alpha", "b": "beta", "c": "gamma", "d": "delta"}
	at := func(id string, updated int64) shared.Session {
		return shared.Session{ID: id, Source: shared.SourceClaude, UpdatedAt: updated, Status: shared.StatusIdle, Title: titles[id]}
	}
	l := New([]shared.Session{at("a", 3), at("b", 2), at("c", 1)})
	order := Freeze(l.Sessions())
	// c becomes the newest, d appears: unfrozen, both go to the top.
	l.Apply(shared.Event{Type: shared.EventSessionUpdated, Sessions: []shared.Session{at("c", 10), at("d", 9)}})
	all := shared.Query{}
	tests := []struct {
		name  string
		order Order
		q     shared.Query
		want  string
	}{
		{"unfrozen follows activity", Order{}, all, "[claude:c claude:d claude:a claude:b]"},
		{"frozen keeps places, new rows after", order, all, "[claude:a claude:b claude:c claude:d]"},
		{"a search unfrozen", Order{}, shared.Query{Search: "ta"}, "[claude:d claude:b]"},
		{"a search keeps the frozen order", order, shared.Query{Search: "ta"}, "[claude:b claude:d]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.order.Apply(l.Filter(tc.q))
			if got := needKeys(r.Head(-1)); got != tc.want {
				t.Errorf("rows %s, want %s", got, tc.want)
			}
			if i := r.Index("claude:a"); tc.order.Frozen() && tc.q == all && i != 0 {
				t.Errorf("Index(a) = %d, want 0 in the frozen order", i)
			}
		})
	}
	// Apply must not reorder the list's cached answer.
	if got := needKeys(l.Filter(all).Head(-1)); got != "[claude:c claude:d claude:a claude:b]" {
		t.Errorf("cached view changed to %s", got)
	}
}

// The page shows the first few sessions that need the user and how many
// there are: the head and the count agree with the whole answer.
func TestNeedsYouHeadAndCount(t *testing.T) {
	var in []shared.Session
	for i := range 7 {
		in = append(in, shared.Session{ID: fmt.Sprint(i), Source: shared.SourceClaude, Status: shared.StatusWaiting,
			UpdatedAt: int64(100 - i), WaitingSince: int64(50 + i%3)})
	}
	in = append(in, shared.Session{ID: "idle", Source: shared.SourceClaude, Status: shared.StatusIdle, UpdatedAt: 1})
	l := New(in)
	all := l.NeedsYou()
	if l.NeedsYouCount() != 7 || len(all) != 7 {
		t.Fatalf("count %d, %d rows", l.NeedsYouCount(), len(all))
	}
	head := l.NeedsYouHead(3)
	if len(head) != 3 || head[0].Key() != all[0].Key() || head[2].Key() != all[2].Key() || head[0].WaitingSince != 52 {
		t.Fatalf("head %v, all %v", keyList(head), keyList(all))
	}
	if len(l.NeedsYouHead(20)) != 7 {
		t.Fatal("a head longer than the list")
	}
}

// Within a filtered view the group keeps the sessions the view keeps, in
// its own order (the newest wait first, whatever the view's sort), and says
// how many there are in all; the search matches its words in any order.
func TestNeedsYouIn(t *testing.T) {
	in := []shared.Session{
		{ID: "refunds", Source: shared.SourceClaude, Status: shared.StatusWaiting, Title: "Add the refunds endpoint",
			ProjectPath: "/p/pay", UpdatedAt: 90, WaitingSince: 30},
		{ID: "login", Source: shared.SourceClaude, Status: shared.StatusWaiting, Title: "Fix the login test",
			ProjectPath: "/p/web", UpdatedAt: 80, WaitingSince: 10},
		{ID: "refunds-ui", Source: shared.SourceOpenCode, Status: shared.StatusWaiting, Title: "Refunds page",
			ProjectPath: "/p/web", UpdatedAt: 70, WaitingSince: 20},
		{ID: "cleared", Source: shared.SourceClaude, Status: shared.StatusWaiting, Title: "refunds cleared",
			UpdatedAt: 60, WaitingSince: 5, ClearedAt: 61},
		{ID: "working", Source: shared.SourceClaude, Status: shared.StatusWorking, Title: "refunds at work", UpdatedAt: 50},
	}
	l := New(in)
	for _, tc := range []struct {
		q    shared.Query
		n    int
		want string
		kept int
	}{
		{shared.Query{}, 5, "[claude:refunds opencode:refunds-ui claude:login]", 3},
		{shared.Query{Search: "REFUNDS"}, 5, "[claude:refunds opencode:refunds-ui]", 2},
		{shared.Query{Search: "endpoint add", Sort: shared.SortCost}, 5, "[claude:refunds]", 1},
		{shared.Query{Project: "/p/web"}, 1, "[opencode:refunds-ui]", 2},
		{shared.Query{Source: shared.SourceOpenCode, Search: "refunds"}, 5, "[opencode:refunds-ui]", 1},
		{shared.Query{Status: string(shared.StatusWorking)}, 5, "[]", 0},
		{shared.Query{Search: "nothing matches"}, 5, "[]", 0},
	} {
		rows, kept := l.NeedsYouIn(tc.q, tc.n)
		if got := needKeys(rows); got != tc.want || kept != tc.kept {
			t.Errorf("%+v: %s (%d kept), want %s (%d)", tc.q, got, kept, tc.want, tc.kept)
		}
	}
}
