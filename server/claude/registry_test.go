package claude

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// checkRegistry verifies what the registry promises: every file is at
// its own path; a file with a session id is in exactly one bucket, the
// one its kind and id name, and a file without one in none; buckets hold
// only registered files and are never empty; the sorted views are what
// they claim.
func checkRegistry(r *registry) error {
	var errs []error
	seen := map[*file]int{}
	for _, b := range []struct {
		name string
		b    bucket
		main bool
	}{{"mains", r.mains, true}, {"subs", r.subs, false}} {
		for sid := range b.b.more {
			if _, ok := b.b.first[sid]; !ok {
				errs = append(errs, fmt.Errorf("%s[%q] has more files but no first", b.name, sid))
			}
		}
		for sid, first := range b.b.first {
			files := b.b.of(sid, new([1]*file))
			if more, ok := b.b.more[sid]; ok && len(more) < 2 {
				errs = append(errs, fmt.Errorf("%s[%q] lists %d files as more", b.name, sid, len(more)))
			}
			if len(files) == 0 || files[0] != first {
				errs = append(errs, fmt.Errorf("%s[%q]: first is not the first by path", b.name, sid))
			}
			if !slices.IsSortedFunc(files, byPath) {
				errs = append(errs, fmt.Errorf("%s[%q] is not in path order: %q", b.name, sid, filePaths(files)))
			}
			for _, f := range files {
				seen[f]++
				path := f.path
				switch {
				case !r.has(f):
					errs = append(errs, fmt.Errorf("%s[%q] holds %q, not registered", b.name, sid, path))
				case f.sid != sid:
					errs = append(errs, fmt.Errorf("%s[%q] holds %q of session %q", b.name, sid, path, f.sid))
				case (f.kind == kindMain) != b.main:
					errs = append(errs, fmt.Errorf("%s[%q] holds %q of the wrong kind", b.name, sid, path))
				}
			}
		}
	}
	for path, f := range r.files {
		want := 1
		if f.sid == "" {
			want = 0
		}
		if f.path != path {
			errs = append(errs, fmt.Errorf("files[%q] holds %q", path, f.path))
		}
		if seen[f] != want {
			errs = append(errs, fmt.Errorf("%q (session %q) is in %d buckets, want %d", path, f.sid, seen[f], want))
		}
	}
	paths := slices.Sorted(maps.Keys(r.files))
	var got []string
	for _, f := range r.sorted() {
		got = append(got, f.path)
	}
	if !slices.Equal(got, paths) {
		errs = append(errs, fmt.Errorf("sorted() = %q, want %q", got, paths))
	}
	ids := slices.Sorted(maps.Keys(r.mains.first))
	for sid := range r.subs.first {
		if r.mains.first[sid] == nil {
			ids = append(ids, sid)
		}
	}
	slices.Sort(ids)
	if got := slices.Sorted(r.sessions()); !slices.Equal(got, ids) {
		errs = append(errs, fmt.Errorf("sessions() = %q, want %q", got, ids))
	}
	return errors.Join(errs...)
}

// regFile makes an unregistered file as the Source would meet it.
func regFile(path string, k kind) *file { return newFile(path, k) }

const (
	regSidA = "aaaaaaaa-0000-4000-8000-00000000000a"
	regSidB = "bbbbbbbb-0000-4000-8000-00000000000b"
	regProj = "/r/projects/-home-dev-app/"
)

