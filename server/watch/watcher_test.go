package watch

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFileLifecycle runs one change after the other in a watched folder;
// each step makes a single kind of event, and waits for its path in a
// batch that came after the step began.
func TestFileLifecycle(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	h := start(t, Options{Specs: []Spec{{Path: dir}}})
	f := join(dir, "s.jsonl")
	steps := []struct {
		name string
		do   func(t *testing.T)
		want string
	}{
		{"create", func(t *testing.T) { touch(t, f) }, f},
		{"append", func(t *testing.T) { appendTo(t, f, "{}\n") }, f},
		{"remove", func(t *testing.T) {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}, f},
		{"rename into", func(t *testing.T) {
			src := join(outside, "in.jsonl")
			write(t, src, "x\n")
			if err := os.Rename(src, join(dir, "in.jsonl")); err != nil {
				t.Fatal(err)
			}
		}, join(dir, "in.jsonl")},
		{"rename out of", func(t *testing.T) {
			if err := os.Rename(join(dir, "in.jsonl"), join(outside, "out.jsonl")); err != nil {
				t.Fatal(err)
			}
		}, join(dir, "in.jsonl")},
	}
	for _, s := range steps {
		mark := h.rec.mark()
		s.do(t)
		h.rec.waitPaths(t, mark, s.want)
		for _, b := range h.rec.since(mark) {
			for _, p := range b {
				if strings.HasPrefix(p, outside) {
					t.Errorf("%s: reported %s, outside the watched folder", s.name, p)
				}
			}
		}
	}
	if st := h.w.Status(); st.Roots[0].Mode != "fsnotify" || !st.Roots[0].Exists || st.WatchedDirs != 1 {
		t.Errorf("status = %+v, want one existing fsnotify root with one folder", st)
	}
}

// TestSubfolders checks folders created after start: scan-after-add,
// nesting, Depth and SkipDir.
func TestSubfolders(t *testing.T) {
	dir := t.TempDir()
	h := prepare(Options{Specs: []Spec{{
		Path:    dir,
		Depth:   3,
		SkipDir: func(rel string) bool { return rel == "a/skip" },
	}}})
	// A file written between mkdir and the watch on the new folder gives no
	// event: the hook writes it just before the watch on a is added, so only
	// the scan that follows the Add can find it.
	early := join(dir, "a", "early.jsonl")
	hookErr := make(chan error, 1)
	h.w.addWatch = func(p string) error {
		if p == join(dir, "a") {
			hookErr <- os.WriteFile(early, []byte("x\n"), 0o644)
		}
		return h.w.fs.Add(p)
	}
	h.run(t)

	mark := h.rec.mark()
	mkdir(t, join(dir, "a"))
	write(t, join(dir, "a", "s.jsonl"), "x\n")
	h.rec.waitPaths(t, mark, join(dir, "a"), early)
	if err := <-hookErr; err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, join(dir, "a"), join(dir, "a", "s.jsonl"))

	// mkdir -p of three levels at once, then a file at the bottom (depth 3).
	mark = h.rec.mark()
	deep := join(dir, "x", "y", "z")
	mkdir(t, deep)
	write(t, join(deep, "f.jsonl"), "x\n")
	h.rec.waitPaths(t, mark, join(dir, "x"), join(dir, "x", "y"), deep, join(deep, "f.jsonl"))

	// The bottom folder is really watched: a later write there shows up.
	mark = h.rec.mark()
	appendTo(t, join(deep, "f.jsonl"), "y\n")
	h.rec.waitPaths(t, mark, join(deep, "f.jsonl"))
	if got := h.w.Status().WatchedDirs; got != 5 {
		t.Fatalf("WatchedDirs = %d, want 5 (root, a, x, x/y, x/y/z)", got)
	}

	// Beyond Depth and skipped folders: created, then a sentinel in a
	// watched folder. inotify keeps one queue in order, so once the
	// sentinel is reported the earlier events have been handled too.
	mark = h.rec.mark()
	tooDeep := join(deep, "w")
	mkdir(t, tooDeep)
	write(t, join(tooDeep, "g.jsonl"), "x\n")
	skipped := join(dir, "a", "skip")
	mkdir(t, skipped)
	write(t, join(skipped, "h.jsonl"), "x\n")
	sentinel := join(dir, "a", "sentinel")
	touch(t, sentinel)
	h.rec.waitPaths(t, mark, sentinel)
	for _, p := range []string{tooDeep, join(tooDeep, "g.jsonl"), skipped, join(skipped, "h.jsonl")} {
		if h.rec.seen(mark, p) {
			t.Errorf("%s reported, but it is not in the watched tree", p)
		}
	}
	if got := h.w.Status().WatchedDirs; got != 5 {
		t.Errorf("WatchedDirs = %d after creating unwatched folders, want still 5", got)
	}
	// And writes in them stay unseen, while a watched folder still reports.
	mark = h.rec.mark()
	appendTo(t, join(tooDeep, "g.jsonl"), "y\n")
	appendTo(t, join(skipped, "h.jsonl"), "y\n")
	appendTo(t, sentinel, "y\n")
	h.rec.waitPaths(t, mark, sentinel)
	if h.rec.seen(mark, join(tooDeep, "g.jsonl")) || h.rec.seen(mark, join(skipped, "h.jsonl")) {
		t.Errorf("write in an unwatched folder reported: %s", format(h.rec.since(mark)))
	}
}

