package watch

import (
	"os"
	"path/filepath"
)

// inotify watches follow inodes, not names: after `mv ~/.claude
// ~/.claude.old` the watches of ~/.claude/projects keep reporting the
// old tree under the root's name, and a folder created at the root's path
// gives no event at all. Only the root's own watch hears about its own
// move or deletion; the move of an ancestor is silent to it. So the
// watcher checks that the folder at each root's path is still the one it
// watches: when the guard (guard.go) hears a folder above a root move,
// on every tick where there is no guard, and before the first event of
// each batch that claims to come from the root (a stat each, cheap next
// to reading the transcript the event is about).

// moved reports whether the folder at r's path is not the one r watches:
// gone, no folder any more, or another inode.
func moved(r *root) bool {
	fi, err := os.Stat(r.path)
	if err != nil || !fi.IsDir() {
		return true
	}
	ino := r.dirs[r.path]
	return ino != 0 && inode(fi) != ino
}

// rootHolds checks, once per batch, that an event from r's watches is
// from the folder at its path. If the folder was moved or replaced, r's
// watches are re-established from the path and false is returned: the
// event came from the old tree and means nothing under the root.
func (w *Watcher) rootHolds(r *root) bool {
	if r.checked {
		return true
	}
	r.checked = true
	if !moved(r) {
		return true
	}
	w.rootMoved(r)
	return false
}

// rootMoved re-watches r from its path after its folder was found moved
// or replaced without an event saying so. The path and whatever is there
// now are reported, and a rescan is requested: events from the old tree
// may have been taken for the root's before the check.
func (w *Watcher) rootMoved(r *root) {
	w.log.Info("watch: root folder moved or replaced; watching its path again", "root", r.path)
	w.rootGone(r)
	w.rescans = append(w.rescans, "the folder at "+r.path+
		" was moved, deleted or replaced; watching the folder now at that path")
}

// checkNested checks the roots below r, which just went away: their own
// watches heard nothing if r was renamed (only r's did).
func (w *Watcher) checkNested(r *root) {
	for _, o := range w.roots {
		if o != r && o.mode == modeNotify && o.active && within(r.path, o.path) && moved(o) {
			w.rootMoved(o)
		}
	}
}

// checkRoots runs when the guard fires and on each tick. An active root whose folder moved is
// re-watched; a waiting root whose anchor moved, or whose next level
// appeared unseen, is resolved again.
func (w *Watcher) checkRoots() {
	for _, r := range w.roots {
		if r.mode != modeNotify {
			continue
		}
		if r.active {
			if moved(r) {
				w.rootMoved(r)
			}
			continue
		}
		if w.anchorHolds(r) {
			continue
		}
		w.releaseAnchor(r)
		w.resolve(r, true)
	}
}

// anchorHolds reports whether a waiting root's anchor is still the
// nearest existing ancestor of its path, the same folder, with nothing
// new on the way down.
func (w *Watcher) anchorHolds(r *root) bool {
	a := r.anchor
	if a == "" || a != nearestDir(r.path) {
		return false
	}
	fi, err := os.Stat(a)
	if err != nil || (r.anchorIno != 0 && inode(fi) != r.anchorIno) {
		return false
	}
	return !isDir(childToward(a, r.path))
}

// nearestDir returns the nearest existing folder above p.
func nearestDir(p string) string {
	a := filepath.Dir(p)
	for !isDir(a) && filepath.Dir(a) != a {
		a = filepath.Dir(a)
	}
	return a
}

// resetChecks makes the next batch check its roots again.
func (w *Watcher) resetChecks() {
	for _, r := range w.roots {
		r.checked = false
	}
}