// TestRegistry runs sequences of add, move and forget and checks, after
// each step, the invariants and where every file is filed.
func TestRegistry(t *testing.T) {
	mainA := regProj + regSidA + ".jsonl"
	subA := regProj + regSidA + "/subagents/agent-1.jsonl"
	legacy := regProj + "agent-0f0f.jsonl"
	type step struct {
		op   string // add, move, forget, readd (a new *file at a known path), stale (forget the replaced one)
		path string
		kind kind
		sid  string // for move
		ok   bool   // add's and forget's result
	}
	tests := []struct {
		name  string
		steps []step
		// after the last step: each session's main and subagent paths
		mains, subs map[string][]string
		sessions    []string
	}{{
		name: "main then its subagent",
		steps: []step{
			{op: "add", path: mainA, kind: kindMain, ok: true},
			{op: "add", path: subA, kind: kindSubagent, ok: true},
		},
		mains:    map[string][]string{regSidA: {mainA}},
		subs:     map[string][]string{regSidA: {subA}},
		sessions: []string{regSidA},
	}, {
		name: "subagent whose parent transcript appears later",
		steps: []step{
			{op: "add", path: subA, kind: kindSubagent, ok: true},
			{op: "add", path: mainA, kind: kindMain, ok: true},
		},
		mains:    map[string][]string{regSidA: {mainA}},
		subs:     map[string][]string{regSidA: {subA}},
		sessions: []string{regSidA},
	}, {
		name: "parent transcript deleted: the subagent keeps its session",
		steps: []step{
			{op: "add", path: mainA, kind: kindMain, ok: true},
			{op: "add", path: subA, kind: kindSubagent, ok: true},
			{op: "forget", path: mainA, ok: true},
		},
		subs:     map[string][]string{regSidA: {subA}},
		sessions: []string{regSidA},
	}, {
		name: "legacy agent file before its first record is in no session",
		steps: []step{
			{op: "add", path: legacy, kind: kindAgent, ok: true},
		},
	}, {
		name: "settle: the first record names the session the agent file's name does not",
		steps: []step{
			{op: "add", path: legacy, kind: kindAgent, ok: true},
			{op: "move", path: legacy, sid: regSidA},
		},
		subs:     map[string][]string{regSidA: {legacy}},
		sessions: []string{regSidA},
	}, {
		name: "agent file rewritten for another session moves, leaving nothing behind",
		steps: []step{
			{op: "add", path: mainA, kind: kindMain, ok: true},
			{op: "add", path: legacy, kind: kindAgent, ok: true},
			{op: "move", path: legacy, sid: regSidA},
			{op: "move", path: legacy, sid: regSidB},
		},
		mains:    map[string][]string{regSidA: {mainA}},
		subs:     map[string][]string{regSidB: {legacy}},
		sessions: []string{regSidA, regSidB},
	}, {
		name: "agent file reset to empty leaves its session",
		steps: []step{
			{op: "add", path: legacy, kind: kindAgent, ok: true},
			{op: "move", path: legacy, sid: regSidA},
			{op: "move", path: legacy, sid: ""},
		},
	}, {
		name: "forget after a move removes the entry under the new session",
		steps: []step{
			{op: "add", path: legacy, kind: kindAgent, ok: true},
			{op: "move", path: legacy, sid: regSidA},
			{op: "forget", path: legacy, ok: true},
		},
	}, {
		name: "a second add at a path keeps the first file",
		steps: []step{
			{op: "add", path: mainA, kind: kindMain, ok: true},
			{op: "add", path: mainA, kind: kindMain, ok: false},
		},
		mains:    map[string][]string{regSidA: {mainA}},
		sessions: []string{regSidA},
	}, {
		name: "forgetting a replaced file leaves its successor",
		steps: []step{
			{op: "add", path: mainA, kind: kindMain, ok: true},
			{op: "readd", path: mainA, kind: kindMain},
			{op: "stale", path: mainA, ok: false},
		},
		mains:    map[string][]string{regSidA: {mainA}},
		sessions: []string{regSidA},
	}, {
		name: "forgetting twice",
		steps: []step{
			{op: "add", path: subA, kind: kindSubagent, ok: true},
			{op: "forget", path: subA, ok: true},
			{op: "forget", path: subA, ok: false},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRegistry()
			known := map[string]*file{} // the last *file made for each path
			var stale *file
			for i, st := range tc.steps {
				switch st.op {
				case "add":
					f := regFile(st.path, st.kind)
					if got := r.add(f); got != st.ok {
						t.Fatalf("step %d: add %s = %v, want %v", i, st.path, got, st.ok)
					}
					if st.ok {
						known[st.path] = f
					}
				case "readd":
					stale = known[st.path]
					r.forget(stale)
					f := regFile(st.path, st.kind)
					r.add(f)
					known[st.path] = f
				case "stale":
					if got := r.forget(stale); got != st.ok {
						t.Fatalf("step %d: forget of the replaced file = %v", i, got)
					}
				case "move":
					f := known[st.path]
					from := f.sid
					if got := r.move(f, st.sid); got != from || f.sid != st.sid {
						t.Fatalf("step %d: move to %q = %q, sid %q; want %q, %q", i, st.sid, got, f.sid, from, st.sid)
					}
				case "forget":
					if got := r.forget(known[st.path]); got != st.ok {
						t.Fatalf("step %d: forget %s = %v, want %v", i, st.path, got, st.ok)
					}
				}
				if err := checkRegistry(r); err != nil {
					t.Fatalf("step %d (%s %s): %v", i, st.op, st.path, err)
				}
			}
			for sid, want := range tc.mains {
				if got := filePaths(r.mainsOf(sid, new([1]*file))); !slices.Equal(got, want) {
					t.Errorf("mains of %s = %q, want %q", sid, got, want)
				}
			}
			for sid, want := range tc.subs {
				if got := filePaths(r.subsOf(sid, new([1]*file))); !slices.Equal(got, want) {
					t.Errorf("subagents of %s = %q, want %q", sid, got, want)
				}
			}
			if len(r.mains.first) != len(tc.mains) || len(r.subs.first) != len(tc.subs) {
				t.Errorf("buckets: %d mains, %d subs; want %d, %d", len(r.mains.first), len(r.subs.first), len(tc.mains), len(tc.subs))
			}
			if got := slices.Sorted(r.sessions()); !slices.Equal(got, tc.sessions) {
				t.Errorf("sessions = %q, want %q", got, tc.sessions)
			}
		})
	}
}

