package claude

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// checkSource verifies the registry's invariants and that the dedup
// index refers to registered, indexed files only: a file forgotten or
// replaced leaves no trace in it, and every response a registered file
// holds is held there once.
func checkSource(s *Source) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	errs := []error{checkRegistry(s.reg)}
	for k, f := range s.owner {
		if !s.reg.has(f) || !f.indexed {
			errs = append(errs, fmt.Errorf("owner of %x is %s, not registered and indexed", k, f.path))
		}
	}
	for k, rest := range s.others {
		if _, ok := s.owner[k]; !ok {
			errs = append(errs, fmt.Errorf("others of %x without an owner", k))
		}
		for i, f := range rest {
			if !s.reg.has(f) || !f.indexed || f == s.owner[k] || slices.Index(rest, f) != i {
				errs = append(errs, fmt.Errorf("others of %x: %s is unregistered, unindexed, the owner or listed twice", k, f.path))
			}
		}
	}
	for _, f := range s.reg.sorted() {
		if !f.indexed {
			continue
		}
		f.agg.eachKey(func(k rkey) {
			if s.owner[k] != f && !slices.Contains(s.others[k], f) {
				errs = append(errs, fmt.Errorf("%s holds %x, not in the index", f.path, k))
			}
		})
	}
	return errors.Join(errs...)
}

// filedUnder lists, relative to root, the transcripts filed under
// session sid, mains and subagents.
func filedUnder(s *Source, root, sid string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range [][]*file{s.reg.mainsOf(sid, new([1]*file)), s.reg.subsOf(sid, new([1]*file))} {
		for _, f := range m {
			rel, _ := filepath.Rel(root, f.path)
			out = append(out, filepath.ToSlash(rel))
		}
	}
	slices.Sort(out)
	return out
}

// replace writes content to root/rel through a new file renamed over
// it, as an editor or a tool that rewrites a transcript does, with the
// mtime mt so that every change is seen.
func replace(t *testing.T, root, rel, content string, mt time.Time) string {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, mt, mt); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	return path
}

const (
	ownNow  = "2026-03-02T12:00:00Z"
	ownUse  = `{"input_tokens":1000,"output_tokens":100}`
	ownProj = "/home/dev/shop"
)

func ownMain(sid, resp string) string {
	return userLine(sid, "2026-03-02T09:00:00Z", "fix the build") + assistantLine(sid, "2026-03-02T09:00:01Z", resp, sonnet45, ownUse)
}

func ownSub(sid, resp string) string {
	return sidechain(userLine(sid, "2026-03-02T09:10:00Z", "look for the bug")) +
		sidechain(assistantLine(sid, "2026-03-02T09:10:01Z", resp, sonnet45, ownUse))
}