// TestMissingRoot watches a root whose parent does not exist yet, then
// deletes and re-creates it.
func TestMissingRoot(t *testing.T) {
	base := t.TempDir()
	rootDir := join(base, ".claude", "projects")
	h := start(t, Options{Specs: []Spec{{Path: rootDir, Depth: 1}}})
	if st := h.w.Status(); st.Roots[0].Exists || st.Roots[0].Mode != "fsnotify" {
		t.Fatalf("status = %+v, want a missing fsnotify root", st)
	}

	mark := h.rec.mark()
	mkdir(t, join(rootDir, "slug"))
	f := join(rootDir, "slug", "s.jsonl")
	write(t, f, "x\n")
	h.rec.waitPaths(t, mark, rootDir, join(rootDir, "slug"), f)
	h.waitStatus(t, "root exists", func(st Status) bool { return st.Roots[0].Exists })

	// Deleting the whole tree reports the root; re-creating it works again.
	mark = h.rec.mark()
	if err := os.RemoveAll(join(base, ".claude")); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, rootDir)
	h.waitStatus(t, "root gone", func(st Status) bool { return !st.Roots[0].Exists })

	mark = h.rec.mark()
	mkdir(t, join(rootDir, "other"))
	g := join(rootDir, "other", "t.jsonl")
	write(t, g, "x\n")
	h.rec.waitPaths(t, mark, rootDir, g)
	mark = h.rec.mark()
	appendTo(t, g, "y\n")
	h.rec.waitPaths(t, mark, g)
}

// TestFolderDeleted checks that a removed subfolder is reported and its
// watch forgotten.
func TestFolderDeleted(t *testing.T) {
	dir := t.TempDir()
	sub := join(dir, "slug")
	mkdir(t, join(sub, "sid"))
	write(t, join(sub, "s.jsonl"), "x\n")
	h := start(t, Options{Specs: []Spec{{Path: dir, Depth: 2}}})
	if got := h.w.Status().WatchedDirs; got != 3 {
		t.Fatalf("WatchedDirs = %d, want 3", got)
	}
	mark := h.rec.mark()
	if err := os.RemoveAll(sub); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, sub)
	h.waitStatus(t, "one watched folder left", func(st Status) bool { return st.WatchedDirs == 1 })

	// Re-created under the same name: watched again.
	mark = h.rec.mark()
	mkdir(t, sub)
	write(t, join(sub, "n.jsonl"), "x\n")
	h.rec.waitPaths(t, mark, sub, join(sub, "n.jsonl"))
}

