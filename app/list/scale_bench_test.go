package list

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// scaleWords are the words of scaleSessions' titles and prompts: as in
// the helmbench corpus, common words, so a search keeps tens of
// thousands.
var scaleWords = strings.Fields("stream backoff handler write session parser json index token query " +
	"cancel context server client value error build struct retry cache offset remove watch file line event")

// scaleSessions is n sessions newest first, shaped like the helmbench
// corpus: 3,333 projects, titles of ten common words, one in a hundred
// waiting and one working, costs and message counts of their own.
func scaleSessions(n int) []shared.Session {
	r := rand.New(rand.NewPCG(1, 2))
	words := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = scaleWords[r.IntN(len(scaleWords))]
		}
		return strings.Join(w, " ")
	}
	statuses := make([]shared.Status, 100) // one in a hundred waiting, one working
	for i := range statuses {
		statuses[i] = shared.StatusIdle
	}
	statuses[0], statuses[1] = shared.StatusWaiting, shared.StatusWorking
	out := make([]shared.Session, n)
	for i := range out {
		p := i % 3333
		title := words(10)
		out[i] = shared.Session{
			ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i), Source: shared.SourceClaude,
			ProjectPath: fmt.Sprintf("/home/dev/code/api-%d", p), ProjectName: fmt.Sprintf("api-%d", p),
			Title: title, FirstPrompt: title + " " + words(10), GitBranch: "main", Model: "claude-opus-4-5",
			Status: statuses[i%len(statuses)], CostUSD: r.Float64() * 10, MessageCount: r.IntN(500),
			CreatedAt: int64(1_900_000_000 - i - r.IntN(1000)), UpdatedAt: int64(2_000_000_000 - i),
		}
	}
	return out
}

// page is what the list page asks of the list at each render for q: its
// rows (the first page of them), the status counts and the projects.
func page(l *List, q shared.Query) {
	r := l.Filter(q)
	r.Head(pageRows)
	l.StatusCounts(q)
	l.Projects(q)
	l.NeedsYouIn(q, 5)
	l.NeedsYouCount()
	l.Hosts()
}

const pageRows = 50

// BenchmarkScaleKeystrokes100k types "stream backoff" into the search,
// a key at a time, then clears it: one op is the 15 renders.
func BenchmarkScaleKeystrokes100k(b *testing.B) {
	l := New(scaleSessions(100_000))
	l.FoldSome(-1)
	page(l, shared.Query{})
	word := "stream backoff"
	b.ReportAllocs()
	for b.Loop() {
		for i := range word {
			page(l, shared.Query{Search: strings.TrimSpace(word[:i+1])})
		}
		page(l, shared.Query{})
	}
}

// BenchmarkScaleStatusAll100k turns the status filter on and off: one op
// is the two renders.
func BenchmarkScaleStatusAll100k(b *testing.B) {
	l := New(scaleSessions(100_000))
	page(l, shared.Query{})
	b.ReportAllocs()
	for b.Loop() {
		page(l, shared.Query{Status: string(shared.StatusWaiting)})
		page(l, shared.Query{})
	}
}

// BenchmarkScaleSort100k sorts by cost, by messages (hundreds of
// sessions to a count: ties) and by creation, each and back.
func BenchmarkScaleSort100k(b *testing.B) {
	l := New(scaleSessions(100_000))
	page(l, shared.Query{})
	b.ReportAllocs()
	for b.Loop() {
		for _, by := range []string{shared.SortCost, shared.SortMessages, shared.SortCreated} {
			page(l, shared.Query{Sort: by})
			page(l, shared.Query{})
		}
	}
}

// BenchmarkScaleLiveUpdate100k is one session updated (moved to the top)
// and the page rendered again, its search texts folded.
func BenchmarkScaleLiveUpdate100k(b *testing.B) {
	src := scaleSessions(100_000)
	l := New(src)
	l.FoldSome(-1)
	page(l, shared.Query{})
	s := src[50_000]
	b.ReportAllocs()
	for b.Loop() {
		s.UpdatedAt++
		s.MessageCount++
		l.Upsert(s)
		page(l, shared.Query{})
	}
}

// BenchmarkScaleFirstSearch100k is the first search over a list just
// held: its search texts all made then.
func BenchmarkScaleFirstSearch100k(b *testing.B) {
	src := scaleSessions(100_000)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		l := New(src)
		l.IndexSome(-1)
		page(l, shared.Query{})
		b.StartTimer()
		page(l, shared.Query{Search: "s"})
	}
}
