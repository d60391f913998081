package watch

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

const fastPoll = 10 * time.Millisecond

// checkPolling runs create, modify, delete and a new subfolder through a
// polled root and waits for each to be reported.
func checkPolling(t *testing.T, h *harness, dir string) {
	t.Helper()
	f := join(dir, "s.jsonl")
	mark := h.rec.mark()
	write(t, f, "x\n")
	h.rec.waitPaths(t, mark, f)

	mark = h.rec.mark()
	appendTo(t, f, "more\n") // size changes, whatever the mtime granularity
	h.rec.waitPaths(t, mark, f)

	mark = h.rec.mark()
	sub := join(dir, "slug")
	mkdir(t, sub)
	write(t, join(sub, "t.jsonl"), "x\n")
	h.rec.waitPaths(t, mark, sub, join(sub, "t.jsonl"))

	mark = h.rec.mark()
	if err := os.Remove(f); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, f)
}

func TestForcedPolling(t *testing.T) {
	dir := t.TempDir()
	old := join(dir, "old.jsonl")
	write(t, old, "x\n")
	h := start(t, Options{Specs: []Spec{{Path: dir, Depth: 1}}, Poll: true, PollInterval: fastPoll})
	st := h.w.Status()
	if r := st.Roots[0]; r.Mode != "polling" || r.Reason != "forced" || !r.Exists {
		t.Fatalf("root status = %+v, want existing, polling, forced", r)
	}
	if st.WatchedDirs != 1 {
		t.Errorf("WatchedDirs = %d, want 1", st.WatchedDirs)
	}
	checkPolling(t, h, dir)
	// The snapshot was taken at start: the file already there never shows
	// up, though many ticks have compared against it by now.
	if h.rec.seen(0, old) {
		t.Errorf("pre-existing %s reported: %s", old, format(h.rec.since(0)))
	}
	if r := h.rec.rescanList(); len(r) != 0 {
		t.Errorf("Rescan called %v; forced polling from the start needs none", r)
	}
}

// TestPollingMissingRoot polls a root that appears and disappears.
func TestPollingMissingRoot(t *testing.T) {
	rootDir := join(t.TempDir(), "projects")
	h := start(t, Options{Specs: []Spec{{Path: rootDir, Depth: 1}}, Poll: true, PollInterval: fastPoll})
	if h.w.Status().Roots[0].Exists {
		t.Fatal("missing root reported as existing")
	}
	mkdir(t, join(rootDir, "slug"))
	f := join(rootDir, "slug", "s.jsonl")
	write(t, f, "x\n")
	h.rec.waitPaths(t, 0, rootDir, f)
	h.waitStatus(t, "root exists", func(st Status) bool { return st.Roots[0].Exists })
	mark := h.rec.mark()
	if err := os.RemoveAll(rootDir); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, rootDir, join(rootDir, "slug"), f)
}

