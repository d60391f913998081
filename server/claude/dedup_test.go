package claude

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// replayTree writes session A (two responses) and session B, resumed
// from A an hour later, whose file starts with A's lines copied as they
// were (A's session id and timestamps), as Claude Code's resume does.
func replayTree(t *testing.T, root string) (pathA, pathB string) {
	return replayTreeAs(t, root, false)
}

// replayTreeAs is replayTree; with renamed, B's copies carry B's own
// session id and their later timestamps.
func replayTreeAs(t *testing.T, root string, renamed bool) (pathA, pathB string) {
	u := `{"input_tokens":1000,"output_tokens":100}` // 1000×3 + 100×15 = $0.0045
	a := userLine(sidCostA, "2026-03-02T09:00:00Z", "start") +
		assistantLine(sidCostA, "2026-03-02T09:00:01Z", "r1", sonnet45, u) +
		userLine(sidCostA, "2026-03-02T09:00:02Z", "more") +
		assistantLine(sidCostA, "2026-03-02T09:00:03Z", "r2", sonnet45, u)
	b := a
	if renamed {
		b = strings.ReplaceAll(strings.ReplaceAll(a, `"sessionId":"`+sidCostA, `"sessionId":"`+sidCostB), "T09:00:", "T09:30:")
	}
	b += userLine(sidCostB, "2026-03-02T10:00:00Z", "resume") +
		assistantLine(sidCostB, "2026-03-02T10:00:01Z", "r3", sonnet45, u)
	pathA = writeCost(t, root, projectRel("/home/dev/shop", sidCostA+".jsonl"), a)
	pathB = writeCost(t, root, projectRel("/home/dev/shop", sidCostB+".jsonl"), b)
	return pathA, pathB
}

var (
	oneResponse = shared.Tokens{Input: 1000, Output: 100}
	times       = func(t shared.Tokens, n int) shared.Tokens {
		return shared.Tokens{Input: t.Input * n, Output: t.Output * n}
	}
)

// TestReplayedResponsesBilledOnce: a response in two files counts for the
// session that started first, whichever file is read first, and moves to
// the next holder when that file is deleted.
func TestReplayedResponsesBilledOnce(t *testing.T) {
	root := t.TempDir()
	pathA, pathB := replayTree(t, root)
	src, out := scan(t, root, "2026-03-02T12:00:00Z")
	got := byID(out)
	sameSpend(t, "A", got[sidCostA], times(oneResponse, 2), 2*4_500_000)
	sameSpend(t, "B", got[sidCostB], oneResponse, 4_500_000)

	// B grows: only its own new response adds.
	appendTo(t, pathB, assistantLine(sidCostB, "2026-03-02T10:00:05Z", "r4", sonnet45, `{"input_tokens":1000,"output_tokens":100}`))
	changed, _, err := src.Update(t.Context(), []string{pathB})
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 1 || changed[0].ID != sidCostB {
		t.Fatalf("changed %+v, want B only", changed)
	}
	sameSpend(t, "B after append", changed[0], times(oneResponse, 2), 2*4_500_000)

	// A is deleted: B now holds r1 and r2 alone, and pays for them.
	if err := os.Remove(pathA); err != nil {
		t.Fatal(err)
	}
	changed, removed, err := src.Update(t.Context(), []string{pathA})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, []string{sidCostA}) || len(changed) != 1 || changed[0].ID != sidCostB {
		t.Fatalf("changed %+v removed %q, want B changed and A removed", changed, removed)
	}
	sameSpend(t, "B alone", changed[0], times(oneResponse, 4), 4*4_500_000)

	// A comes back: it takes its responses back from B.
	replayTree(t, root)
	appendTo(t, pathB, assistantLine(sidCostB, "2026-03-02T10:00:05Z", "r4", sonnet45, `{"input_tokens":1000,"output_tokens":100}`))
	changed, _, err = src.Update(t.Context(), []string{filepath.Dir(pathA)})
	if err != nil {
		t.Fatal(err)
	}
	got = byID(changed)
	sameSpend(t, "A back", got[sidCostA], times(oneResponse, 2), 2*4_500_000)
	sameSpend(t, "B with A back", got[sidCostB], times(oneResponse, 2), 2*4_500_000)
}

