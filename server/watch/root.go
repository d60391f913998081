package watch

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"vibecraft.sh/helm/server/internal/dirent"
)

type mode uint8

const (
	modeNotify mode = iota
	modePoll
)

func (m mode) String() string {
	if m == modePoll {
		return "polling"
	}
	return "fsnotify"
}

// root is the state of one Spec.
type root struct {
	spec   Spec
	path   string // cleaned, absolute when possible
	mode   mode
	reason string // why polling

	// fsnotify mode: either active (path exists, dirs are watched) or
	// waiting, with a watch on anchor, the nearest existing ancestor.
	active    bool
	anchor    string
	anchorIno uint64
	dirs      map[string]uint64   // watched folder → its inode (0: unknown)
	links     map[string]struct{} // linked files followed for this root (links.go)
	checked   bool                // its identity was checked in this batch
	vanished  int                 // times its folder went away (deleted, moved, replaced)

	// polling mode: the last snapshot of the tree.
	snap     map[string]stamp
	snapDirs int

	// The way back from polling (see retry.go).
	returning    bool  // tryReturn is adding its watches
	retryErr     error // why the watches did not hold
	fallbacks    int
	returns      int
	lastFallback string
	fallbackAt   time.Time
	returnedAt   time.Time
}

func newRoot(s Spec) *root {
	p := filepath.Clean(s.Path)
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return &root{spec: s, path: p, dirs: make(map[string]uint64), links: make(map[string]struct{})}
}

// within reports whether p is base or lies below it.
func within(base, p string) bool {
	if p == base {
		return true
	}
	if !strings.HasSuffix(base, string(filepath.Separator)) {
		base += string(filepath.Separator)
	}
	return strings.HasPrefix(p, base)
}

// rel returns p relative to the root with forward slashes, and its depth
// (0 for the root itself, 1 for its entries). p must be within the root.
func (r *root) rel(p string) (string, int) {
	if p == r.path {
		return ".", 0
	}
	rest := strings.TrimPrefix(p[len(r.path):], string(filepath.Separator))
	return filepath.ToSlash(rest), strings.Count(rest, string(filepath.Separator)) + 1
}

// wantDir reports whether folder p (below the root) is to be watched:
// within Depth and not skipped.
func (r *root) wantDir(p string) bool {
	if !within(r.path, p) {
		return false
	}
	rel, depth := r.rel(p)
	if depth == 0 {
		return true
	}
	if depth > r.spec.Depth {
		return false
	}
	return r.spec.SkipDir == nil || !r.spec.SkipDir(rel)
}

func (r *root) ignored(p string) bool {
	return r.spec.IgnoreFile != nil && r.spec.IgnoreFile(p)
}

// walkTree visits dir and the folders below it that r watches. enter is
// called for each folder before it is listed (so a watch added there sees
// every later change) and may stop the descent (false) or the whole walk
// (an error); file is called for every other entry that is not ignored,
// or with linksOnly for the links among them only. Folders r does not
// watch (too deep, skipped) are left out entirely.
//
// The folders are listed by a dirent.Lister, without an os.DirEntry per
// name: a refresh's look for links lists 100,000 transcripts' folders at
// 100,000 sessions, and os.ReadDir's entries were 14 MB of garbage.
func walkTree(r *root, dir string, enter func(dir string) (bool, error), file func(p string, typ fs.FileMode), linksOnly bool) error {
	t := treeWalk{r: r, enter: enter, file: file, linksOnly: linksOnly}
	return t.walk(dir, 0)
}

type treeWalk struct {
	r         *root
	enter     func(dir string) (bool, error)
	file      func(p string, typ fs.FileMode)
	linksOnly bool
	lister    dirent.Lister
	ents      [][]dirent.Entry // per depth below the walk's start, reused
}