// TestWatchLimit makes the Nth inotify watch fail as the kernel does at
// its limits, at start or on a folder created later.
func TestWatchLimit(t *testing.T) {
	tests := []struct {
		name   string
		errno  syscall.Errno
		failAt int    // 1-based add that fails; the tree has 2 folders at start
		sub    string // the folder whose add fails
	}{
		{"ENOSPC at start", syscall.ENOSPC, 2, "a"},
		{"ENOSPC on a new folder", syscall.ENOSPC, 3, "b"},
		{"EMFILE on a new folder", syscall.EMFILE, 3, "b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			mkdir(t, join(dir, "a"))
			h := prepare(Options{Specs: []Spec{{Path: dir, Depth: 1}}, PollInterval: fastPoll})
			adds := 0
			h.w.addWatch = func(p string) error {
				adds++ // only Run's goroutine adds watches
				if adds >= tc.failAt {
					return fmt.Errorf("add %s: %w", p, tc.errno)
				}
				return h.w.fs.Add(p)
			}
			h.run(t)
			code := map[syscall.Errno]string{syscall.ENOSPC: "ENOSPC", syscall.EMFILE: "EMFILE"}[tc.errno]
			if tc.failAt > 2 {
				if st := h.w.Status(); st.Roots[0].Mode != "fsnotify" {
					t.Fatalf("root status = %+v before the limit, want fsnotify", st.Roots[0])
				}
				mkdir(t, join(dir, "b")) // the third add
			}
			waitUntil(t, h.rec.signal, func() bool { return len(h.rec.rescanList()) > 0 },
				func() string { return "a Rescan call" })
			if r := h.rec.rescanList(); len(r) != 1 || !strings.Contains(r[0], code) ||
				!strings.Contains(r[0], "root "+dir) || !strings.Contains(r[0], join(dir, tc.sub)) {
				t.Errorf("Rescan reasons = %q, want one naming %s, the folder and the root", r, code)
			}
			st := h.waitStatus(t, "polling", func(st Status) bool { return st.Roots[0].Mode == "polling" })
			if st.Roots[0].Reason != code || !st.Roots[0].Exists || st.LastError == "" {
				t.Errorf("status = %+v, want existing, polling because %s, with LastError", st, code)
			}
			if logs := h.log.String(); !strings.Contains(logs, "level=WARN") ||
				!strings.Contains(logs, "root="+dir) || !strings.Contains(logs, code) {
				t.Errorf("log lacks a warning naming the root and %s:\n%s", code, logs)
			}
			checkPolling(t, h, dir)
		})
	}
}

// TestNewWatcherFails polls every root when no inotify instance can be
// had (max_user_instances reached).
func TestNewWatcherFails(t *testing.T) {
	dir, missing := t.TempDir(), join(t.TempDir(), "later")
	h := prepare(Options{Specs: []Spec{{Path: dir, Depth: 1}, {Path: missing}}, PollInterval: fastPoll})
	h.w.newNotify = func() (*fsnotify.Watcher, error) { return nil, fmt.Errorf("inotify_init1: %w", syscall.EMFILE) }
	h.run(t)
	st := h.w.Status()
	for i, want := range []bool{true, false} {
		if r := st.Roots[i]; r.Mode != "polling" || r.Reason != "NewWatcher failed" || r.Exists != want {
			t.Errorf("root %d status = %+v, want polling because NewWatcher failed, exists %v", i, r, want)
		}
	}
	if !strings.Contains(st.LastError, "too many open files") || !strings.Contains(h.log.String(), "level=WARN") {
		t.Errorf("LastError %q / log %q: want the failure recorded and logged", st.LastError, h.log.String())
	}
	checkPolling(t, h, dir)
	mkdir(t, missing)
	h.rec.waitPaths(t, 0, missing)
}

// TestOverflow feeds fsnotify's overflow error into Run, as its reader
// would after IN_Q_OVERFLOW.
func TestOverflow(t *testing.T) {
	dir := t.TempDir()
	h := start(t, Options{Specs: []Spec{{Path: dir, Depth: 1}}, PollInterval: fastPoll})
	if st := h.w.Status(); st.Overflows != 0 || st.Roots[0].Mode != "fsnotify" {
		t.Fatalf("status = %+v at start", st)
	}
	h.w.inject <- fsnotify.ErrEventOverflow
	waitUntil(t, h.rec.signal, func() bool { return len(h.rec.rescanList()) > 0 },
		func() string { return "a Rescan call" })
	if r := h.rec.rescanList(); len(r) != 1 || !strings.Contains(r[0], "overflow") {
		t.Errorf("Rescan reasons = %q, want one naming the overflow", r)
	}
	st := h.waitStatus(t, "one overflow", func(st Status) bool { return st.Overflows == 1 })
	if r := st.Roots[0]; r.Mode != "polling" || r.Reason != "overflow" {
		t.Errorf("root status = %+v, want polling because of the overflow", r)
	}
	if st.WatchedDirs != 1 {
		t.Errorf("WatchedDirs = %d, want the polled root alone", st.WatchedDirs)
	}
	checkPolling(t, h, dir)
}