// TestRegistryMatching: the files a predicate keeps, in path order, in a
// slice the caller may range over while forgetting them.
func TestRegistryMatching(t *testing.T) {
	r := newRegistry()
	mainA := "/r/projects/p/" + regSidA + ".jsonl"
	sub1 := "/r/projects/p/" + regSidA + "/subagents/agent-1.jsonl"
	sub2 := "/r/projects/p/" + regSidA + "/subagents/agent-2.jsonl"
	other := "/r/projects/p-other/" + regSidB + ".jsonl"
	o := "/r/projects/o/" + regSidB + ".jsonl"
	for _, p := range []string{sub2, other, mainA, o, sub1} {
		k, _ := classify("/r", p)
		r.add(regFile(p, k))
	}
	tests := []struct {
		name string
		keep func(*file) bool
		want []string
	}{
		{"all", func(*file) bool { return true }, []string{o, other, mainA, sub1, sub2}},
		{"subagents", func(f *file) bool { return f.kind == kindSubagent }, []string{sub1, sub2}},
		{"a folder, not its sibling", func(f *file) bool { return strings.HasPrefix(f.path, "/r/projects/p/") }, []string{mainA, sub1, sub2}},
		{"none", func(*file) bool { return false }, nil},
	}
	for _, tc := range tests {
		var got []string
		for _, f := range r.matching(tc.keep) {
			got = append(got, f.path)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := r.paths(); !slices.Equal(got, tests[0].want) {
		t.Errorf("sorted: %q", got)
	}
	inP := func(f *file) bool { return strings.HasPrefix(f.path, "/r/projects/p/") }
	snap := r.matching(inP)
	for _, f := range snap {
		r.forget(f)
	}
	if len(snap) != 3 || r.len() != 2 || len(r.matching(inP)) != 0 {
		t.Errorf("forgetting while ranging: %d matched, %d left", len(snap), r.len())
	}
	if err := checkRegistry(r); err != nil {
		t.Error(err)
	}
}

// paths lists the registered paths in order, for tests.
func (r *registry) paths() []string {
	var out []string
	for _, f := range r.sorted() {
		out = append(out, f.path)
	}
	return out
}

// TestRegistryRandom applies random sequences of add, move and forget
// (of registered files, replaced ones and ones never added) and checks
// after each operation the invariants and that the registry agrees with
// a plain model of which file is at each path under which session.
func TestRegistryRandom(t *testing.T) {
	paths := []string{
		regProj + regSidA + ".jsonl", regProj + regSidB + ".jsonl",
		"/r2/projects/-x/" + regSidA + ".jsonl", // a copy under a second root
		regProj + regSidA + "/subagents/agent-1.jsonl", regProj + regSidB + "/subagents/agent-1.jsonl",
		regProj + "agent-1.jsonl", regProj + "agent-2.jsonl",
	}
	sids := []string{"", regSidA, regSidB, "cccccccc-0000-4000-8000-00000000000c"}
	const seeds, ops = 200, 150
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		r := newRegistry()
		model := map[string]*file{} // path → the file that should be registered there
		var made []*file            // every file ever made, registered or not
		var log []string
		for op := range ops {
			switch n := rng.IntN(10); {
			case n < 4: // add a new file, perhaps at a taken path
				p := paths[rng.IntN(len(paths))]
				root := p[:strings.Index(p[1:], "/")+1]
				k, _ := classify(root, p)
				f := regFile(p, k)
				made = append(made, f)
				_, taken := model[p]
				if got := r.add(f); got == taken {
					t.Fatalf("seed %d op %d: add %s = %v with the path taken %v\n%s", seed, op, p, got, taken, strings.Join(log, "\n"))
				}
				if !taken {
					model[p] = f
				}
				log = append(log, "add "+p)
			case n < 7 && len(made) > 0: // move any file made, registered or not
				f := made[rng.IntN(len(made))]
				sid := sids[rng.IntN(len(sids))]
				r.move(f, sid)
				log = append(log, fmt.Sprintf("move %s %q", f.path, sid))
			case len(made) > 0: // forget any file made
				f := made[rng.IntN(len(made))]
				want := model[f.path] == f
				if got := r.forget(f); got != want {
					t.Fatalf("seed %d op %d: forget %s = %v, want %v", seed, op, f.path, got, want)
				}
				if want {
					delete(model, f.path)
				}
				log = append(log, "forget "+f.path)
			}
			if err := checkRegistry(r); err != nil {
				t.Fatalf("seed %d op %d: %v\nafter:\n%s", seed, op, err, strings.Join(log, "\n"))
			}
			if err := agrees(r, model); err != nil {
				t.Fatalf("seed %d op %d: %v\nafter:\n%s", seed, op, err, strings.Join(log, "\n"))
			}
		}
	}
}

// agrees compares the registry with the model: the same file at each
// path, and each under the session its sid names.
func agrees(r *registry, model map[string]*file) error {
	if r.len() != len(model) {
		return fmt.Errorf("%d files, model %d", r.len(), len(model))
	}
	for p, f := range model {
		if r.get(p) != f {
			return fmt.Errorf("%s: another file registered", p)
		}
		if f.sid == "" {
			continue
		}
		m := r.subsOf(f.sid, new([1]*file))
		if f.kind == kindMain {
			m = r.mainsOf(f.sid, new([1]*file))
		}
		if !slices.Contains(m, f) {
			return fmt.Errorf("%s not under its session %q", p, f.sid)
		}
	}
	return nil
}

// filePaths is the paths of files, in their order: a session's
// transcripts must come in path order.
func filePaths(files []*file) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.path)
	}
	return out
}
