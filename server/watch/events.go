package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Reasons a root is polled, as shown in RootStatus.Reason.
const (
	reasonForced     = "forced"
	reasonNewWatcher = "NewWatcher failed"
	reasonOverflow   = "overflow"
	reasonNotifyLost = "fsnotify stopped"
	reasonAddFailed  = "add failed"
)

// handleEvent turns one fsnotify event into path hints and watch changes.
func (w *Watcher) handleEvent(ev fsnotify.Event) {
	w.events.Add(1)
	// Chmod comes in floods from indexers and antivirus, and on Linux ahead
	// of the removal of an open file: it never means new content.
	op := ev.Op &^ fsnotify.Chmod
	p := filepath.Clean(ev.Name)
	if len(w.links) > 0 {
		w.linkEvent(p, ev.Op) // a linked file's Chmod may be its target replaced
	}
	if op == 0 {
		w.folderModeChanged(p)
		return
	}
	for _, r := range w.roots {
		if r.mode != modeNotify {
			continue
		}
		if r.active {
			// An event on the root itself is news of its own move or
			// deletion, which treeEvent handles.
			if p != r.path && within(r.path, p) && !w.rootHolds(r) {
				continue
			}
			w.treeEvent(r, p, op)
		} else {
			w.anchorEvent(r, p, op)
		}
	}
}

// folderModeChanged handles a Chmod of p, which matters only for a
// folder of a tree: its permissions may make readable what was written
// while it could not be read, of which no event comes again. A watched
// folder has its files checked anew; one left out for being unreadable
// is added now, if it can be.
func (w *Watcher) folderModeChanged(p string) {
	for _, r := range w.roots {
		if !r.active || r.mode != modeNotify || !within(r.path, p) {
			continue
		}
		if _, ok := r.dirs[p]; ok {
			w.report(p)
			return
		}
		if _, ok := r.dirs[filepath.Dir(p)]; ok && r.wantDir(p) && isDir(p) {
			w.addTree(r, p, true)
			return
		}
	}
}

// treeEvent handles an event for an active root.
func (w *Watcher) treeEvent(r *root, p string, op fsnotify.Op) {
	if !within(r.path, p) {
		return
	}
	removed := op.Has(fsnotify.Remove) || op.Has(fsnotify.Rename)
	if p == r.path {
		if removed {
			w.rootGone(r)
			w.checkNested(r)
		}
		return
	}
	_, isWatched := r.dirs[p]
	if _, parentWatched := r.dirs[filepath.Dir(p)]; !parentWatched && !isWatched {
		return // from a folder another root watches, outside this tree's depth
	}
	if removed {
		if isWatched {
			// Moved or deleted: its watches below are stale either way.
			w.dropTree(r, p)
			w.report(p)
		} else if !r.ignored(p) {
			w.report(p)
		}
	}
	if op.Has(fsnotify.Create) {
		fi, err := os.Stat(p) // a link to a folder is the folder (walkTree)
		if err == nil && fi.IsDir() {
			if r.wantDir(p) {
				if ino, ok := r.dirs[p]; ok {
					if ino != 0 && ino == inode(fi) {
						return // already added by the scan of its parent
					}
					// Replaced under the same name (a folder renamed over
					// it): the old watch died with the old folder.
					w.dropTree(r, p)
				}
				w.addTree(r, p, true)
			}
			return // folders beyond Depth or skipped are not part of the tree
		}
		if !r.ignored(p) {
			w.report(p)
			w.watchLink(r, p)
		}
		return
	}
	if op.Has(fsnotify.Write) && !isWatched && !r.ignored(p) {
		w.report(p)
	}
}

// anchorEvent handles an event for a root that does not exist yet: an
// entry created on the way to it, or the anchor itself going away, moves
// the watch to the right level.
func (w *Watcher) anchorEvent(r *root, p string, op fsnotify.Op) {
	a := r.anchor
	switch {
	case a == "":
		return
	case p == a && (op.Has(fsnotify.Remove) || op.Has(fsnotify.Rename)):
		// The watch died with the folder; a folder re-created under the
		// same name needs a new one.
		w.releaseAnchor(r)
		w.resolve(r, true)
	case op.Has(fsnotify.Create) && filepath.Dir(p) == a && within(p, r.path):
		w.resolve(r, true)
	}
}

// handleError handles an error reported by fsnotify.
func (w *Watcher) handleError(err error) {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		w.overflows++
		w.lastErr = err.Error()
		w.switchAll(reasonOverflow, "the kernel event queue overflowed and events were lost")
		return
	}
	w.lastErr = err.Error()
	w.log.Warn("watch: fsnotify error", "err", err)
}

// limitCode names the inotify limit err hit, or "" for other errors.
func limitCode(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return "ENOSPC"
	case errors.Is(err, syscall.EMFILE):
		return "EMFILE"
	}
	return ""
}

// addFailed handles a watch that could not be added on dir for r: at a
// kernel limit (or on the root itself) the root is polled instead and a
// rescan is requested, since changes may have gone unseen meanwhile.
func (w *Watcher) addFailed(r *root, dir string, err error) {
	if r.returning {
		// An attempt to leave polling: r keeps polling, quietly (see
		// tryReturn); this is no new fallback.
		w.lastErr = fmt.Sprintf("watching %s: %v", dir, err)
		r.retryErr = fmt.Errorf("watching %s: %w", dir, err)
		r.mode = modePoll
		return
	}
	code := limitCode(err)
	detail := ""
	switch code {
	case "ENOSPC":
		detail = "inotify watch limit reached (fs.inotify.max_user_watches)"
	case "EMFILE":
		detail = "too many open files or inotify instances (fs.inotify.max_user_instances)"
	default:
		code = reasonAddFailed
		detail = err.Error()
	}
	w.lastErr = fmt.Sprintf("watching %s: %v", dir, err)
	w.log.Warn("watch: falling back to polling", "root", r.path, "reason", code,
		"dir", dir, "err", err, "interval", w.interval)
	w.startPolling(r, code)
	w.rescans = append(w.rescans, fmt.Sprintf("%s: %s while watching %s (root %s); polling every %s",
		code, detail, dir, r.path, w.interval))
}

// switchAll moves every root fsnotify serves to polling and asks for one
// rescan.
func (w *Watcher) switchAll(code, detail string) {
	var switched []string
	for _, r := range w.roots {
		if r.mode == modeNotify {
			w.startPolling(r, code)
			switched = append(switched, r.path)
		}
	}
	w.log.Warn("watch: falling back to polling", "reason", code, "detail", detail,
		"roots", switched, "interval", w.interval)
	w.rescans = append(w.rescans, fmt.Sprintf("%s: %s; polling every %s", code, detail, w.interval))
}

// startPolling moves r to polling: its watches go, and a snapshot taken
// now is what the first tick compares with. Unless polling is forced, a
// return to fsnotify is planned.
func (w *Watcher) startPolling(r *root, reason string) {
	if r.mode == modePoll {
		return
	}
	w.dropTree(r, r.path)
	w.releaseAnchor(r)
	r.active = false
	r.mode = modePoll
	r.reason = reason
	r.snap, r.snapDirs = scan(r)
	w.guardStale = true // polling checks its root itself
	if reason != reasonForced {
		now := time.Now()
		r.fallbacks++
		r.lastFallback, r.fallbackAt = reason, now
		w.scheduleRetry(now)
	}
	w.releaseIdle() // no root left on fsnotify: free the inotify instance
}
