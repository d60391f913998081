package watch

import (
	"io/fs"
	"os"

	"github.com/fsnotify/fsnotify"
)

// A link to a file in a watched folder is followed as that file. The
// sources read through it (stat and open follow links), but writes to
// the target raise events in the target's folder, which no watch holds:
// a linked transcript changed only at the next refresh. So each such
// link gets an inotify watch of its own, added on the link's path, which
// the kernel resolves to the target file: the file's own events (a
// write, a change of its metadata or link count, its move) then come
// named by the link's path, inside the tree, and go through treeEvent
// like any file's there.
//
// Only the file is watched, never the folder it is in: wherever a link
// points, nothing else there is heard or listed. A link that loops or
// dangles fails its stat and is left alone; one to a folder is walked
// as the folder (walkTree). At most maxLinks links are followed: past
// that, a linked file is read at the next refresh, as it was before.
//
// inotify keeps one watch per file: a second link to the same file
// shares the watch of the first, whose events fsnotify names by the
// first link's path. They are reported under every link to the file.

// maxLinks bounds the watches links take, next to the folders' (one
// each): a tree of linked files should not use up the user's inotify
// watches for everything else.
const maxLinks = 1024

// link is a followed link to a file.
type link struct {
	fi     os.FileInfo // its target, as last stat'ed
	refs   int         // roots holding it
	holder bool        // the inotify watch of the target is under this link's path
}

// watchLink follows p, an entry of r's tree that is not a folder, when
// it is a link to a regular file.
func (w *Watcher) watchLink(r *root, p string) {
	if _, ok := r.links[p]; ok {
		w.relink(p) // made again (pointed elsewhere, say)
		return
	}
	l := w.links[p]
	if l == nil {
		if !isLink(p) {
			return
		}
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			return // dangling, a loop, or a FIFO or device
		}
		if len(w.links) >= maxLinks {
			if !w.linksFull {
				w.linksFull = true
				w.log.Warn("watch: too many linked files to follow live; the others are read at the next refresh",
					"max", maxLinks, "path", p)
			}
			return
		}
		l = &link{fi: fi}
		if !w.holdTarget(p, l) {
			return
		}
		w.links[p] = l
	}
	l.refs++
	r.links[p] = struct{}{}
}

func isLink(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

// holdTarget makes sure l's target is watched, by the watch of another
// link to it or by one added under p. A watch that cannot be added only
// leaves the link to the next refresh: unlike a folder's, it hides no
// other file, so the root does not fall back to polling for it.
func (w *Watcher) holdTarget(p string, l *link) bool {
	l.holder = false
	for q, o := range w.links {
		if q != p && o.holder && os.SameFile(o.fi, l.fi) {
			return true
		}
	}
	if err := w.add(p); err != nil {
		w.lastErr = "watching linked file " + p + ": " + err.Error()
		w.log.Warn("watch: cannot follow linked file; it is read at the next refresh", "path", p, "err", err)
		return false
	}
	l.holder = true
	return true
}

// releaseTarget lets go of the watch l holds, if any, and hands it to
// another link to the same file.
func (w *Watcher) releaseTarget(p string, l *link) {
	if !l.holder {
		return
	}
	l.holder = false
	if w.fs != nil {
		// fsnotify has dropped it already when the target moved or was
		// deleted: "non-existent watch" is expected then.
		_ = w.fs.Remove(p)
	}
	for q, o := range w.links {
		if q != p && os.SameFile(o.fi, l.fi) {
			if !w.holdTarget(q, o) {
				w.unlink(q)
			}
			return
		}
	}
}

// unlink stops following p, for every root.
func (w *Watcher) unlink(p string) {
	l := w.links[p]
	if l == nil {
		return
	}
	delete(w.links, p)
	for _, r := range w.roots {
		delete(r.links, p)
	}
	w.releaseTarget(p, l)
}

// dropLink stops following p for r, which no longer has it.
func (w *Watcher) dropLink(r *root, p string) {
	if _, ok := r.links[p]; !ok {
		return
	}
	delete(r.links, p)
	l := w.links[p]
	if l == nil {
		return
	}
	if l.refs--; l.refs > 0 {
		return
	}
	delete(w.links, p)
	w.releaseTarget(p, l)
}

// relink checks that p still leads to the file it is followed for. A
// link removed, pointed elsewhere, or whose target was moved, deleted or
// replaced (an atomic save renames another file over it) is followed as
// it is now, or no more, and reported: the reader stats it again.
func (w *Watcher) relink(p string) {
	l := w.links[p]
	if l == nil {
		return
	}
	fi, err := os.Stat(p)
	if err == nil && isLink(p) && fi.Mode().IsRegular() && os.SameFile(fi, l.fi) {
		return
	}
	w.report(p)
	if err != nil || !isLink(p) || !fi.Mode().IsRegular() {
		w.unlink(p) // a folder made at p is added by its Create event
		return
	}
	w.releaseTarget(p, l)
	l.fi = fi
	if !w.holdTarget(p, l) {
		w.unlink(p)
	}
}

// linkEvent handles an event named by a followed link's path: from the
// watch of its target, or from its folder's about the link itself. A
// write is reported under every link to the file; anything else may
// mean that a link now leads elsewhere, or nowhere.
func (w *Watcher) linkEvent(p string, op fsnotify.Op) {
	l := w.links[p]
	if l == nil {
		return
	}
	var twins []string
	for q, o := range w.links {
		if q != p && os.SameFile(o.fi, l.fi) {
			twins = append(twins, q)
		}
	}
	if op.Has(fsnotify.Write) {
		w.report(p)
		for _, q := range twins {
			w.report(q)
		}
	}
	if op&^fsnotify.Write != 0 {
		w.relink(p)
		for _, q := range twins {
			w.relink(q)
		}
	}
}

// dropLinks stops following r's links at or below p.
func (w *Watcher) dropLinks(r *root, p string) {
	for q := range r.links {
		if within(p, q) {
			w.dropLink(r, q)
		}
	}
}
