package watch

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWantDir(t *testing.T) {
	r := newRoot(Spec{
		Path:    "/data/projects",
		Depth:   2,
		SkipDir: func(rel string) bool { return filepath.Base(rel) == "tool-results" },
	})
	tests := []struct {
		path      string
		want      bool
		rel       string
		wantDepth int
	}{
		{"/data/projects", true, ".", 0},
		{"/data/projects/slug", true, "slug", 1},
		{"/data/projects/slug/sid", true, "slug/sid", 2},
		{"/data/projects/slug/sid/subagents", false, "slug/sid/subagents", 3},
		{"/data/projects/slug/tool-results", false, "slug/tool-results", 2},
		{"/data/projects-old", false, "", 0},
		{"/data", false, "", 0},
	}
	for _, tc := range tests {
		if got := r.wantDir(tc.path); got != tc.want {
			t.Errorf("wantDir(%s) = %v, want %v", tc.path, got, tc.want)
		}
		if tc.rel == "" {
			continue
		}
		if rel, depth := r.rel(tc.path); rel != tc.rel || depth != tc.wantDepth {
			t.Errorf("rel(%s) = %q, %d, want %q, %d", tc.path, rel, depth, tc.rel, tc.wantDepth)
		}
	}
}

func TestWithinAndChildToward(t *testing.T) {
	cases := []struct {
		base, p string
		want    bool
	}{
		{"/a", "/a", true},
		{"/a", "/a/b", true},
		{"/a", "/ab", false},
		{"/a/b", "/a", false},
		{"/", "/x", true},
	}
	for _, tc := range cases {
		if got := within(tc.base, tc.p); got != tc.want {
			t.Errorf("within(%s, %s) = %v, want %v", tc.base, tc.p, got, tc.want)
		}
	}
	child := []struct{ a, p, want string }{
		{"/home/u", "/home/u/.claude/projects", "/home/u/.claude"},
		{"/home/u/.claude", "/home/u/.claude/projects", "/home/u/.claude/projects"},
		{"/", "/x/y", "/x"},
	}
	for _, tc := range child {
		if got := childToward(tc.a, tc.p); got != tc.want {
			t.Errorf("childToward(%s, %s) = %s, want %s", tc.a, tc.p, got, tc.want)
		}
	}
}

// TestOverlappingSpecs shares folders between two roots: one holds dir,
// the other waits on dir for its missing sub folder. Watches are counted
// once and released only by their last holder.
func TestOverlappingSpecs(t *testing.T) {
	dir := t.TempDir()
	sub := join(dir, "sub")
	h := start(t, Options{Specs: []Spec{{Path: dir, Depth: 1}, {Path: sub}}})
	if st := h.w.Status(); st.WatchedDirs != 1 || !st.Roots[0].Exists || st.Roots[1].Exists {
		t.Fatalf("status = %+v, want dir watched once, sub missing", st)
	}
	for round := range 2 {
		mark := h.rec.mark()
		mkdir(t, sub)
		f := join(sub, "s.jsonl")
		write(t, f, "x\n")
		h.rec.waitPaths(t, mark, sub, f)
		h.waitStatus(t, "both roots present", func(st Status) bool {
			return st.WatchedDirs == 2 && st.Roots[1].Exists
		})
		mark = h.rec.mark()
		if err := os.RemoveAll(sub); err != nil {
			t.Fatal(err)
		}
		h.rec.waitPaths(t, mark, sub)
		h.waitStatus(t, "sub gone", func(st Status) bool {
			return st.WatchedDirs == 1 && !st.Roots[1].Exists && st.Roots[0].Exists
		})
		t.Logf("round %d done", round)
	}
}

// TestWalkTreeLinksOnly: the walk a refresh makes to look for links
// (linksOnly) still enters every folder, a linked one too, and hands
// over the links alone, never a plain file (for which it would make a
// path, 100,000 of them at 100,000 sessions, for nothing).
func TestWalkTreeLinksOnly(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	for _, d := range []string{join(dir, "sub"), join(elsewhere, "d")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, join(dir, "a.jsonl"), "x\n")
	write(t, join(dir, "sub", "b.jsonl"), "x\n")
	write(t, join(elsewhere, "t.jsonl"), "x\n")
	write(t, join(elsewhere, "d", "c.jsonl"), "x\n")
	for link, target := range map[string]string{
		join(dir, "sub", "l.jsonl"): join(elsewhere, "t.jsonl"),
		join(dir, "ld"):             join(elsewhere, "d"),
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	r := newRoot(Spec{Path: dir, Depth: 2})
	for _, tc := range []struct {
		linksOnly bool
		want      []string
	}{
		{false, []string{join(dir, "a.jsonl"), join(dir, "ld", "c.jsonl"), join(dir, "sub", "b.jsonl"), join(dir, "sub", "l.jsonl")}},
		{true, []string{join(dir, "sub", "l.jsonl")}},
	} {
		var dirs, files []string
		enter := func(d string) (bool, error) { dirs = append(dirs, d); return true, nil }
		file := func(p string, typ fs.FileMode) {
			files = append(files, p)
			if link := p == join(dir, "sub", "l.jsonl"); link != (typ&fs.ModeSymlink != 0) {
				t.Errorf("%s: type %v", p, typ)
			}
		}
		if err := walkTree(r, dir, enter, file, tc.linksOnly); err != nil {
			t.Fatal(err)
		}
		slices.Sort(dirs)
		slices.Sort(files)
		if want := []string{dir, join(dir, "ld"), join(dir, "sub")}; !slices.Equal(dirs, want) {
			t.Errorf("linksOnly %v: entered %q, want %q", tc.linksOnly, dirs, want)
		}
		if !slices.Equal(files, tc.want) {
			t.Errorf("linksOnly %v: files %q, want %q", tc.linksOnly, files, tc.want)
		}
	}
}
