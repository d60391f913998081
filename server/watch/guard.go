package watch

import (
	"io/fs"
	"os"
	"path/filepath"
)

// guardPlan is what the guard watches, by folder.
type guardPlan map[string]*guardDir

// guardDir is what matters of one folder: itself moved or deleted (self),
// and the creation, removal or renaming of the entries named.
type guardDir struct {
	self  bool
	names map[string]bool
}

// guardRounds bounds the re-arming after one change: each round may find
// a root moved, which changes the plan again.
const guardRounds = 8

// planGuard lists, for every root fsnotify serves, what may move it
// without an event from its own watches (see reach).
func (w *Watcher) planGuard() guardPlan {
	plan := guardPlan{}
	for _, r := range w.roots {
		if r.mode == modeNotify {
			plan.reach(r.path, 0)
		}
	}
	// A folder that is itself a watched root hears its own move (treeEvent,
	// which checks the roots below it): the guard hearing it too would
	// handle the move twice, the second time from an event that may come
	// after the new folder at the path is watched.
	for _, r := range w.roots {
		if d := plan[r.path]; d != nil && r.mode == modeNotify && r.active {
			d.self = false
			if len(d.names) == 0 {
				delete(plan, r.path)
			}
		}
	}
	return plan
}

// maxHops bounds the symlinks followed from one root (a loop of links
// must not loop here).
const maxHops = 8

// reach adds what leads to p: each folder above it (moving one takes p
// along), the folder holding each symlink on the way and each missing
// entry (pointing the link elsewhere, or creating the entry, changes what
// is at p), and the same for the target of each of those symlinks.
func (plan guardPlan) reach(p string, hops int) {
	for {
		parent := filepath.Dir(p)
		if parent == p {
			return
		}
		fi, err := os.Lstat(p)
		switch {
		case err != nil:
			plan.entry(parent, filepath.Base(p))
		case fi.Mode()&fs.ModeSymlink != 0:
			plan.entry(parent, filepath.Base(p))
			if target, err := os.Readlink(p); err == nil && hops < maxHops {
				if !filepath.IsAbs(target) {
					target = filepath.Join(parent, target)
				}
				plan.reach(target, hops+1)
			}
		}
		plan.dir(parent).self = true
		p = parent
	}
}

func (plan guardPlan) dir(p string) *guardDir {
	d := plan[p]
	if d == nil {
		d = &guardDir{}
		plan[p] = d
	}
	return d
}

func (plan guardPlan) entry(dir, name string) {
	d := plan.dir(dir)
	if d.names == nil {
		d.names = make(map[string]bool)
	}
	d.names[name] = true
}

// fireGuard wakes Run; called from the guard's goroutine. One pending
// wake-up stands for any number.
func (w *Watcher) fireGuard() {
	select {
	case w.guardC <- struct{}{}:
	default:
	}
}

// guardFired handles a wake-up from the guard: something above a root
// moved, so the guard is re-armed on the folders now at those paths and
// the roots are checked.
func (w *Watcher) guardFired() {
	if w.guard != nil && w.guard.broken() {
		w.lastErr = "the inotify guard of the roots' folders stopped"
		w.log.Warn("watch: cannot watch the folders above the roots; checking them on every tick",
			"interval", w.interval)
		w.closeGuard()
		w.guardOff = true
		w.checkRoots()
		return
	}
	w.guardStale = true
}

// settleGuard re-arms the guard after the roots changed (resolved,
// moved, polled), then checks the roots: whatever moved before the new
// watches were in place is found by the check, whatever moves after by
// the watches.
func (w *Watcher) settleGuard() {
	for i := 0; w.guardStale && i < guardRounds; i++ {
		w.guardStale = false
		w.armGuard()
		if w.guard != nil {
			w.checkRoots()
		}
	}
}

// armGuard replaces the guard with one for the roots' current folders;
// with no root on fsnotify there is none.
func (w *Watcher) armGuard() {
	if w.guardOff {
		return
	}
	plan := w.planGuard()
	if len(plan) == 0 {
		w.closeGuard()
		return
	}
	g, err := openGuard(plan, w.fireGuard)
	w.closeGuard()
	if err != nil {
		w.lastErr = err.Error()
		w.log.Warn("watch: cannot watch the folders above the roots; checking them on every tick",
			"err", err, "interval", w.interval)
		w.guardOff = true
		return
	}
	w.guard = g
}

func (w *Watcher) closeGuard() {
	if w.guard != nil {
		w.guard.close()
		w.guard = nil
	}
}

// needTick reports whether anything needs the ticker: a polled root, a
// planned return to fsnotify, or roots whose folders no guard watches.
func (w *Watcher) needTick() bool {
	if !w.retryAt.IsZero() {
		return true
	}
	if len(w.roots) > 0 && (w.guardOff || w.guardStale) {
		return true
	}
	for _, r := range w.roots {
		if r.mode == modePoll {
			return true
		}
	}
	return false
}

// notifyRoots reports whether fsnotify serves some root.
func (w *Watcher) notifyRoots() bool {
	for _, r := range w.roots {
		if r.mode == modeNotify {
			return true
		}
	}
	return false
}

// pace starts or stops the ticker as needTick says, so that an idle
// watcher with every root on fsnotify never wakes.
func (w *Watcher) pace() {
	need := w.needTick()
	if need == w.ticking {
		return
	}
	w.ticking = need
	if need {
		w.ticker.Reset(w.interval)
	} else {
		w.ticker.Stop()
	}
}
