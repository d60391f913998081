package list

import (
	"fmt"
	"testing"

	"vibecraft.sh/helm/shared"
)

// Search texts are folded at the first search, not at the start; a list
// changed before, or after, that first search finds exactly what it holds.
func TestSearchAfterChangesBeforeAndAfterTheFirstSearch(t *testing.T) {
	var ss []shared.Session
	for i := range 50 {
		ss = append(ss, shared.Session{ID: fmt.Sprint(i), Source: shared.SourceClaude, Title: fmt.Sprintf("chore n%dz", i), UpdatedAt: int64(100 - i)})
	}
	found := func(l *List, search string) []string {
		r := l.Filter(shared.Query{Search: search})
		var ids []string
		for i := range r.Len() {
			ids = append(ids, r.At(i).ID)
		}
		return ids
	}
	for _, searchFirst := range []bool{false, true} {
		t.Run(fmt.Sprint("searched first: ", searchFirst), func(t *testing.T) {
			l := New(ss) // newest first: kept as given
			if l.Filter(shared.Query{}).Len() != 50 {
				t.Fatal("not every session listed")
			}
			if searchFirst {
				if got := found(l, "n7z"); fmt.Sprint(got) != "[7]" {
					t.Fatalf("n7z: %v", got)
				}
			}
			l.Upsert(shared.Session{ID: "7", Source: shared.SourceClaude, Title: "Zeppelin audit", UpdatedAt: 500})
			l.Remove(shared.Session{ID: "3", Source: shared.SourceClaude})
			if got := found(l, "zeppelin"); fmt.Sprint(got) != "[7]" {
				t.Fatalf("zeppelin: %v", got)
			}
			if got := found(l, "n3z"); len(got) != 0 {
				t.Fatalf("a removed session found: %v", got)
			}
			if got := found(l, "n7z"); len(got) != 0 {
				t.Fatalf("an old title found: %v", got)
			}
			if n := l.StatusCounts(shared.Query{Search: "chore"}).All; n != 48 {
				t.Fatalf("status counts of a search: %d", n)
			}
		})
	}
}
