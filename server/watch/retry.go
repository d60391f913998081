package watch

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Back-off between attempts to return from polling to fsnotify. A limit
// hit or a queue overflow is often transient (a burst, another program
// holding watches for a while), so polling is a detour, not a verdict.
const (
	defaultRetryMin = 5 * time.Second
	defaultRetryMax = 5 * time.Minute
)

// nextDelay is the wait before the next attempt after one that waited
// prev: doubled, between lo and hi.
func nextDelay(prev, lo, hi time.Duration) time.Duration {
	d := prev * 2
	if d < lo {
		d = lo
	}
	if d > hi {
		d = hi
	}
	return d
}

// jitter spreads d over ±20% so that several helmd instances hitting the
// same limit do not retry in step.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	spread := d * 2 / 5
	if spread <= 0 {
		return d
	}
	return d - spread/2 + rand.N(spread)
}

// scheduleRetry plans the return to fsnotify after a fallback, unless an
// attempt is already planned. A fallback soon after a return (within
// retryMax) keeps doubling the delay, so a root that overflows again and
// again does not flap between the two modes every few seconds.
func (w *Watcher) scheduleRetry(now time.Time) {
	if !w.retryAt.IsZero() {
		return
	}
	if w.lastReturn.IsZero() || now.Sub(w.lastReturn) > w.retryMax {
		w.retryDelay = w.retryMin
	} else {
		w.retryDelay = nextDelay(w.retryDelay, w.retryMin, w.retryMax)
	}
	w.retryAt = now.Add(jitter(w.retryDelay))
}

// retryDue reports whether some root waits for a return and its time has
// come.
func (w *Watcher) retryDue(now time.Time) bool {
	return !w.retryAt.IsZero() && !now.Before(w.retryAt)
}

// openNotify creates the fsnotify watcher and the goroutine that drains
// its errors.
func (w *Watcher) openNotify() error {
	fs, err := w.newNotify()
	if err != nil {
		return fmt.Errorf("creating an fsnotify watcher: %w", err)
	}
	w.fs = fs
	w.fsErrs = make(chan error, errBuffer)
	w.stopFwd, w.fwdDone = make(chan struct{}), make(chan struct{})
	go forwardErrors(fs.Errors, w.fsErrs, w.stopFwd, w.fwdDone)
	return nil
}

// retry tries to put every root that fell back to polling under fsnotify
// again. Roots whose watches hold switch back, with one Rescan for all
// of them (whatever changed between the last poll and the new watches is
// otherwise unseen); the others keep polling until the next attempt.
func (w *Watcher) retry(now time.Time) {
	w.retryAt = time.Time{}
	if w.fs == nil {
		if err := w.openNotify(); err != nil {
			w.lastErr = err.Error()
			w.retryFailed(now, err)
			return
		}
	}
	var back []string
	var failed error
	for _, r := range w.roots {
		if r.mode != modePoll || r.reason == reasonForced {
			continue
		}
		if err := w.tryReturn(r, now); err != nil {
			failed = err
			continue
		}
		back = append(back, r.path)
	}
	if failed != nil {
		w.retryFailed(now, failed)
	} else {
		w.lastReturn = now
	}
	if len(back) > 0 {
		w.log.Info("watch: back to fsnotify", "roots", back)
		w.rescans = append(w.rescans, "fsnotify watches restored after polling ("+
			strings.Join(back, ", ")+"); changes made during the switch may have been missed")
	}
	w.releaseIdle()
}

// retryFailed plans the next attempt, further away.
func (w *Watcher) retryFailed(now time.Time, err error) {
	w.retryDelay = nextDelay(w.retryDelay, w.retryMin, w.retryMax)
	w.retryAt = now.Add(jitter(w.retryDelay))
	w.log.Info("watch: still polling; fsnotify watches do not hold yet",
		"err", err, "next", w.retryDelay)
}

// tryReturn adds r's watches again. On failure r keeps polling with its
// snapshot untouched (so the next poll still reports what changed), and
// the watches added on the way are released.
func (w *Watcher) tryReturn(r *root, now time.Time) error {
	r.mode = modeNotify
	r.returning, r.retryErr = true, nil
	w.resolve(r, false)
	r.returning = false
	if err := r.retryErr; err != nil {
		r.retryErr = nil
		w.dropTree(r, r.path)
		w.releaseAnchor(r)
		r.active = false
		r.mode = modePoll
		return err
	}
	r.reason = ""
	r.snap, r.snapDirs = nil, 0
	r.returns++
	r.returnedAt = now
	return nil
}

// releaseIdle frees the inotify instance when no root uses it.
func (w *Watcher) releaseIdle() {
	for _, r := range w.roots {
		if r.mode == modeNotify {
			return
		}
	}
	w.closeNotify()
}

// defaultNotify is the real fsnotify watcher; tests replace newNotify.
func defaultNotify() (*fsnotify.Watcher, error) { return fsnotify.NewBufferedWatcher(eventBuffer) }
