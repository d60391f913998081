package watch

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestRootMovedAndRecreated takes the root away while it is watched (the
// root or its parent renamed or deleted), checks that Status says it is
// missing at once, then makes a new tree at the same path: a transcript
// there is reported, writes into the old, renamed tree are not, neither
// under their own name nor under the root's.
func TestRootMovedAndRecreated(t *testing.T) {
	const slow = time.Hour // no tick: only events can tell
	// Without a guard (not Linux), a move above the root is found on the tick.
	above := slow
	if !guardsSupported {
		above = fastPoll
	}
	tests := []struct {
		name     string
		interval time.Duration
		away     func(t *testing.T, home string) (old string) // returns where the old root is now, or ""
		// writeOld writes into the old tree before the new one is made:
		// the first event from it is what reveals the move.
		writeOld bool
	}{
		{"root renamed", slow, func(t *testing.T, home string) string {
			rename(t, join(home, ".claude", "projects"), join(home, ".claude", "projects.old"))
			return join(home, ".claude", "projects.old")
		}, false},
		{"parent renamed, seen by an event from the old tree", slow, func(t *testing.T, home string) string {
			rename(t, join(home, ".claude"), join(home, ".claude.old"))
			return join(home, ".claude.old", "projects")
		}, true},
		{"parent renamed, nothing written", above, func(t *testing.T, home string) string {
			rename(t, join(home, ".claude"), join(home, ".claude.old"))
			return join(home, ".claude.old", "projects")
		}, false},
		{"grandparent renamed, nothing written", above, func(t *testing.T, home string) string {
			old := home + ".old"
			rename(t, home, old)
			t.Cleanup(func() { removeAll(t, old) })
			return join(old, ".claude", "projects")
		}, false},
		{"parent replaced by another folder", above, func(t *testing.T, home string) string {
			mkdir(t, join(home, ".claude.new"))
			rename(t, join(home, ".claude"), join(home, ".claude.old"))
			rename(t, join(home, ".claude.new"), join(home, ".claude"))
			return join(home, ".claude.old", "projects")
		}, false},
		{"root deleted", slow, func(t *testing.T, home string) string {
			removeAll(t, join(home, ".claude", "projects"))
			return ""
		}, false},
		{"parent deleted", slow, func(t *testing.T, home string) string {
			removeAll(t, join(home, ".claude"))
			return ""
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			rootDir := join(home, ".claude", "projects")
			mkdir(t, join(rootDir, "slug"))
			write(t, join(rootDir, "slug", "a.jsonl"), "x\n")
			h := start(t, Options{Specs: []Spec{{Path: rootDir, Depth: 2}}, PollInterval: tc.interval})
			if r := h.w.Status().Roots[0]; !r.Exists || r.Mode != "fsnotify" {
				t.Fatalf("root status = %+v, want existing, fsnotify", r)
			}

			mark := h.rec.mark()
			old := tc.away(t, home)
			// Checked at call time: no waiting for the watcher to notice.
			if r := h.w.Status().Roots[0]; r.Exists {
				t.Fatalf("root status = %+v right after it went away, want not existing", r)
			}
			if tc.writeOld {
				appendTo(t, join(old, "slug", "a.jsonl"), "y\n")
				h.rec.waitPaths(t, mark, rootDir) // the move is noticed
			}

			mkdir(t, join(rootDir, "x"))
			f := join(rootDir, "x", "s.jsonl")
			write(t, f, "x\n")
			h.rec.waitPaths(t, mark, rootDir, f)
			// At least once: when the deletion's events are read after the
			// new tree was made, the old inode's last events can count a
			// second vanish before the new root is found (seen under load).
			st := h.waitStatus(t, "root watched again", func(st Status) bool {
				return st.Roots[0].Vanished >= 1 && st.WatchedDirs == 2
			})
			if r := st.Roots[0]; !r.Exists || r.Mode != "fsnotify" {
				t.Errorf("root status = %+v, want existing, fsnotify", r)
			}

			// The events the old tree queued before the new one was made
			// are all handled once a write made now is reported (inotify
			// delivers in order): a deleted tree's last removals, named by
			// the same paths, may come in a batch of their own after the
			// new tree was found (seen under load), and are no news of it.
			caughtUp := h.rec.mark()
			appendTo(t, f, "w\n")
			h.rec.waitPaths(t, caughtUp, f)

			// The new tree is really watched; the old one is not. A file
			// in the new tree is the sentinel: inotify delivers in order,
			// so once it is reported the old tree's writes were handled.
			mark2 := h.rec.mark()
			if old != "" {
				appendTo(t, join(old, "slug", "a.jsonl"), "z\n")
				mkdir(t, join(old, "slug2"))
				write(t, join(old, "slug2", "b.jsonl"), "x\n")
			}
			appendTo(t, f, "y\n")
			h.rec.waitPaths(t, mark2, f)
			// A deleted tree's paths are reported as removed; a renamed
			// tree's paths never are, under the root's name or their own.
			from := mark2
			if old != "" {
				from = mark
			}
			for _, b := range h.rec.since(from) {
				for _, p := range b {
					if within(join(rootDir, "slug"), p) || within(join(rootDir, "slug2"), p) ||
						(old != "" && within(old, p)) {
						t.Errorf("reported %s, from the old tree", p)
					}
				}
			}
		})
	}
}

// TestRootReplacedByFile: a file where the root was is not a root; the
// watcher waits until a folder is there again.
func TestRootReplacedByFile(t *testing.T) {
	home := t.TempDir()
	rootDir := join(home, "projects")
	mkdir(t, rootDir)
	h := start(t, Options{Specs: []Spec{{Path: rootDir, Depth: 1}}, PollInterval: fastPoll})
	mark := h.rec.mark()
	removeAll(t, rootDir)
	write(t, rootDir, "not a folder\n")
	h.rec.waitPaths(t, mark, rootDir)
	h.waitStatus(t, "root waited for", func(st Status) bool { return st.Roots[0].Vanished == 1 })
	if r := h.w.Status().Roots[0]; r.Exists {
		t.Errorf("root status = %+v with a file at its path, want not existing", r)
	}
	mark = h.rec.mark()
	removeAll(t, rootDir)
	mkdir(t, join(rootDir, "slug"))
	f := join(rootDir, "slug", "s.jsonl")
	write(t, f, "x\n")
	h.rec.waitPaths(t, mark, rootDir, f)
	if r := h.w.Status().Roots[0]; !r.Exists || r.Mode != "fsnotify" {
		t.Errorf("root status = %+v, want existing, fsnotify", r)
	}
}

// TestClaudeLayoutRenamed is the reported case with Helm's own specs for a
// Claude folder (the folder itself, projects/, sessions/): `mv ~/.claude
// ~/.claude.old; mkdir -p ~/.claude/projects/x` and a transcript there.
func TestClaudeLayoutRenamed(t *testing.T) {
	home := t.TempDir()
	claude := join(home, ".claude")
	mkdir(t, join(claude, "projects", "slug"))
	mkdir(t, join(claude, "sessions"))
	h := start(t, Options{Specs: []Spec{
		{Path: claude},
		{Path: join(claude, "projects"), Depth: 3},
		{Path: join(claude, "sessions")},
	}, PollInterval: time.Hour})

	mark := h.rec.mark()
	rename(t, claude, join(home, ".claude.old"))
	mkdir(t, join(claude, "projects", "x"))
	f := join(claude, "projects", "x", "s.jsonl")
	write(t, f, "x\n")
	// Only the .claude root hears its own move; the check it triggers
	// finds projects/ moved too.
	h.rec.waitPaths(t, mark, claude, join(claude, "projects"), f)
	st := h.waitStatus(t, "projects and .claude watched again", func(st Status) bool {
		return st.Roots[0].Vanished == 1 && st.Roots[1].Vanished == 1
	})
	if st.Roots[0].Exists != true || st.Roots[1].Exists != true || st.Roots[2].Exists {
		t.Errorf("status = %+v, want .claude and projects, not sessions", st)
	}
	mark = h.rec.mark()
	appendTo(t, f, "y\n")
	h.rec.waitPaths(t, mark, f)
	mark = h.rec.mark()
	mkdir(t, join(claude, "sessions"))
	h.rec.waitPaths(t, mark, join(claude, "sessions"))
	if r := h.rec.rescanList(); len(r) == 0 || !strings.Contains(strings.Join(r, "\n"), join(claude, "projects")) {
		t.Errorf("Rescan reasons = %q, want one naming the moved projects folder", r)
	}
}

func rename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func removeAll(t *testing.T, p string) {
	t.Helper()
	if err := os.RemoveAll(p); err != nil {
		t.Fatal(err)
	}
}

// TestRootSymlinkRetargeted: the root is a symlink (a Claude folder on
// another disk), pointed elsewhere. Nothing under the old target gives an
// event for that: the guard hears the link replaced in its folder (the
// tick finds it where there is no guard); afterwards the old target is
// silent and the new one watched.
func TestRootSymlinkRetargeted(t *testing.T) {
	base := t.TempDir()
	first, second := join(base, "disk1"), join(base, "disk2")
	mkdir(t, join(first, "slug"))
	mkdir(t, join(second, "other"))
	link := join(base, "projects")
	if err := os.Symlink(first, link); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Specs: []Spec{{Path: link, Depth: 1}}, PollInterval: guardedInterval()})
	mark := h.rec.mark()
	removeAll(t, link)
	if err := os.Symlink(second, link); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, link, join(link, "other"))
	mark = h.rec.mark()
	write(t, join(first, "slug", "old.jsonl"), "x\n")
	f := join(link, "other", "s.jsonl")
	write(t, f, "x\n")
	h.rec.waitPaths(t, mark, f)
	if p := join(link, "slug", "old.jsonl"); h.rec.seen(mark, p) {
		t.Errorf("reported %s, written under the old target", p)
	}
	if r := h.w.Status().Roots[0]; r.Vanished != 1 || !r.Exists || r.Mode != "fsnotify" {
		t.Errorf("root status = %+v, want one vanishing, existing, fsnotify", r)
	}
}