// TestReplayedCopiesRenamed: copies that carry the new session's id and
// later times still leave the responses to A, which started first.
func TestReplayedCopiesRenamed(t *testing.T) {
	root := t.TempDir()
	replayTreeAs(t, root, true)
	_, out := scan(t, root, "2026-03-02T12:00:00Z")
	got := byID(out)
	sameSpend(t, "A", got[sidCostA], times(oneResponse, 2), 2*4_500_000)
	sameSpend(t, "B", got[sidCostB], oneResponse, 4_500_000)
}

// TestReplayedWithCache: the same split after a restart from the scan
// cache, where the files' response ids are still encoded.
func TestReplayedWithCache(t *testing.T) {
	root := t.TempDir()
	replayTree(t, root)
	opts := Options{Roots: []string{root}, Now: clock("2026-03-02T12:00:00Z"), CacheFile: filepath.Join(t.TempDir(), "cache")}
	first := New(opts)
	if _, err := first.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := first.Save(); err != nil { // as the lifecycle owner does: Scan does not save
		t.Fatal(err)
	}
	src := New(opts)
	out, err := src.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st := src.Stats(); st.FromCache != 2 || st.BytesRead != 0 {
		t.Fatalf("stats %+v, want both files from the cache", st)
	}
	got := byID(out)
	sameSpend(t, "A", got[sidCostA], times(oneResponse, 2), 2*4_500_000)
	sameSpend(t, "B", got[sidCostB], oneResponse, 4_500_000)
}

// TestTwoRootsCountOnce: a session copied under a second root, with its
// subagent, costs what it cost once.
func TestTwoRootsCountOnce(t *testing.T) {
	u := `{"input_tokens":1000,"output_tokens":100}`
	main := userLine(sidCostA, "2026-03-02T09:00:00Z", "start") + assistantLine(sidCostA, "2026-03-02T09:00:01Z", "m1", sonnet45, u)
	sub := sidechain(userLine(sidCostA, "2026-03-02T09:00:02Z", "explore")) + sidechain(assistantLine(sidCostA, "2026-03-02T09:00:03Z", "s1", sonnet45, u))
	var roots []string
	for range 2 {
		root := t.TempDir()
		writeCost(t, root, projectRel("/home/dev/shop", sidCostA+".jsonl"), main)
		writeCost(t, root, projectRel("/home/dev/shop", sidCostA+"/subagents/agent-a1.jsonl"), sub)
		roots = append(roots, root)
	}
	src := New(Options{Roots: roots, Now: clock("2026-03-02T12:00:00Z")})
	out, err := src.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sameSpend(t, "two roots", one(t, out), times(oneResponse, 2), 2*4_500_000)
}