func (t *treeWalk) walk(dir string, depth int) error {
	ok, err := t.enter(dir)
	if err != nil || !ok {
		return err
	}
	if depth == len(t.ents) {
		t.ents = append(t.ents, nil)
	}
	entries, err := t.lister.List(dir, t.ents[depth][:0])
	t.ents[depth] = entries
	if err != nil {
		return nil // vanished or unreadable: its removal event or the next poll tells
	}
	for _, e := range entries {
		if t.linksOnly && !e.IsDir() && e.Type&fs.ModeSymlink == 0 {
			// Not even its path is made: a refresh's look for links
			// meets 100,000 transcripts (11 MB of paths at 100,000
			// sessions) and wants none of them.
			continue
		}
		p := filepath.Join(dir, e.Name)
		// A link to a folder is walked as the folder, as the sources'
		// scans read it (the watch then follows the link to its target).
		if e.IsDir() || e.Type&fs.ModeSymlink != 0 && isDir(p) {
			if t.r.wantDir(p) {
				if err := t.walk(p, depth+1); err != nil {
					return err
				}
			}
			continue
		}
		if !t.r.ignored(p) {
			t.file(p, e.Type)
		}
	}
	return nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// gone reports errors that only mean the folder vanished before its watch
// could be added; its removal is reported by its parent.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// watch adds an inotify watch on dir unless another root holds one.
func (w *Watcher) watch(dir string) error {
	if w.refs[dir] == 0 {
		if err := w.add(dir); err != nil {
			return err
		}
	}
	w.refs[dir]++
	return nil
}

// unwatch drops one hold on dir and removes the watch with the last one.
func (w *Watcher) unwatch(dir string) {
	n, ok := w.refs[dir]
	if !ok {
		return
	}
	if n > 1 {
		w.refs[dir] = n - 1
		return
	}
	delete(w.refs, dir)
	if w.fs != nil {
		// The kernel drops the watch of a deleted folder by itself, so a
		// "non-existent watch" error is expected here.
		_ = w.fs.Remove(dir)
	}
}

// addTree watches dir and the folders below it (scan-after-add: each
// folder is listed after its watch is in place, since files created
// before that give no event). With report, the folders and files found are
// reported. A watch-limit error switches r to polling.
func (w *Watcher) addTree(r *root, dir string, report bool) {
	failed := dir
	enter := func(d string) (bool, error) {
		if _, ok := r.dirs[d]; ok {
			return true, nil
		}
		var ino uint64
		if fi, err := os.Stat(d); err == nil {
			ino = inode(fi)
		}
		if err := w.watch(d); err != nil {
			if gone(err) {
				return false, nil
			}
			if code := limitCode(err); code != "" || d == r.path {
				failed = d
				return false, err
			}
			// An unreadable subfolder: leave it out, keep the rest.
			w.lastErr = err.Error()
			w.log.Warn("watch: cannot watch folder", "root", r.path, "dir", d, "err", err)
			return false, nil
		}
		r.dirs[d] = ino
		if report {
			w.report(d)
		}
		return true, nil
	}
	file := func(p string, typ fs.FileMode) {
		if report {
			w.report(p)
		}
		if typ&fs.ModeSymlink != 0 {
			w.watchLink(r, p)
		}
	}
	// Without report, file does something for links only (watchLink).
	if err := walkTree(r, dir, enter, file, !report); err != nil {
		w.addFailed(r, failed, err)
	}
}

// dropTree forgets the watched folders and followed links at or below p.
func (w *Watcher) dropTree(r *root, p string) {
	for d := range r.dirs {
		if within(p, d) {
			delete(r.dirs, d)
			w.unwatch(d)
		}
	}
	w.dropLinks(r, p)
}

// resolve brings a root that is not active under watch: the root itself
// when it exists (reporting its content when report is set), otherwise its
// nearest existing ancestor, whose events tell when the next level appears.
func (w *Watcher) resolve(r *root, report bool) {
	w.guardStale = true // the folders on the way may be others now
	// Each round goes one level deeper or returns; the bound only guards
	// against a tree that keeps changing under us.
	for range 256 {
		if r.mode != modeNotify {
			return
		}
		if isDir(r.path) {
			w.releaseAnchor(r)
			r.active = true
			w.addTree(r, r.path, report)
			return
		}
		a := nearestDir(r.path)
		if a != r.anchor {
			w.releaseAnchor(r)
			if err := w.watch(a); err != nil {
				if gone(err) {
					continue
				}
				w.addFailed(r, a, err)
				return
			}
			r.anchor = a
			r.anchorIno = 0
			if fi, err := os.Stat(a); err == nil {
				r.anchorIno = inode(fi)
			}
		}
		// The next level may have appeared before the watch was in place.
		if !isDir(childToward(a, r.path)) {
			return
		}
	}
}

func (w *Watcher) releaseAnchor(r *root) {
	if r.anchor != "" {
		w.unwatch(r.anchor)
		r.anchor, r.anchorIno = "", 0
	}
}

// childToward returns the entry of folder a on the way down to p.
func childToward(a, p string) string {
	rest := strings.TrimPrefix(p[len(a):], string(filepath.Separator))
	if i := strings.IndexRune(rest, filepath.Separator); i >= 0 {
		rest = rest[:i]
	}
	return filepath.Join(a, rest)
}

// rootGone handles the removal or renaming of an active root: it is
// reported, forgotten, and waited for again.
func (w *Watcher) rootGone(r *root) {
	r.vanished++
	w.dropTree(r, r.path)
	r.active = false
	w.report(r.path)
	w.resolve(r, true)
}