// guardedInterval is a tick that never comes where the guard hears moves
// above a root, and a fast one where nothing else would.
func guardedInterval() time.Duration {
	if guardsSupported {
		return time.Hour
	}
	return fastPoll
}

// TestSymlinkAboveRootRetargeted: ~/.claude is a symlink to a folder on
// another disk, and is pointed at another: the projects root moves with
// it, with no event from either tree.
func TestSymlinkAboveRootRetargeted(t *testing.T) {
	base := t.TempDir()
	first, second := join(base, "disk1", "claude"), join(base, "disk2", "claude")
	mkdir(t, join(first, "projects", "slug"))
	mkdir(t, join(second, "projects", "other"))
	link := join(base, ".claude")
	if err := os.Symlink(first, link); err != nil {
		t.Fatal(err)
	}
	rootDir := join(link, "projects")
	h := start(t, Options{Specs: []Spec{{Path: rootDir, Depth: 1}}, PollInterval: guardedInterval()})
	mark := h.rec.mark()
	// ln -sfn: a new link renamed over the old one.
	if err := os.Symlink(second, link+".tmp"); err != nil {
		t.Fatal(err)
	}
	rename(t, link+".tmp", link)
	h.rec.waitPaths(t, mark, rootDir, join(rootDir, "other"))
	mark = h.rec.mark()
	write(t, join(first, "projects", "slug", "old.jsonl"), "x\n")
	f := join(rootDir, "other", "s.jsonl")
	write(t, f, "x\n")
	h.rec.waitPaths(t, mark, f)
	if p := join(rootDir, "slug", "old.jsonl"); h.rec.seen(mark, p) {
		t.Errorf("reported %s, written under the old target", p)
	}
}