// TestSettleFilesEachTranscriptOnce follows transcripts whose session
// changes or appears late, through Scan and Update over real files, and
// checks after each step what Update reported, where each file is filed,
// the invariants, and that memory matches a fresh read.
func TestSettleFilesEachTranscriptOnce(t *testing.T) {
	mainA := projectRel(ownProj, sidCostA+".jsonl")
	mainS := projectRel(ownProj, sidCostS+".jsonl")
	agent := projectRel(ownProj, "agent-0f0f.jsonl")
	subS := projectRel(ownProj, sidCostS+"/subagents/agent-1.jsonl")
	type step struct {
		name             string
		do               func(t *testing.T, root string, mt time.Time)
		hint             []string // relative to the root; nil: a Scan
		changed, removed []string // for a Scan, changed is every session
		filed            map[string][]string
	}
	write := func(rel, content string) func(*testing.T, string, time.Time) {
		return func(t *testing.T, root string, mt time.Time) { replace(t, root, rel, content, mt) }
	}
	remove := func(rel string) func(*testing.T, string, time.Time) {
		return func(t *testing.T, root string, _ time.Time) {
			if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name  string
		steps []step
	}{{
		name: "legacy agent file: its records name the session, then another, then none",
		steps: []step{
			{name: "main and agent", do: func(t *testing.T, root string, mt time.Time) {
				replace(t, root, mainA, ownMain(sidCostA, "a1"), mt)
				replace(t, root, agent, ownSub(sidCostA, "x1"), mt)
			}, changed: []string{sidCostA}, filed: map[string][]string{sidCostA: {mainA, agent}}},
			{name: "agent rewritten for B", do: write(agent, ownSub(sidCostB, "x1")+ownSub(sidCostB, "x2")), hint: []string{agent},
				changed: []string{sidCostB, sidCostA}, filed: map[string][]string{sidCostA: {mainA}, sidCostB: {agent}}},
			{name: "agent emptied", do: write(agent, ""), hint: []string{agent},
				removed: []string{sidCostB}, filed: map[string][]string{sidCostA: {mainA}, sidCostB: nil}},
			{name: "agent back to A", do: write(agent, ownSub(sidCostA, "x1")), hint: []string{filepath.Dir(agent)},
				changed: []string{sidCostA}, filed: map[string][]string{sidCostA: {mainA, agent}}},
			{name: "agent deleted", do: remove(agent), hint: []string{agent},
				changed: []string{sidCostA}, filed: map[string][]string{sidCostA: {mainA}}},
		},
	}, {
		name: "subagent whose parent transcript appears later, then goes",
		steps: []step{
			{name: "subagent alone", do: write(subS, ownSub(sidCostS, "s1")),
				changed: []string{sidCostS}, filed: map[string][]string{sidCostS: {subS}}},
			{name: "parent appears", do: write(mainS, ownMain(sidCostS, "m1")), hint: []string{filepath.Dir(mainS)},
				changed: []string{sidCostS}, filed: map[string][]string{sidCostS: {mainS, subS}}},
			{name: "parent deleted", do: remove(mainS), hint: []string{mainS},
				changed: []string{sidCostS}, filed: map[string][]string{sidCostS: {subS}}},
			{name: "subagent deleted", do: remove(subS), hint: []string{filepath.Dir(subS)},
				removed: []string{sidCostS}, filed: map[string][]string{sidCostS: nil}},
		},
	}, {
		name: "agent file moves away from a session whose response it replayed",
		steps: []step{
			{name: "main and a replaying agent", do: func(t *testing.T, root string, mt time.Time) {
				replace(t, root, mainA, ownMain(sidCostA, "a1"), mt)
				replace(t, root, agent, ownSub(sidCostA, "a1"), mt)
			}, changed: []string{sidCostA}, filed: map[string][]string{sidCostA: {mainA, agent}}},
			{name: "agent rewritten for B, same response", do: write(agent, ownSub(sidCostB, "a1")), hint: []string{agent},
				changed: []string{sidCostA, sidCostB}, filed: map[string][]string{sidCostA: {mainA}, sidCostB: {agent}}},
			{name: "main deleted: B bills it now", do: remove(mainA), hint: []string{mainA},
				changed: []string{sidCostB}, removed: []string{sidCostA}, filed: map[string][]string{sidCostA: nil, sidCostB: {agent}}},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			src := New(Options{Roots: []string{root}, Now: clock(ownNow)})
			for i, st := range tc.steps {
				st.do(t, root, old.Add(time.Duration(i)*time.Second))
				var changed []shared.Session
				var removed []string
				var err error
				if st.hint == nil {
					changed, err = src.Scan(t.Context())
				} else {
					var hints []string
					for _, h := range st.hint {
						hints = append(hints, filepath.Join(root, filepath.FromSlash(h)))
					}
					changed, removed, err = src.Update(t.Context(), hints)
				}
				if err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				if got, want := ids(changed), slices.Sorted(slices.Values(st.changed)); !slices.Equal(got, want) {
					t.Errorf("%s: changed %v, want %v", st.name, got, want)
				}
				if got, want := slices.Sorted(slices.Values(removed)), slices.Sorted(slices.Values(st.removed)); !slices.Equal(got, want) {
					t.Errorf("%s: removed %v, want %v", st.name, got, want)
				}
				for sid, want := range st.filed {
					if got := filedUnder(src, root, sid); !slices.Equal(got, want) {
						t.Errorf("%s: filed under %s: %q, want %q", st.name, sid, got, want)
					}
				}
				if err := checkSource(src); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				_, fresh := scan(t, root, ownNow)
				if got := src.Sessions(); !slices.Equal(got, fresh) {
					t.Errorf("%s: in memory\n %+v\nfresh read\n %+v", st.name, got, fresh)
				}
			}
		})
	}
}

// TestSourceRandomChanges writes, appends to, empties and deletes main,
// subagent and legacy agent transcripts at random (their records naming
// random sessions and replaying each other's responses), hints each
// change as a watcher would (the file, its folder, the root) or scans,
// and checks after every step the invariants, and that a client that
// applied every Scan, changed and removed holds what a fresh read of the
// tree gives.
func TestSourceRandomChanges(t *testing.T) {
	sids := []string{sidCostA, sidCostB, sidCostS}
	rels := []string{
		projectRel(ownProj, sidCostA+".jsonl"),
		projectRel(ownProj, sidCostB+".jsonl"),
		projectRel("/home/dev/other", sidCostA+".jsonl"), // the same session in a second project folder
		projectRel(ownProj, sidCostA+"/subagents/agent-1.jsonl"),
		projectRel(ownProj, sidCostS+"/subagents/agent-1.jsonl"),
		projectRel(ownProj, "agent-1.jsonl"),
		projectRel("/home/dev/other", "agent-2.jsonl"),
	}
	seeds, steps := 12, 40
	if testing.Short() {
		seeds = 3
	}
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
		root := t.TempDir()
		src := New(Options{Roots: []string{root}, Now: clock(ownNow)})
		client := map[string]shared.Session{}
		var log []string
		line := func(rel string, sub bool, n int) string {
			sid := sids[rng.IntN(len(sids))]
			if k, _ := classify(root, filepath.Join(root, rel)); k != kindAgent && rng.IntN(4) > 0 {
				sid = sessionOf(filepath.Join(root, rel), k) // mostly their own session; sometimes a copy's
			}
			ts := fmt.Sprintf("2026-03-02T09:%02d:%02dZ", rng.IntN(3), n%60)
			l := assistantLine(sid, ts, fmt.Sprintf("r%d", rng.IntN(5)), sonnet45, ownUse)
			if rng.IntN(3) == 0 {
				l = userLine(sid, ts, "next step")
			}
			if sub {
				l = sidechain(l)
			}
			return l
		}
		for step := range steps {
			rel := rels[rng.IntN(len(rels))]
			path := filepath.Join(root, filepath.FromSlash(rel))
			k, _ := classify(root, path)
			sub := k != kindMain
			mt := old.Add(time.Duration(step+1) * time.Second)
			_, statErr := os.Stat(path)
			exists := statErr == nil
			switch op := rng.IntN(8); {
			case op < 3 || !exists:
				var content string
				for n := range 1 + rng.IntN(3) {
					content += line(rel, sub, n)
				}
				replace(t, root, rel, content, mt)
				log = append(log, "write "+rel)
			case op < 5:
				f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				_, err = f.WriteString(line(rel, sub, 10+step))
				if e := f.Close(); err == nil {
					err = e
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(path, mt, mt); err != nil {
					t.Fatal(err)
				}
				log = append(log, "append "+rel)
			case op < 6:
				if err := os.Truncate(path, 0); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(path, mt, mt); err != nil {
					t.Fatal(err)
				}
				log = append(log, "empty "+rel)
			default:
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				log = append(log, "delete "+rel)
			}
			var hint string
			switch rng.IntN(4) {
			case 0:
				hint = path
			case 1:
				hint = filepath.Dir(path)
			case 2:
				hint = root
			}
			if hint == "" {
				out, err := src.Scan(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				clear(client)
				maps.Insert(client, maps.All(byID(out)))
				log = append(log, "  scan")
			} else {
				changed, removed, err := src.Update(t.Context(), []string{hint})
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range changed {
					client[s.ID] = s
				}
				for _, id := range removed {
					delete(client, id)
				}
				rh, _ := filepath.Rel(root, hint)
				log = append(log, "  update "+rh)
			}
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("seed %d step %d: %s\nafter:\n%s", seed, step, fmt.Sprintf(format, args...), strings.Join(log, "\n"))
			}
			if err := checkSource(src); err != nil {
				fail("%v", err)
			}
			_, fresh := scan(t, root, ownNow)
			if got := src.Sessions(); !slices.Equal(got, fresh) {
				fail("in memory\n %+v\nfresh read\n %+v", got, fresh)
			}
			if want := byID(fresh); !maps.Equal(client, want) {
				fail("client\n %+v\nfresh read\n %+v", client, want)
			}
		}
	}
}
