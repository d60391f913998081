package list

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// corpus makes n varied sessions: several projects, both sources, all
// statuses, mixed case, some non-ASCII.
func corpus(n int, seed uint64) []shared.Session {
	r := rand.New(rand.NewPCG(seed, 1))
	words := []string{"Fix", "login", "LOGIN", "flake", "Über", "größe", "docs", "refactor", "api", "cache", "x"}
	statuses := []shared.Status{shared.StatusWorking, shared.StatusWaiting, shared.StatusIdle}
	out := make([]shared.Session, n)
	for i := range out {
		p := r.IntN(40)
		src := shared.SourceClaude
		if r.IntN(4) == 0 {
			src = shared.SourceOpenCode
		}
		out[i] = shared.Session{
			ID: fmt.Sprintf("s%04d", i), Source: src,
			Title:        words[r.IntN(len(words))] + " " + words[r.IntN(len(words))],
			FirstPrompt:  words[r.IntN(len(words))],
			ProjectPath:  fmt.Sprintf("/home/dev/proj%02d", p),
			ProjectName:  fmt.Sprintf("proj%02d", p),
			GitBranch:    []string{"", "main", "feature/Login"}[r.IntN(3)],
			Status:       statuses[r.IntN(3)],
			Active:       r.IntN(3) == 0,
			MessageCount: r.IntN(50),
			CostUSD:      float64(r.IntN(500)) / 100,
			CreatedAt:    int64(r.IntN(1000)),
			UpdatedAt:    int64(1000 + r.IntN(1000)),
		}
	}
	return out
}

func keysOf(ss []shared.Session) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.Key())
		b.WriteByte(',')
	}
	return b.String()
}

// TestFilterAgreesWithQueryApply types searches a key at a time, changes
// filters and sorts, and updates the list in between: every answer must
// be what shared.Query.Apply gives over the whole list.
func TestFilterAgreesWithQueryApply(t *testing.T) {
	base := corpus(600, 7)
	l := New(base)
	steps := []string{
		"", "q=l", "q=lo", "q=log", "q=LOGI", "q=login", "q=login%20", "q=logi", "q=", // typing, then deleting
		"source=opencode&q=f", "source=opencode&q=fi", "source=opencode&q=fix",
		"sort=cost&q=a", "sort=cost&q=ap", "sort=cost&q=api", "sort=messages", "sort=created&status=active",
		"project=%2Fhome%2Fdev%2Fproj03&q=%C3%BC", "project=%2Fhome%2Fdev%2Fproj03&q=%C3%BCb",
		"status=waiting&q=feature%2Fl", "status=waiting&q=feature%2Flo",
	}
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 3 {
		for _, raw := range steps {
			q := QueryFromURL(raw)
			want := keysOf(q.Apply(l.Sessions()))
			if got := keysOf(l.Filter(q).Head(-1)); got != want {
				t.Fatalf("round %d, %q: Filter disagrees with Apply\n got %s\nwant %s", round, raw, got, want)
			}
			if got := keysOf(l.Filter(q).Head(-1)); got != want { // cached answer
				t.Fatalf("round %d, %q: cached answer differs", round, raw)
			}
		}
		// Change the list: retitle some, move some, drop one, add one.
		for range 20 {
			s := base[r.IntN(len(base))]
			s.Title = []string{"login now", "nothing", "ÜBER"}[r.IntN(3)]
			s.UpdatedAt = int64(2000 + r.IntN(1000))
			l.Upsert(s)
		}
		l.Remove(base[r.IntN(len(base))])
		l.Upsert(shared.Session{ID: fmt.Sprintf("new%d", round), Source: shared.SourceClaude, Title: "Login fresh", UpdatedAt: 5000})
	}
}

func TestResult(t *testing.T) {
	l := New(corpus(50, 1))
	r := l.Filter(shared.Query{Sort: shared.SortCost})
	want := shared.Query{Sort: shared.SortCost}.Apply(l.Sessions())
	if r.Len() != len(want) || keysOf(r.Head(-1)) != keysOf(want) || keysOf(r.Head(100)) != keysOf(want) {
		t.Fatalf("Head(-1) = %s, want %s", keysOf(r.Head(-1)), keysOf(want))
	}
	if got := r.Head(3); keysOf(got) != keysOf(want[:3]) {
		t.Errorf("Head(3) = %s", keysOf(got))
	}
	for i := range want {
		if r.At(i).Key() != want[i].Key() || r.Index(want[i].Key()) != i {
			t.Fatalf("At/Index disagree at %d", i)
		}
	}
	if r.Index("claude:nope") != -1 {
		t.Error("Index of an absent key")
	}
	if got := l.Filter(shared.Query{Search: "zzz-no-match"}); got.Len() != 0 || len(got.Head(-1)) != 0 {
		t.Fatalf("no match: %d", got.Len())
	}
	var empty List
	if got := empty.Filter(shared.Query{Search: "x"}); got.Len() != 0 {
		t.Fatalf("empty list: %d", got.Len())
	}
}

