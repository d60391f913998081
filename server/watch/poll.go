package watch

import (
	"io/fs"
	"os"
)

// stamp is what polling compares to tell that a path changed.
type stamp struct {
	size  int64
	mtime int64
	inode uint64
	dir   bool
}

// changed reports whether s differs from old. A folder's mtime moves with
// every entry added or removed, which its entries already report, so
// folders only count when replaced.
func (s stamp) changed(old stamp) bool {
	if s.dir != old.dir || s.inode != old.inode {
		return true
	}
	return !s.dir && (s.size != old.size || s.mtime != old.mtime)
}

func stampOf(fi fs.FileInfo) stamp {
	return stamp{size: fi.Size(), mtime: fi.ModTime().UnixNano(), inode: inode(fi), dir: fi.IsDir()}
}

// scan snapshots r's tree (Depth, SkipDir and IgnoreFile honoured) and
// counts its folders. A missing root gives an empty snapshot.
func scan(r *root) (map[string]stamp, int) {
	snap := make(map[string]stamp)
	dirs := 0
	enter := func(d string) (bool, error) {
		fi, err := os.Stat(d)
		if err != nil || !fi.IsDir() {
			return false, nil
		}
		snap[d] = stampOf(fi)
		dirs++
		return true, nil
	}
	file := func(p string, typ fs.FileMode) {
		info := os.Lstat
		if typ&fs.ModeSymlink != 0 {
			// A linked file changes as its target does (links.go).
			info = os.Stat
		}
		if fi, err := info(p); err == nil {
			snap[p] = stampOf(fi)
		}
	}
	_ = walkTree(r, r.path, enter, file, false) // enter never fails
	return snap, dirs
}

// pollAll rescans every polled root and reports what differs from its
// previous snapshot: new, changed and removed paths.
func (w *Watcher) pollAll() {
	for _, r := range w.roots {
		if r.mode != modePoll {
			continue
		}
		next, dirs := scan(r)
		for p, s := range next {
			if old, ok := r.snap[p]; !ok || s.changed(old) {
				w.report(p)
			}
		}
		for p := range r.snap {
			if _, ok := next[p]; !ok {
				w.report(p)
			}
		}
		r.snap, r.snapDirs = next, dirs
	}
}
