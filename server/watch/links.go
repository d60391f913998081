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
// that, a linked file is read when helmd reads everything again (at its
// start, on a refresh the user asks for), as it was before. A link left
// alone, or no longer followed (its target deleted, and made again
// where no event tells of it), is followed again on such a refresh
// (RequestRefresh).
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
				w.log.Warn("watch: too many linked files to follow live; the others are read again on a refresh",
					"max", maxLinks, "path", p)
			}
			return
		}
		l = &link{fi: fi}
		if !w.holdTarget(p, l) {
			return
		}
		w.links[p] = l
		// Reported once its watch is in place: a write made before it,
		// since the file was last read (one linked in again on a refresh,
		// whose sources may read it before this runs), is read all the same.
		w.report(p)
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
// leaves the link to be read on a refresh: unlike a folder's, it hides no
// other file, so the root does not fall back to polling for it. Logged
// once: at the watch limit, every link after it fails the same way.
func (w *Watcher) holdTarget(p string, l *link) bool {
	l.holder = false
	for q, o := range w.links {
		if q != p && o.holder && os.SameFile(o.fi, l.fi) {
			return true
		}
	}
	if err := w.add(p); err != nil {
		w.lastErr = "watching linked file " + p + ": " + err.Error()
		if !w.linkFail {
			w.linkFail = true
			w.log.Warn("watch: cannot follow a linked file live; it is read again on a refresh (logged once)", "path", p, "err", err)
		}
		return false
	}
	l.holder = true
	return true
}

// unhold lets go of the watch l holds under p, if any, and reports
// whether it held one.
func (w *Watcher) unhold(p string, l *link) bool {
	if !l.holder {
		return false
	}
	l.holder = false
	if w.fs != nil {
		// fsnotify has dropped it already when the target moved or was
		// deleted: "non-existent watch" is expected then.
		_ = w.fs.Remove(p)
	}
	return true
}

// releaseTarget lets go of the watch l holds, if any, and hands it to
// another link to the same file. p is no longer in w.links.
func (w *Watcher) releaseTarget(p string, l *link) {
	if !w.unhold(p, l) {
		return
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

// relink checks that p, and every other link to the file p was
// followed for, still lead to it. A link removed, pointed elsewhere, or
// whose target was moved, deleted or replaced (an atomic save renames
// another file over it) is followed as it is now, or no more. When
// anything changed, the group's watch is let go before any is added
// again: handed from one link to the next, it would be added on the new
// file under a link still taken for the old one. Every link of the
// group is then reported, so that a write missed while no watch was in
// place is read all the same: the reader stats the file again.
func (w *Watcher) relink(p string) {
	group := w.group(p)
	if group == nil {
		return
	}
	stats := make([]os.FileInfo, len(group))
	changed := false
	for i, q := range group {
		fi, err := os.Stat(q)
		if err == nil && isLink(q) && fi.Mode().IsRegular() {
			stats[i] = fi
		}
		changed = changed || stats[i] == nil || !os.SameFile(stats[i], w.links[q].fi)
	}
	if !changed {
		return
	}
	for _, q := range group {
		w.unhold(q, w.links[q])
	}
	for i, q := range group {
		w.report(q)
		l := w.links[q]
		if stats[i] == nil {
			w.unlink(q) // a folder made at q is added by its Create event
			continue
		}
		l.fi = stats[i]
		if !w.holdTarget(q, l) {
			w.unlink(q)
		}
	}
}

// group is p, when it is a followed link, and the other links followed
// to the same file.
func (w *Watcher) group(p string) []string {
	l := w.links[p]
	if l == nil {
		return nil
	}
	group := []string{p}
	for q, o := range w.links {
		if q != p && os.SameFile(o.fi, l.fi) {
			group = append(group, q)
		}
	}
	return group
}

// linkEvent handles an event named by a followed link's path: from the
// watch of its target, or from its folder's about the link itself. A
// write is reported under every link to the file; anything else may
// mean that a link now leads elsewhere, or nowhere.
func (w *Watcher) linkEvent(p string, op fsnotify.Op) {
	if op.Has(fsnotify.Write) {
		for _, q := range w.group(p) {
			w.report(q)
		}
	}
	if op&^fsnotify.Write != 0 {
		w.relink(p)
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

// RequestRefresh asks the watcher to look for links to follow again, as
// a refresh the user asks for reads every file again: a link whose
// target came back where no event tells of it (outside the tree) is
// followed live from then on. It does not block.
func (w *Watcher) RequestRefresh() {
	select {
	case w.recheck <- struct{}{}:
	default: // one is pending already
	}
}

// followLinksAgain walks each watched tree for links to follow; the
// folders are watched already, and the links followed are checked anew
// (relink).
func (w *Watcher) followLinksAgain() {
	w.linksFull, w.linkFail = false, false // say it again, if it is still so
	for _, r := range w.roots {
		if r.active && r.mode == modeNotify {
			w.addTree(r, r.path, false)
		}
	}
}
