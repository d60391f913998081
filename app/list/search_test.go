package list

import (
	"maps"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

func searchSample() []shared.Session {
	return []shared.Session{
		{ID: "1", Source: shared.SourceClaude, Title: "Fix the login flake", ProjectPath: "/w/web", ProjectName: "web", GitBranch: "main", Model: "claude-sonnet-4-5-20250929", Status: shared.StatusIdle, UpdatedAt: 50},
		{ID: "2", Source: shared.SourceClaude, Title: "Login page redesign", ProjectPath: "/w/app", ProjectName: "app", GitBranch: "feature/login", Model: "claude-opus-4-1", Status: shared.StatusWaiting, UpdatedAt: 40},
		{ID: "3", Source: shared.SourceOpenCode, Title: "Docs", FirstPrompt: "write the flake report", ProjectPath: "/w/web", ProjectName: "web", GitBranch: "docs", Model: "gpt-5", Status: shared.StatusWorking, Active: true, UpdatedAt: 30},
		{ID: "4", Source: shared.SourceClaude, Title: "Unrelated", ProjectPath: "/w/other", GitBranch: "main", Model: "claude-haiku-4-5", Status: shared.StatusIdle, UpdatedAt: 20},
	}
}

func ids(r Result) string {
	var out []string
	for i := range r.Len() {
		out = append(out, r.At(i).ID)
	}
	return strings.Join(out, ",")
}

// TestSearchWords: a search keeps the sessions that hold every word,
// in any order and in any of the fields searched, the model included.
func TestSearchWords(t *testing.T) {
	tests := []struct {
		search, want string
	}{
		{"login flake", "1"},        // both words, in the title
		{"flake login", "1"},        // any order
		{"FLAKE   Login", "1"},      // case and spacing do not matter
		{"login main", "1"},         // one word in the title, one in the branch
		{"flake", "1,3"},            // title, or first prompt
		{"web flake", "1,3"},        // project path and title or prompt
		{"sonnet", "1"},             // the model
		{"claude opus", "2"},        // two words of one model name
		{"haiku main", "4"},         // model and branch
		{"login nope", ""},          // every word must be found
		{"the flake fix", "1"},      // the exact phrase is not required
		{"gpt-5 report", "3"},       // punctuation inside a word stays
		{"  ", "1,2,3,4"},           // no words: no search
		{"log\x00in", ""},           // a NUL never matches across fields
		{"feature/login page", "2"}, // a path-like word
	}
	l := New(searchSample())
	for _, tc := range tests {
		t.Run(tc.search, func(t *testing.T) {
			if got := ids(l.Filter(shared.Query{Search: strings.TrimSpace(tc.search)})); got != tc.want {
				t.Errorf("search %q kept %q, want %q", tc.search, got, tc.want)
			}
			// The server filters with Match: same answer.
			q := shared.Query{Search: strings.TrimSpace(tc.search)}
			var server []string
			for _, s := range searchSample() {
				if q.Match(&s) {
					server = append(server, s.ID)
				}
			}
			if got := strings.Join(server, ","); got != tc.want {
				t.Errorf("Match for %q kept %q, want %q", tc.search, got, tc.want)
			}
		})
	}
}

// TestSearchTypingNarrows: the answer filtered from the last one while
// typing is the answer filtered from the whole list.
func TestSearchTypingNarrows(t *testing.T) {
	steps := []string{"l", "lo", "login", "login f", "login fl", "login flake", "flake login", "login", "o"}
	l := New(searchSample())
	for _, s := range steps {
		got := ids(l.Filter(shared.Query{Search: s}))
		fresh := ids(New(searchSample()).Filter(shared.Query{Search: s}))
		if got != fresh {
			t.Errorf("after typing %q: %q, from scratch %q", s, got, fresh)
		}
	}
}

// TestStatusCountsFollowFilters: the status filter's counts are those of
// the sessions the other filters and the search keep.
func TestStatusCountsFollowFilters(t *testing.T) {
	tests := []struct {
		name                                string
		q                                   shared.Query
		all, working, waiting, idle, active int
	}{
		{"no filter", shared.Query{}, 4, 1, 1, 2, 1},
		{"the status filter itself does not change them", shared.Query{Status: "waiting"}, 4, 1, 1, 2, 1},
		{"source", shared.Query{Source: shared.SourceOpenCode}, 1, 1, 0, 0, 1},
		{"project", shared.Query{Project: "/w/web"}, 2, 1, 0, 1, 1},
		{"search", shared.Query{Search: "login"}, 2, 0, 1, 1, 0},
		{"search and project", shared.Query{Search: "flake", Project: "/w/web", Status: "idle"}, 2, 1, 0, 1, 1},
		{"model", shared.Query{Model: "claude-haiku-4-5"}, 1, 0, 0, 1, 0},
		{"nothing kept", shared.Query{Search: "zzz"}, 0, 0, 0, 0, 0},
	}
	l := New(searchSample())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := l.StatusCounts(tc.q)
			got := [5]int{c.All, c.By[shared.StatusWorking], c.By[shared.StatusWaiting], c.By[shared.StatusIdle], c.Active}
			want := [5]int{tc.all, tc.working, tc.waiting, tc.idle, tc.active}
			if got != want {
				t.Errorf("counts (all, working, waiting, idle, active) = %v, want %v", got, want)
			}
		})
	}
	// The counts follow changes to the list.
	l.Apply(shared.Event{Type: shared.EventSessionUpdated, Sessions: []shared.Session{{ID: "4", Source: shared.SourceClaude, Title: "Unrelated", ProjectPath: "/w/other", Status: shared.StatusWaiting, UpdatedAt: 60}}})
	if c := l.StatusCounts(shared.Query{}); c.By[shared.StatusWaiting] != 2 || c.By[shared.StatusIdle] != 1 {
		t.Errorf("after an update: waiting %d idle %d, want 2 and 1", c.By[shared.StatusWaiting], c.By[shared.StatusIdle])
	}
}