// TestChmodIgnored proves a Chmod event is received (Status.Events counts
// it) and yet never reported, and that a write after it is reported alone.
func TestChmodIgnored(t *testing.T) {
	dir := t.TempDir()
	c, wr := join(dir, "chmod.jsonl"), join(dir, "write.jsonl")
	write(t, c, "x\n")
	write(t, wr, "x\n")
	h := start(t, Options{Specs: []Spec{{Path: dir}}})
	if n := h.w.Status().Events; n != 0 {
		t.Fatalf("Events = %d before any change, want 0", n)
	}

	if err := os.Chmod(c, 0o600); err != nil {
		t.Fatal(err)
	}
	h.waitStatus(t, "the chmod event", func(st Status) bool { return st.Events >= 1 })
	appendTo(t, wr, "y\n")
	h.rec.waitPaths(t, 0, wr)
	for _, b := range h.rec.since(0) {
		if slices.Contains(b, c) {
			t.Errorf("batch %v holds %s, whose only event was a Chmod", b, c)
		}
	}
	if got := h.rec.since(0); len(got) != 1 || !slices.Equal(got[0], []string{wr}) {
		t.Errorf("batches = %v, want exactly [[%s]]", got, wr)
	}
}

// TestIgnoreFile drops events for matching files and keeps the others.
func TestIgnoreFile(t *testing.T) {
	dir := t.TempDir()
	h := start(t, Options{Specs: []Spec{{
		Path:       dir,
		IgnoreFile: func(p string) bool { return strings.HasSuffix(p, "-shm") },
	}}})
	write(t, join(dir, "opencode.db-shm"), "x")
	write(t, join(dir, "opencode.db-wal"), "x")
	h.rec.waitPaths(t, 0, join(dir, "opencode.db-wal"))
	if h.rec.seen(0, join(dir, "opencode.db-shm")) {
		t.Errorf("ignored file reported: %s", format(h.rec.since(0)))
	}
}

// TestCancel stops Run and checks it returns nil promptly, with fsnotify
// and with a poll ticker running; goleak (TestMain) checks that no
// goroutine is left.
func TestCancel(t *testing.T) {
	for _, poll := range []bool{false, true} {
		t.Run(map[bool]string{false: "fsnotify", true: "polling"}[poll], func(t *testing.T) {
			h := prepare(Options{Specs: []Spec{{Path: t.TempDir()}}, Poll: poll, PollInterval: time.Millisecond})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- h.w.Run(ctx, h.rec) }()
			<-h.w.Ready()
			// A second Run is refused rather than racing the first.
			if err := h.w.Run(ctx, h.rec); err == nil {
				t.Error("second Run returned nil, want an error")
			}
			h.w.inject <- os.ErrInvalid // an ordinary error: logged, Run goes on
			h.waitStatus(t, "LastError set", func(st Status) bool { return st.LastError != "" })
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Run = %v, want nil", err)
				}
			case <-time.After(waitLimit):
				t.Fatal("Run did not return after cancel")
			}
		})
	}
}

// TestFolderRenamed moves a watched folder with a watched subfolder within
// the tree: both names are reported, and the watches follow the new name
// (no stale paths from the old one).
func TestFolderRenamed(t *testing.T) {
	dir := t.TempDir()
	old := join(dir, "old")
	mkdir(t, join(old, "sid"))
	write(t, join(old, "sid", "a.jsonl"), "x\n")
	h := start(t, Options{Specs: []Spec{{Path: dir, Depth: 2}}})

	mark := h.rec.mark()
	renamed := join(dir, "new")
	if err := os.Rename(old, renamed); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, old, renamed, join(renamed, "sid"), join(renamed, "sid", "a.jsonl"))

	mark = h.rec.mark()
	appendTo(t, join(renamed, "sid", "a.jsonl"), "y\n")
	h.rec.waitPaths(t, mark, join(renamed, "sid", "a.jsonl"))
	for _, b := range h.rec.since(mark) {
		for _, p := range b {
			// old itself may come late (its own watch's move event); what
			// must not come is a path below it, from a stale watch.
			if within(old, p) && p != old {
				t.Errorf("reported %s under the old name", p)
			}
		}
	}
	if got := h.w.Status().WatchedDirs; got != 3 {
		t.Errorf("WatchedDirs = %d, want 3", got)
	}
}

// TestAnchorRemoved deletes the ancestor a missing root waits on: the
// watcher climbs to the next existing one and still sees the root appear.
func TestAnchorRemoved(t *testing.T) {
	base := t.TempDir()
	home := join(base, "home")
	mkdir(t, home)
	rootDir := join(home, ".claude", "projects")
	h := start(t, Options{Specs: []Spec{{Path: rootDir}}})
	if err := os.RemoveAll(home); err != nil {
		t.Fatal(err)
	}
	mark := h.rec.mark()
	mkdir(t, rootDir)
	f := join(rootDir, "s.jsonl")
	write(t, f, "x\n")
	h.rec.waitPaths(t, mark, rootDir, f)
}