// TestDedupIncrementalMatchesFresh drives files that share responses
// through creation, appends, copies, a rewrite and deletions, and checks
// after each step that what Update left in memory is what a fresh read
// of the tree gives, and that no response is billed twice.
func TestDedupIncrementalMatchesFresh(t *testing.T) {
	const now = "2026-03-02T12:00:00Z"
	u := `{"input_tokens":1000,"output_tokens":100}`
	sidC := "0ccccccc-0000-4000-8000-00000000000c"
	resp := func(sid string, n int) string {
		return assistantLine(sid, fmt.Sprintf("2026-03-02T09:%02d:00Z", n), fmt.Sprintf("r%d", n), sonnet45, u)
	}
	root := t.TempDir()
	path := func(sid string) string { return filepath.Join(root, projectRel("/home/dev/shop", sid+".jsonl")) }
	a := userLine(sidCostA, "2026-03-02T09:00:00Z", "a") + resp(sidCostA, 1)
	src, _ := scan(t, root, "2026-03-02T12:00:00Z")
	steps := []struct {
		name      string
		do        func()
		responses int // distinct responses in the tree
	}{
		{"A created", func() { writeCost(t, root, projectRel("/home/dev/shop", sidCostA+".jsonl"), a) }, 1},
		{"A grows", func() { a += resp(sidCostA, 2); appendTo(t, path(sidCostA), resp(sidCostA, 2)) }, 2},
		{"B resumes A", func() {
			writeCost(t, root, projectRel("/home/dev/shop", sidCostB+".jsonl"), a+userLine(sidCostB, "2026-03-02T10:00:00Z", "b")+resp(sidCostB, 3))
		}, 3},
		{"B grows", func() { appendTo(t, path(sidCostB), resp(sidCostB, 4)) }, 4},
		{"C resumes B", func() {
			data, err := os.ReadFile(path(sidCostB))
			if err != nil {
				t.Fatal(err)
			}
			writeCost(t, root, projectRel("/home/dev/shop", sidC+".jsonl"), string(data)+userLine(sidC, "2026-03-02T11:00:00Z", "c")+resp(sidC, 5))
		}, 5},
		{"B deleted", func() {
			if err := os.Remove(path(sidCostB)); err != nil {
				t.Fatal(err)
			}
		}, 5},
		{"A rewritten shorter", func() {
			writeCost(t, root, projectRel("/home/dev/shop", sidCostA+".jsonl"), userLine(sidCostA, "2026-03-02T09:00:00Z", "a")+resp(sidCostA, 1))
		}, 5},
		{"A deleted", func() {
			if err := os.Remove(path(sidCostA)); err != nil {
				t.Fatal(err)
			}
		}, 5},
	}
	for _, st := range steps {
		st.do()
		if _, _, err := src.Update(t.Context(), []string{filepath.Dir(path(sidCostA))}); err != nil {
			t.Fatal(err)
		}
		got := src.Sessions()
		_, want := scan(t, root, now)
		if !slices.Equal(got, want) {
			t.Errorf("%s: incremental\n %+v\nfresh\n %+v", st.name, got, want)
		}
		var tokens shared.Tokens
		for _, s := range got {
			tokens = tokens.Add(s.Tokens)
		}
		if tokens != times(oneResponse, st.responses) {
			t.Errorf("%s: sum %+v, want %d responses", st.name, tokens, st.responses)
		}
	}
}

// A rescan reads files the index already holds while it settles others:
// a new transcript replaying an indexed one's responses must not be
// settled (which shadows the indexed one's responses) while that one is
// still being read. Run with -race: the settler and the reader touched
// the same maps, and the scan died with a concurrent map write.
func TestRescanSettlesNoFileBeingRead(t *testing.T) {
	const replays = 2000
	u := `{"input_tokens":10,"output_tokens":1}`
	var replayed, grown strings.Builder
	for i := range replays {
		replayed.WriteString(assistantLine(sidCostA, "2026-03-02T08:00:00Z", fmt.Sprintf("s%d", i), sonnet45, u))
	}
	for i := range 20000 {
		grown.WriteString(assistantLine(sidCostB, "2026-03-02T10:00:00Z", fmt.Sprintf("g%d", i), sonnet45, u))
	}
	root := t.TempDir()
	// B holds the responses first, and is indexed by the first scan.
	b := writeCost(t, root, projectRel("/home/dev/shop", sidCostB+".jsonl"),
		userLine(sidCostB, "2026-03-02T09:00:00Z", "b")+strings.ReplaceAll(replayed.String(), sidCostA, sidCostB))
	src, _ := scan(t, root, "2026-03-02T12:00:00Z")
	// A, earlier, replays them, and is the larger file (read first, done
	// first: one long line); B grows by many small lines meanwhile.
	writeCost(t, root, projectRel("/home/dev/shop", sidCostA+".jsonl"),
		userLine(sidCostA, "2026-03-02T08:00:00Z", strings.Repeat("a", 8<<20))+replayed.String())
	appendTo(t, b, grown.String())
	got, err := src.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	_, want := scan(t, root, "2026-03-02T12:00:00Z")
	if !slices.Equal(got, want) {
		t.Errorf("rescan\n %+v\nfresh\n %+v", got, want)
	}
	var tokens shared.Tokens
	for _, s := range got {
		tokens = tokens.Add(s.Tokens)
	}
	if want := (shared.Tokens{Input: 10 * (replays + 20000), Output: replays + 20000}); tokens.Input != want.Input || tokens.Output != want.Output {
		t.Errorf("billed %+v, want each response once: %+v", tokens, want)
	}
}