func TestProjects(t *testing.T) {
	ss := []shared.Session{
		{ID: "1", Source: shared.SourceClaude, ProjectPath: "/w/a", ProjectName: "a", Status: shared.StatusIdle, UpdatedAt: 10},
		{ID: "2", Source: shared.SourceClaude, ProjectPath: "/w/b", ProjectName: "b", Status: shared.StatusWaiting, UpdatedAt: 30},
		{ID: "3", Source: shared.SourceOpenCode, ProjectPath: "/w/a", ProjectName: "a", Status: shared.StatusWaiting, UpdatedAt: 40},
		{ID: "4", Source: shared.SourceClaude, ProjectPath: "/x/b", ProjectName: "b", Status: shared.StatusIdle, UpdatedAt: 5},
		{ID: "5", Source: shared.SourceClaude, ProjectPath: "/w/c", Status: shared.StatusIdle, UpdatedAt: 1},
	}
	l := New(ss)
	show := func(ps []Project) string {
		var b []string
		for _, p := range ps {
			b = append(b, fmt.Sprintf("%s=%d", p.Label, p.Count))
		}
		return strings.Join(b, " ")
	}
	tests := []struct {
		raw, want string
	}{
		{"", "/w/c=1 a=2 /w/b=1 /x/b=1"}, // by name; same names show paths; no name → path
		{"source=claude", "/w/c=1 a=1 /w/b=1 /x/b=1"},
		{"status=waiting", "a=1 b=1"},
		{"status=waiting&q=nothing&sort=cost", "a=1 b=1"},                // search and sort do not matter
		{"status=waiting&project=%2Fw%2Fc", "a=1 b=1 c=0"},               // the selected one stays listed
		{"source=opencode&project=%2Fw%2Fa", "a=1"},                      // selected and present: once
		{"project=%2Fgone%2Fproj%2F", "/w/c=1 a=2 /w/b=1 /x/b=1 proj=0"}, // a bookmark of a vanished project
	}
	for _, tc := range tests {
		if got := show(l.Projects(QueryFromURL(tc.raw))); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.raw, got, tc.want)
		}
	}
	// Updates change the counts, and the order only by the labels: the
	// newest project does not move to the top.
	l.Upsert(shared.Session{ID: "6", Source: shared.SourceClaude, ProjectPath: "/w/c", ProjectName: "c", UpdatedAt: 99})
	if got := show(l.Projects(shared.Query{})); got != "a=2 /w/b=1 /x/b=1 c=2" {
		t.Errorf("after an update: %q", got)
	}
	l.Upsert(shared.Session{ID: "7", Source: shared.SourceClaude, ProjectPath: "/w/Api", ProjectName: "Api", UpdatedAt: 100})
	l.Upsert(shared.Session{ID: "8", Source: shared.SourceClaude, ProjectPath: "/w/Billing", ProjectName: "Billing", UpdatedAt: 1})
	if got := show(l.Projects(shared.Query{})); got != "a=2 Api=1 /w/b=1 /x/b=1 Billing=1 c=2" {
		t.Errorf("letter case aside: %q", got)
	}
}

func TestCount(t *testing.T) {
	l := New(corpus(300, 9))
	want := map[shared.Status]int{}
	active := 0
	for _, s := range l.Sessions() {
		want[s.Status]++
		if s.Active {
			active++
		}
	}
	for st, n := range want {
		if got := l.Count(st); got != n {
			t.Errorf("Count(%s) = %d, want %d", st, got, n)
		}
	}
	if l.ActiveCount() != active {
		t.Errorf("ActiveCount = %d, want %d", l.ActiveCount(), active)
	}
	s := l.Sessions()[0]
	before := l.Count(shared.StatusWaiting)
	if s.Status == shared.StatusWaiting {
		s.Status = shared.StatusIdle
		before--
	} else {
		s.Status = shared.StatusWaiting
		before++
	}
	l.Upsert(s)
	if got := l.Count(shared.StatusWaiting); got != before {
		t.Errorf("after a status change: %d waiting, want %d", got, before)
	}
}