// TestLinkedFolders: a link to a folder elsewhere, in the tree from the
// start or made later, is watched as the folder it names: a session
// written there is reported under the link's path, as the sources' scans
// (which follow links) list it. A link to a file is only a file.
func TestLinkedFolders(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	early, late := join(elsewhere, "early"), join(elsewhere, "late")
	mkdir(t, early)
	mkdir(t, late)
	if err := os.Symlink(early, join(dir, "early")); err != nil {
		t.Fatal(err)
	}
	h := prepare(Options{Specs: []Spec{{Path: dir, Depth: 3}}})
	h.run(t)

	mark := h.rec.mark()
	write(t, join(early, "s.jsonl"), "x\n")
	h.rec.waitPaths(t, mark, join(dir, "early", "s.jsonl"))

	mark = h.rec.mark()
	if err := os.Symlink(late, join(dir, "late")); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, join(dir, "late"))
	mark = h.rec.mark()
	write(t, join(late, "s.jsonl"), "x\n")
	h.rec.waitPaths(t, mark, join(dir, "late", "s.jsonl"))
	if got := h.w.Status().WatchedDirs; got != 3 {
		t.Errorf("WatchedDirs = %d, want 3 (the root and the two linked folders)", got)
	}
}

// TestChmodOfAWatchedFolder: a watched folder whose permissions change is
// reported (what was written while it could not be read is read then),
// while a file's chmod stays unreported (TestChmodIgnored).
func TestChmodOfAWatchedFolder(t *testing.T) {
	dir := t.TempDir()
	sub := join(dir, "project")
	mkdir(t, sub)
	h := start(t, Options{Specs: []Spec{{Path: dir, Depth: 1}}})
	mark := h.rec.mark()
	if err := os.Chmod(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, sub)
}

// TestLinkedFiles: a link to a file elsewhere, in the tree from the start
// or made later, is followed as that file: a write to its target is
// reported under the link's path, as the sources (which read through
// links) know the file. A target replaced by rename is followed as the
// new file, and a removed link is followed no more.
func TestLinkedFiles(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	early, late := join(elsewhere, "early.jsonl"), join(elsewhere, "late.jsonl")
	write(t, early, "x\n")
	write(t, late, "x\n")
	earlyLink, lateLink := join(dir, "early.jsonl"), join(dir, "late.jsonl")
	if err := os.Symlink(early, earlyLink); err != nil {
		t.Fatal(err)
	}
	h := prepare(Options{Specs: []Spec{{Path: dir, Depth: 3}}})
	h.run(t)

	mark := h.rec.mark()
	appendTo(t, early, "y\n")
	h.rec.waitPaths(t, mark, earlyLink)

	mark = h.rec.mark()
	if err := os.Symlink(late, lateLink); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, lateLink)
	mark = h.rec.mark()
	appendTo(t, late, "y\n")
	h.rec.waitPaths(t, mark, lateLink)
	h.waitStatus(t, "two links followed", func(st Status) bool { return st.WatchedLinks == 2 })

	// An atomic save of the target: another file renamed over it.
	mark = h.rec.mark()
	tmp := join(elsewhere, "early.tmp")
	write(t, tmp, "z\n")
	if err := os.Rename(tmp, early); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, earlyLink)
	mark = h.rec.mark()
	appendTo(t, early, "w\n")
	h.rec.waitPaths(t, mark, earlyLink)

	mark = h.rec.mark()
	if err := os.Remove(lateLink); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, lateLink)
	h.waitStatus(t, "one link followed", func(st Status) bool { return st.WatchedLinks == 1 })
	if st := h.w.Status(); st.WatchedDirs != 1 {
		t.Errorf("WatchedDirs = %d, want 1: a linked file's folder is not watched", st.WatchedDirs)
	}
}

