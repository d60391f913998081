package list

import (
	"fmt"
	"testing"

	"vibecraft.sh/helm/shared"
)

// manySessions is n sessions newest first, shaped as a snapshot brings
// them: a shared project, branch and model, a title of their own.
func manySessions(n int) []shared.Session {
	out := make([]shared.Session, n)
	for i := range out {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		out[i] = shared.Session{
			ID: id, Source: shared.SourceClaude, ProjectPath: fmt.Sprintf("/home/u/p%d", i%50),
			Title: "fix the thing " + id[:8], FirstPrompt: "fix the thing " + id[:8], GitBranch: "main",
			Model: "claude-opus-4", Status: shared.StatusIdle, UpdatedAt: int64(2_000_000_000 - i),
		}
	}
	return out
}

// BenchmarkStart100k is what the page does with a whole snapshot before
// its first render: hold the list, then count, list the projects and
// keep the rows of a blank query.
func BenchmarkStart100k(b *testing.B) {
	src := manySessions(100_000)
	b.ReportAllocs()
	for b.Loop() {
		l := New(src)
		l.Count(shared.StatusWaiting)
		l.Projects(shared.Query{})
		l.StatusCounts(shared.Query{})
		l.NeedsYou()
		l.Filter(shared.Query{})
	}
}
