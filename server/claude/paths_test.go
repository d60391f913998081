package claude

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"

	"vibecraft.sh/helm/server/internal/dirent"
)

func TestClassify(t *testing.T) {
	root := filepath.FromSlash("/home/u/.claude")
	tests := []struct {
		rel  string
		want kind
	}{
		{"", kindRoot},
		{"projects", kindProjects},
		{"projects/-home-u-app", kindProject},
		{"projects/-home-u-app/3f2c.jsonl", kindMain},
		{"projects/-home-u-app/agent-a1.jsonl", kindAgent},
		{"projects/-home-u-app/3f2c", kindSessionDir},
		{"projects/-home-u-app/3f2c/subagents", kindSubagentsDir},
		{"projects/-home-u-app/3f2c/subagents/agent-a1.jsonl", kindSubagent},
		{"projects/-home-u-app/3f2c/subagents/agent-a1.meta.json", kindIgnore},
		// A Workflow run's agents, one folder down.
		{"projects/-home-u-app/3f2c/subagents/workflows", kindWorkflowsDir},
		{"projects/-home-u-app/3f2c/subagents/workflows/wf-1", kindWorkflowDir},
		{"projects/-home-u-app/3f2c/subagents/workflows/wf-1/agent-a2.jsonl", kindSubagent},
		{"projects/-home-u-app/3f2c/subagents/workflows/wf-1/agent-a2.meta.json", kindIgnore},
		{"projects/-home-u-app/3f2c/subagents/workflows/wf-1/journal.jsonl", kindIgnore},
		{"projects/-home-u-app/3f2c/subagents/workflows/run.json", kindIgnore},
		{"projects/-home-u-app/3f2c/subagents/workflows/wf-1/deeper/agent-a3.jsonl", kindIgnore},
		{"projects/-home-u-app/3f2c/subagents/other/agent-a3.jsonl", kindIgnore},
		{"projects/-home-u-app/3f2c/tool-results/x.txt", kindIgnore},
		{"projects/-home-u-app/3f2c/tool-results", kindIgnore},
		{"projects/-home-u-app/sessions-index.json", kindIgnore},
		{"sessions", kindPIDDir},
		{"sessions/123.json", kindPIDFile},
		{"sessions/123.json.tmp", kindIgnore},
		{"history.jsonl", kindIgnore},
		{"todos", kindIgnore},
	}
	for _, tc := range tests {
		path := root
		if tc.rel != "" {
			path = filepath.Join(root, filepath.FromSlash(tc.rel))
		}
		if got, ok := classify(root, path); got != tc.want || !ok {
			t.Errorf("classify(%s) = %v, %v; want %v", tc.rel, got, ok, tc.want)
		}
	}
	// The session of a subagent, one level or three below its folder.
	for rel, want := range map[string]string{
		"projects/-home-u-app/3f2c0000-0000-4000-8000-000000000001/subagents/agent-a1.jsonl":                  "3f2c0000-0000-4000-8000-000000000001",
		"projects/-home-u-app/3f2c0000-0000-4000-8000-000000000001/subagents/workflows/w/agent-a2.jsonl":      "3f2c0000-0000-4000-8000-000000000001",
		"projects/-home-u-app/3f2c0000-0000-4000-8000-000000000001/subagents/workflows/workflows/agent.jsonl": "",
	} {
		path := filepath.Join(root, filepath.FromSlash(rel))
		k, _ := classify(root, path)
		if got := sessionOf(path, k); k == kindSubagent && got != want || k != kindSubagent && want != "" {
			t.Errorf("sessionOf(%s) = %q (%v), want %q", rel, got, k, want)
		}
	}
	if _, ok := classify(root, root+"2/projects"); ok {
		t.Error("a sibling folder with the root as prefix is under the root")
	}
}

func TestWatchSpecs(t *testing.T) {
	src := New(Options{Roots: []string{"/a", "/b/"}})
	specs := src.WatchSpecs()
	var got []string
	for _, s := range specs {
		got = append(got, filepath.ToSlash(s.Path)+"@"+string(rune('0'+s.Depth)))
	}
	want := []string{"/a@0", "/a/projects@5", "/a/sessions@0", "/b@0", "/b/projects@5", "/b/sessions@0"}
	if !slices.Equal(got, want) {
		t.Fatalf("specs = %v, want %v", got, want)
	}
	skip := specs[1].SkipDir
	for rel, want := range map[string]bool{
		"-home-u-app":                                   false,
		"-home-u-app/3f2c":                              false,
		"-home-u-app/3f2c/subagents":                    false,
		"-home-u-app/3f2c/tool-results":                 true,
		"-home-u-app/3f2c/session-memory":               true,
		"-home-u-app/tool-results":                      true,
		"-home-u-app/3f2c/subagents/deep":               true,
		"-home-u-app/3f2c/subagents/workflows":          false,
		"-home-u-app/3f2c/subagents/workflows/wf-1":     false,
		"-home-u-app/3f2c/subagents/workflows/wf-1/sub": true,
		"-home-u-app/some.dir":                          true,
	} {
		if skip(rel) != want {
			t.Errorf("SkipDir(%s) = %v, want %v", rel, !want, want)
		}
	}
	if specs[1].IgnoreFile("/a/projects/x/s.jsonl") || !specs[1].IgnoreFile("/a/projects/x/sessions-index.json") {
		t.Error("projects IgnoreFile must keep .jsonl only")
	}
	if specs[2].IgnoreFile("/a/sessions/1.json") || !specs[2].IgnoreFile("/a/sessions/1.json.tmp") {
		t.Error("sessions IgnoreFile must keep .json only")
	}
	if specs[0].IgnoreFile("/a/projects") || !specs[0].IgnoreFile("/a/history.jsonl") {
		t.Error("root IgnoreFile must keep projects and sessions only")
	}
}