// TestLinkedFileTwins: two links to one file share its watch; a write is
// reported under both, after the file was replaced too, and under the
// other once one link is gone.
func TestLinkedFileTwins(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	target := join(elsewhere, "t.jsonl")
	write(t, target, "x\n")
	a, b := join(dir, "a.jsonl"), join(dir, "b.jsonl")
	for _, l := range []string{a, b} {
		if err := os.Symlink(target, l); err != nil {
			t.Fatal(err)
		}
	}
	h := start(t, Options{Specs: []Spec{{Path: dir, Depth: 1}}})
	mark := h.rec.mark()
	appendTo(t, target, "y\n")
	h.rec.waitPaths(t, mark, a, b)

	// The file both lead to replaced by rename: both follow the new one.
	mark = h.rec.mark()
	tmp := join(elsewhere, "t.tmp")
	write(t, tmp, "z\n")
	if err := os.Rename(tmp, target); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, a, b)
	mark = h.rec.mark()
	appendTo(t, target, "w\n")
	h.rec.waitPaths(t, mark, a, b)

	for _, gone := range []string{a, b} {
		mark = h.rec.mark()
		if err := os.Remove(gone); err != nil {
			t.Fatal(err)
		}
		h.rec.waitPaths(t, mark, gone)
		if gone == a {
			mark = h.rec.mark()
			appendTo(t, target, "z\n")
			h.rec.waitPaths(t, mark, b)
		}
	}
	h.waitStatus(t, "no link followed", func(st Status) bool { return st.WatchedLinks == 0 })
}

// TestLinkedFilePolled: a polled tree sees a linked file change with its
// target, not only when the link itself changes.
func TestLinkedFilePolled(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	target := join(elsewhere, "t.jsonl")
	write(t, target, "x\n")
	link := join(dir, "s.jsonl")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Poll: true, PollInterval: 10 * time.Millisecond, Specs: []Spec{{Path: dir, Depth: 1}}})
	mark := h.rec.mark()
	appendTo(t, target, "more than before\n")
	h.rec.waitPaths(t, mark, link)
}

// TestLinkedFileFollowedAgainOnRefresh: a link whose target was deleted
// is no longer followed, and no event tells when the target is made
// again (it is outside the tree); a refresh the user asks for follows it
// again, and later writes are heard.
func TestLinkedFileFollowedAgainOnRefresh(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	target := join(elsewhere, "t.jsonl")
	write(t, target, "x\n")
	link := join(dir, "s.jsonl")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Specs: []Spec{{Path: dir, Depth: 1}}})
	h.waitStatus(t, "the link followed", func(st Status) bool { return st.WatchedLinks == 1 })
	if err := os.Remove(target); err != nil {
		t.Fatal(err)
	}
	h.waitStatus(t, "the dangling link let go", func(st Status) bool { return st.WatchedLinks == 0 })
	write(t, target, "back\n")

	// The link is reported once followed again: the sources' own read on
	// the refresh may come before the watch, and a write between the two
	// would otherwise wait for the next one.
	mark := h.rec.mark()
	h.w.RequestRefresh()
	h.waitStatus(t, "the link followed again after a refresh", func(st Status) bool { return st.WatchedLinks == 1 })
	h.rec.waitPaths(t, mark, link)
	mark = h.rec.mark()
	appendTo(t, target, "y\n")
	h.rec.waitPaths(t, mark, link)
}

// TestLinkWatchFailuresLoggedOnce: at the kernel's watch limit every link
// fails to be followed the same way; the log says so once, not once per
// link, and the folder stays under fsnotify.
func TestLinkWatchFailuresLoggedOnce(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	for i := range 20 {
		target := join(elsewhere, fmt.Sprintf("t%d.jsonl", i))
		write(t, target, "x\n")
		if err := os.Symlink(target, join(dir, fmt.Sprintf("s%d.jsonl", i))); err != nil {
			t.Fatal(err)
		}
	}
	h := prepare(Options{Specs: []Spec{{Path: dir, Depth: 1}}})
	h.w.addWatch = func(p string) error {
		if p != dir {
			return syscall.ENOSPC
		}
		return h.w.fs.Add(p)
	}
	h.run(t)
	st := h.w.Status()
	if n := strings.Count(h.log.String(), "cannot follow a linked file"); n != 1 || st.WatchedLinks != 0 {
		t.Errorf("%d warnings, %d links followed; want 1 warning, none followed:\n%s", n, st.WatchedLinks, h.log)
	}
	if m := st.Roots[0].Mode; m != "fsnotify" {
		t.Errorf("mode %q: a link's failed watch hides no other file, the folder stays under fsnotify", m)
	}
}