// TestSymlinkTargetMoved: the root is a symlink, and the folder above its
// target is renamed: the link now leads nowhere, and the root is waited
// for until the target's folder is back.
func TestSymlinkTargetMoved(t *testing.T) {
	base := t.TempDir()
	disk := join(base, "disk")
	mkdir(t, join(disk, "projects", "slug"))
	link := join(base, "projects")
	if err := os.Symlink(join(disk, "projects"), link); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Specs: []Spec{{Path: link, Depth: 1}}, PollInterval: guardedInterval()})
	mark := h.rec.mark()
	rename(t, disk, join(base, "disk.old"))
	h.rec.waitPaths(t, mark, link)
	h.waitStatus(t, "root gone", func(st Status) bool { return st.Roots[0].Vanished == 1 })
	mark = h.rec.mark()
	rename(t, join(base, "disk.old"), disk)
	f := join(link, "slug", "s.jsonl")
	write(t, f, "x\n")
	h.rec.waitPaths(t, mark, f)
}

// TestAnchorMovedAbove: a missing root waits on its nearest existing
// ancestor; when the folder above that one is renamed, the watcher waits
// higher up and still sees the root appear.
func TestAnchorMovedAbove(t *testing.T) {
	base := t.TempDir()
	mkdir(t, join(base, "a", "home"))
	rootDir := join(base, "a", "home", ".claude", "projects")
	h := start(t, Options{Specs: []Spec{{Path: rootDir}}, PollInterval: guardedInterval()})
	rename(t, join(base, "a"), join(base, "a.old"))
	mark := h.rec.mark()
	mkdir(t, rootDir)
	f := join(rootDir, "s.jsonl")
	write(t, f, "x\n")
	h.rec.waitPaths(t, mark, rootDir, f)
}

// TestRootChecksByEvents: /api/status says how a move above a root is
// noticed. With the guard, by events, so an idle watcher never wakes;
// without one (not Linux), by a stat of each root every tick; with every
// root polled, the polling itself.
func TestRootChecksByEvents(t *testing.T) {
	want := "events"
	if !guardsSupported {
		want = "every " + fastPoll.String()
	}
	h := start(t, Options{Specs: []Spec{{Path: t.TempDir(), Depth: 1}}, PollInterval: fastPoll})
	if got := h.w.Status().RootChecks; got != want {
		t.Errorf("RootChecks = %q, want %q", got, want)
	}
	p := start(t, Options{Specs: []Spec{{Path: t.TempDir(), Depth: 1}}, Poll: true, PollInterval: fastPoll})
	if got := p.w.Status().RootChecks; got != "" {
		t.Errorf("RootChecks = %q with every root polled, want none", got)
	}
}