// TestStatusCountsSayWhatWasCleared: a cleared session keeps its status,
// so the Waiting filter counts it; Cleared says how many, so the page can
// tell why the filter says more than the header's badge.
func TestStatusCountsSayWhatWasCleared(t *testing.T) {
	l := New([]shared.Session{
		{ID: "a", Source: shared.SourceClaude, Status: shared.StatusWaiting, WaitingSince: 10, UpdatedAt: 10},
		{ID: "b", Source: shared.SourceClaude, Status: shared.StatusWaiting, WaitingSince: 10, UpdatedAt: 10, ClearedAt: 20},
		{ID: "c", Source: shared.SourceClaude, Status: shared.StatusIdle, UpdatedAt: 10, ClearedAt: 20},
	})
	c := l.StatusCounts(shared.Query{})
	if c.By[shared.StatusWaiting] != 2 || c.Cleared != 1 {
		t.Fatalf("waiting %d, cleared %d; want 2 and 1 (an idle session's old clear is not counted)", c.By[shared.StatusWaiting], c.Cleared)
	}
	// A new wait resets clearedAt on the server: it is no longer cleared.
	l.Apply(shared.Event{Type: shared.EventSessionUpdated, Sessions: []shared.Session{{ID: "b", Source: shared.SourceClaude, Status: shared.StatusWaiting, WaitingSince: 30, UpdatedAt: 30}}})
	if c := l.StatusCounts(shared.Query{}); c.Cleared != 0 {
		t.Errorf("after a new wait: cleared %d, want 0", c.Cleared)
	}
}

// TestStatusCountsAsThePageAsks: the counts a page sees while a person
// types, deletes, sorts and picks a status, with the rows asked for
// before or after them and the list changing between, are those of a
// list that never answered before (StatusCounts reuses what Filter and
// its own last answer kept).
func TestStatusCountsAsThePageAsks(t *testing.T) {
	l := New(searchSample())
	steps := []struct {
		q          shared.Query
		rowsFirst  bool
		update     bool // session 4 turns waiting and "flaky" first
		wantAll    int
		wantIdle   int
		wantActive int
	}{
		{shared.Query{}, true, false, 4, 2, 1},
		{shared.Query{Search: "l"}, false, false, 4, 2, 1}, // "l" is in every model or path
		{shared.Query{Search: "lo"}, false, false, 2, 1, 0},
		{shared.Query{Search: "log"}, true, false, 2, 1, 0},
		{shared.Query{Search: "log", Sort: shared.SortCost}, true, false, 2, 1, 0},
		{shared.Query{Search: "login", Sort: shared.SortCost, Status: "idle"}, true, false, 2, 1, 0},
		{shared.Query{Search: "lo", Sort: shared.SortCost, Status: "idle"}, false, false, 2, 1, 0}, // a deletion widens
		{shared.Query{Search: "fla"}, true, false, 2, 1, 1},
		{shared.Query{Search: "flak"}, false, true, 3, 1, 1}, // the list changed: nothing kept holds
		{shared.Query{Search: "flaky"}, false, false, 1, 0, 0},
		{shared.Query{Search: "flaky", Project: "/w/web"}, true, false, 0, 0, 0},
		{shared.Query{}, false, false, 4, 1, 1},
	}
	for i, st := range steps {
		if st.update {
			l.Upsert(shared.Session{ID: "4", Source: shared.SourceClaude, Title: "Unrelated flaky", ProjectPath: "/w/other", GitBranch: "main", Model: "claude-haiku-4-5", Status: shared.StatusWaiting, UpdatedAt: 60})
		}
		if st.rowsFirst {
			l.Filter(st.q)
		}
		c := l.StatusCounts(st.q)
		fresh := New(l.Sessions()).StatusCounts(st.q)
		if c.All != fresh.All || !maps.Equal(c.By, fresh.By) || c.Active != fresh.Active || c.Cleared != fresh.Cleared {
			t.Errorf("step %d %+v: counts %+v, a fresh list counts %+v", i, st.q, c, fresh)
		}
		if c.All != st.wantAll || c.By[shared.StatusIdle] != st.wantIdle || c.Active != st.wantActive {
			t.Errorf("step %d %+v: all %d idle %d active %d, want %d %d %d", i, st.q, c.All, c.By[shared.StatusIdle], c.Active, st.wantAll, st.wantIdle, st.wantActive)
		}
	}
}
