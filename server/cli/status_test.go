package cli

import (
	"strings"
	"testing"

	"vibecraft.sh/helm/server/watch"
)

// helmd status names its build once, says how long it has run in words,
// and counts the roots it lists apart from the folders it watches under
// them (it said "Watching 8 folder(s):" above three roots).
func TestStatusWords(t *testing.T) {
	st := statusDoc{Version: "94cf729", Commit: "94cf729", UptimeSeconds: 8*60 + 15, Listen: "127.0.0.1:5003"}
	st.Watcher = watch.Status{WatchedDirs: 8, Roots: []watch.RootStatus{
		{Path: "/home/u/.claude/projects", Exists: true, Mode: "fsnotify"},
		{Path: "/home/u/.local/share/opencode/storage", Exists: true, Mode: "fsnotify"},
		{Path: "/home/u/.claude/sessions", Mode: "fsnotify"},
	}}
	var b strings.Builder
	if err := writeStatus(&b, st); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"helmd 94cf729 is running on 127.0.0.1:5003, up 8 min.\n",
		"Watching 3 roots (8 folders in all):\n",
		"  /home/u/.claude/sessions: missing: nothing there yet; with file events (fsnotify)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	st.Version, st.Commit = "v1.2.0", "94cf729"
	b.Reset()
	if err := writeStatus(&b, st); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "helmd v1.2.0 (commit 94cf729) is running") {
		t.Errorf("a release names its commit too:\n%s", b.String())
	}
}
