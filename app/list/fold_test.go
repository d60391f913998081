package list

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// foldSample is n sessions newest first, each with words of its own in
// its title and prompt, so that most searches keep some and drop others.
func foldSample(n int) []shared.Session {
	ss := make([]shared.Session, n)
	for i := range ss {
		ss[i] = shared.Session{ID: fmt.Sprint(i), Source: shared.SourceClaude, Title: fmt.Sprintf("Task N%d", i%97), FirstPrompt: fmt.Sprintf("see W%d", i%13), UpdatedAt: int64(10 * (n - i))}
	}
	return ss
}

// oneShot is the search texts of ss, made in one go.
func oneShot(ss []shared.Session) []string {
	texts := make([]string, len(ss))
	for i := range ss {
		texts[i] = shared.SearchText(&ss[i])
	}
	return texts
}

// matching is the ids, in order, of the sessions of ss that search
// keeps, asked as the server asks (Match, which folds as it goes).
func matching(ss []shared.Session, search string) string {
	q := shared.Query{Search: search}
	var out []string
	for i := range ss {
		if q.Match(&ss[i]) {
			out = append(out, ss[i].ID)
		}
	}
	return strings.Join(out, ",")
}

// TestFoldInPartsIsTheWholeFold: the texts a page makes a part at a
// time, between frames, are those the first search would make at once,
// so a search typed after finds what it always did.
func TestFoldInPartsIsTheWholeFold(t *testing.T) {
	ss := foldSample(1000)
	l := New(ss)
	for l.IndexSome(300) == false {
	}
	steps := 0
	for !l.FoldSome(300) {
		steps++
	}
	if steps != 3 {
		t.Errorf("1,000 sessions folded in %d parts of 300 before the last, want 3", steps+1)
	}
	if !slices.Equal(l.texts, oneShot(ss)) {
		t.Fatal("texts made in parts differ from those made at once")
	}
	// The search that follows uses them: it makes none again.
	before := &l.texts[0]
	if got, want := ids(l.Filter(shared.Query{Search: "n5 w5"})), matching(ss, "n5 w5"); got != want || got == "" {
		t.Fatalf("search after the fold kept %q, want %q", got, want)
	}
	if &l.texts[0] != before {
		t.Error("the first search made the texts again")
	}
}

// TestFoldInPartsFollowsChanges: sessions created, renamed, moved and
// deleted between two parts, and a whole new list in the middle, are
// searched as they are now; a search between parts finds what a list
// folded at once finds; and once the fold ends, no text of a session no
// longer held is kept.
func TestFoldInPartsFollowsChanges(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	queries := []string{"n5", "w3 n1", "renamed", "task w12"}
	l := New(nil)
	midway := 0 // changes made with the fold part done
	for round := range 40 {
		// Each round a new list, as a refresh brings: the fold starts
		// over, reusing the texts of the list before.
		l.Replace(foldSample(200 + r.IntN(200)))
		searchAt := -1 // odd rounds: a search between two parts ends the fold
		if round%2 == 1 {
			searchAt = r.IntN(8)
		}
		for step := 0; ; step++ {
			if l.FoldSome(1 + r.IntN(40)) {
				break
			}
			midway++
			id := fmt.Sprint(r.IntN(450))
			switch r.IntN(4) {
			case 0:
				l.Remove(shared.Session{ID: id, Source: shared.SourceClaude})
			case 1:
				l.Upsert(shared.Session{ID: id, Source: shared.SourceClaude, Title: fmt.Sprintf("Renamed N%d", step), UpdatedAt: int64(r.IntN(5000))})
			case 2:
				if s, ok := l.Get(shared.Session{ID: id, Source: shared.SourceClaude}.Key()); ok {
					s.UpdatedAt = int64(r.IntN(5000)) // moved, its text the same
					l.Upsert(s)
				}
			case 3:
				if r.IntN(10) == 0 { // a new list mid-way
					l.Replace(foldSample(100 + r.IntN(300)))
				}
			}
			if step == searchAt {
				q := shared.Query{Search: queries[r.IntN(len(queries))]}
				if got, want := ids(l.Filter(q)), matching(l.Sessions(), q.Search); got != want {
					t.Fatalf("round %d step %d: search %q mid-fold kept %q, want %q", round, step, q.Search, got, want)
				}
			}
		}
		if !slices.Equal(l.texts, oneShot(l.Sessions())) {
			t.Fatalf("round %d: texts after changes between parts differ from those made at once", round)
		}
		if len(l.folded) != l.Len() || l.stale != nil {
			t.Fatalf("round %d: %d texts kept for %d sessions (and %d from before)", round, len(l.folded), l.Len(), len(l.stale))
		}
	}
	if midway < 200 {
		t.Fatalf("only %d changes between parts", midway)
	}
}

// TestFoldedSaysWhenNoPartIsLeft: a page shown again asks whether its
// list still has parts to make (Folded), and starts them only then: a
// list left part-way must say so, a whole one must not.
func TestFoldedSaysWhenNoPartIsLeft(t *testing.T) {
	l := New(nil)
	l.Replace(foldSample(1000))
	if l.Folded() {
		t.Fatal("a list just replaced says it is folded")
	}
	l.IndexSome(0)
	l.FoldSome(300)
	if l.Folded() {
		t.Fatal("a list folded part-way says it is folded")
	}
	for !l.FoldSome(300) {
	}
	if !l.Folded() {
		t.Fatal("a list folded whole says it is not")
	}
	// A change that keeps the texts (an update of one session) leaves
	// at most one to make again; a new whole list leaves them all.
	l.Upsert(shared.Session{ID: "5", Source: shared.SourceClaude, Title: "moved", UpdatedAt: 1 << 40})
	for !l.FoldSome(1) {
	}
	if !l.Folded() {
		t.Fatal("folded again, the list says it is not")
	}
	l.Replace(foldSample(10))
	if l.Folded() {
		t.Fatal("a new whole list says it is folded")
	}
}