func TestDefaultRoots(t *testing.T) {
	home := t.TempDir()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name     string
		env      map[string]string
		xdgProjs bool
		want     []string
	}{
		{"default", nil, false, []string{filepath.Join(home, ".claude")}},
		{"default plus ~/.config/claude with projects", nil, true, []string{filepath.Join(home, ".claude"), filepath.Join(home, ".config", "claude")}},
		{"CLAUDE_CONFIG_DIR", map[string]string{"CLAUDE_CONFIG_DIR": "/opt/claude"}, false, []string{"/opt/claude"}},
		{"comma-separated, ~, duplicates", map[string]string{"CLAUDE_CONFIG_DIR": " /opt/a , ~/b,/opt/a/,"}, true,
			[]string{"/opt/a", filepath.Join(home, "b"), filepath.Join(home, ".config", "claude")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			xdg := filepath.Join(home, ".config", "claude", "projects")
			os.RemoveAll(filepath.Join(home, ".config"))
			if tc.xdgProjs {
				if err := os.MkdirAll(xdg, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if got := DefaultRoots(env(tc.env), home); !slices.Equal(got, tc.want) {
				t.Errorf("DefaultRoots = %v, want %v", got, tc.want)
			}
		})
	}
}

// A folder's paths are built in one allocation; each must still be
// exactly what filepath.Join makes, for the walk's own clean folders, for
// a folder given with a trailing separator or a dot, and for the root.
func TestJoinAllIsFilepathJoin(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.jsonl", "b.jsonl", "notes.txt", "ü ñ.jsonl"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "c.jsonl"), 0o700); err != nil {
		t.Fatal(err)
	}
	isFile := func(_ int, e dirent.Entry) bool { return !e.IsDir() && filepath.Ext(e.Name) == ".jsonl" }
	var l dirent.Lister
	for _, d := range []string{dir, dir + string(filepath.Separator), filepath.Join(dir, ".") + string(filepath.Separator) + ".", string(filepath.Separator)} {
		entries, err := l.List(d, nil)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range entries {
			if isFile(0, e) {
				want = append(want, filepath.Join(d, e.Name))
			}
		}
		if got := joinAll(d, entries, isFile); !slices.Equal(got, want) {
			t.Errorf("joinAll(%q) = %q, want %q", d, got, want)
		}
	}
	if got := joinAll(dir, nil, isFile); got != nil {
		t.Errorf("no entries: %q", got)
	}
}

// TestRescanReusesFollowedPaths checks what a rescan (a refresh) walks:
// the files the source already follows come back as those files, under
// their own path strings (a refresh of an unchanged tree builds no path
// and no os.FileInfo per file), a new file as a new path, and a file
// deleted after a first rescan is still forgotten by the next one (the
// mark a walk leaves is cleared for the next).
func TestRescanReusesFollowedPaths(t *testing.T) {
	const now = "2026-03-02T12:20:00Z"
	root := t.TempDir()
	a := install(t, root, projectRel("/home/dev/a", "aaaaaaaa-1111-4111-8111-000000000001.jsonl"), "basic.jsonl")
	b := install(t, root, projectRel("/home/dev/a", "bbbbbbbb-1111-4111-8111-000000000002.jsonl"), "basic.jsonl")
	sub := install(t, root, projectRel("/home/dev/a", "aaaaaaaa-1111-4111-8111-000000000001/subagents/agent-x.jsonl"), "sub-new.jsonl")
	src, _ := scan(t, root, now)

	c := install(t, root, projectRel("/home/dev/a", "cccccccc-1111-4111-8111-000000000003.jsonl"), "basic.jsonl")
	list := walk(root, kindRoot, nil, src.reg, nil)
	if len(list) != 4 {
		t.Fatalf("walk found %d files, want 4: %+v", len(list), list)
	}
	for _, fd := range list {
		f := src.reg.get(fd.path)
		switch {
		case fd.path == c && fd.f != nil:
			t.Errorf("%s is new, but came as a followed file", fd.path)
		case fd.path == c:
		case f == nil || fd.f != f:
			t.Errorf("%s: walk gave file %p, the source follows %p", fd.path, fd.f, f)
		case unsafe.StringData(fd.path) != unsafe.StringData(f.path):
			t.Errorf("%s: the walk built its path again", fd.path)
		}
		if want, err := os.Stat(fd.path); err != nil || fd.st.size != want.Size() || fd.st.mtimeNs != want.ModTime().UnixNano() {
			t.Errorf("%s: stat %+v, want %v %v", fd.path, fd.st, want.Size(), want.ModTime())
		}
	}

	for _, step := range []struct {
		remove string
		want   []string
	}{
		{"", []string{a, b, c, sub}},
		{b, []string{a, c, sub}},
		{sub, []string{a, c}},
	} {
		if step.remove != "" {
			if err := os.Remove(step.remove); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := src.Scan(t.Context()); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range src.reg.matching(func(*file) bool { return true }) {
			got = append(got, f.path)
		}
		slices.Sort(got)
		slices.Sort(step.want)
		if !slices.Equal(got, step.want) {
			t.Errorf("after removing %q the source follows %q, want %q", step.remove, got, step.want)
		}
	}
}