func TestQueryFromURL(t *testing.T) {
	tests := []struct {
		raw  string
		want shared.Query
	}{
		{"", shared.Query{}},
		{"source=opencode&q=%20fix%20", shared.Query{Source: shared.SourceOpenCode, Search: "fix"}},
		{"status=busy&q=fix&sort=cost", shared.Query{Search: "fix", Sort: shared.SortCost}}, // a bad status is dropped, not the view
		{"source=cursor&status=waiting&sort=title&project=%2Fw", shared.Query{Status: "waiting", Project: "/w"}},
		{"q=a%ZZ&source=claude", shared.Query{Source: shared.SourceClaude}}, // malformed escapes
	}
	for _, tc := range tests {
		if got := QueryFromURL(tc.raw); got != tc.want {
			t.Errorf("%q: got %+v, want %+v", tc.raw, got, tc.want)
		}
	}
}

func TestURLRoundTrip(t *testing.T) {
	for _, q := range []shared.Query{
		{},
		{Source: shared.SourceClaude, Status: "working"},
		{Project: "/home/dev/my app&co/ü?", Status: shared.StatusActive, Search: "a+b #c", Sort: shared.SortMessages},
	} {
		u := URL("/", q)
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		if parsed.Path != "/" {
			t.Errorf("%s: path %q", u, parsed.Path)
		}
		if back := QueryFromURL(parsed.RawQuery); back != q {
			t.Errorf("%+v → %s → %+v", q, u, back)
		}
	}
	if got := URL("/", shared.Query{}); got != "/" {
		t.Errorf("empty view: %q", got)
	}
}

// BenchmarkSearchKeystroke is one keystroke of a search over 5,000
// sessions, after the first character (the case the page cares about).
func BenchmarkSearchKeystroke(b *testing.B) {
	l := New(corpus(5000, 11))
	l.Filter(shared.Query{})
	for b.Loop() {
		l.Filter(shared.Query{Search: "l"})
		l.Filter(shared.Query{Search: "lo"})
	}
}

// BenchmarkFilterAfterUpdate is a filter right after a session changed:
// the whole list is sorted and searched again.
func BenchmarkFilterAfterUpdate(b *testing.B) {
	ss := corpus(5000, 11)
	l := New(ss)
	for i := 0; b.Loop(); i++ {
		s := ss[i%len(ss)]
		s.UpdatedAt = int64(10_000 + i)
		l.Upsert(s)
		l.Filter(shared.Query{Search: "login", Sort: shared.SortCost})
	}
}

func TestWithQueryKeepsOtherParameters(t *testing.T) {
	v, _ := url.ParseQuery("poll=250ms&q=old&status=idle&x=1&x=2")
	got := WithQuery(v, shared.Query{Search: "new", Sort: shared.SortCost}).Encode()
	if want := "poll=250ms&q=new&sort=cost&x=1&x=2"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if v.Get("q") != "old" {
		t.Error("the input was modified")
	}
}

// A view's every filter leaves the URL with it: the model and the day
// (the usage page's links) stayed when dropped or cleared, and a reload
// brought them back.
func TestWithQueryReplacesEveryFilter(t *testing.T) {
	all := shared.Query{Source: shared.SourceClaude, Project: "/p", Status: "waiting", Search: "w", Sort: shared.SortCost,
		Host: "h", Model: "m", Day: "2026-03-02"}
	v := all.Values()
	v.Set("keep", "1")
	if len(all.Values()) != 8 {
		t.Fatalf("the query sets %d parameters: give every filter a value here", len(all.Values()))
	}
	if got := WithQuery(v, shared.Query{}).Encode(); got != "keep=1" {
		t.Errorf("with no filter the URL's query is %q, want only the parameter not the view's", got)
	}
}

// TestSortTiesAsCompare: sessions of one cost, message count and
// creation are listed as shared.Query.Compare orders them: the latest
// activity first, then by key when that too is the same.
func TestSortTiesAsCompare(t *testing.T) {
	tied := func(id string, at int64) shared.Session {
		return shared.Session{ID: id, Source: shared.SourceClaude, CostUSD: 1.5, MessageCount: 3, CreatedAt: 7, UpdatedAt: at}
	}
	l := New([]shared.Session{tied("b", 10), tied("c", 20), tied("a", 10), tied("d", 5),
		{ID: "rich", Source: shared.SourceClaude, CostUSD: 9, MessageCount: 9, CreatedAt: 9, UpdatedAt: 1}})
	for _, by := range []string{shared.SortCost, shared.SortMessages, shared.SortCreated} {
		if got := ids(l.Filter(shared.Query{Sort: by})); got != "rich,c,a,b,d" {
			t.Errorf("sort %s: %s, want rich,c,a,b,d", by, got)
		}
	}
}
