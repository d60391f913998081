package watch

import (
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// TestReturnToNotify forces each kind of fallback, keeps the watches
// failing for a few attempts, then lets them hold: the root goes back to
// fsnotify, Status shows both moves, and a file written afterwards is
// reported from an fsnotify event.
func TestReturnToNotify(t *testing.T) {
	tests := []struct {
		name string
		code string
		// fallbackRescans is 1 when the fallback asks for a rescan: not at
		// start, before anything was reported.
		fallbackRescans int
		// arm installs the failure; it fails while failing is set and
		// counts the attempts it refused.
		arm func(h *harness, failing *atomic.Bool, refused *atomic.Int64)
		// trigger causes the fallback once Run is going (nil: at start).
		trigger func(h *harness)
	}{
		{"ENOSPC", "ENOSPC", 1, func(h *harness, failing *atomic.Bool, refused *atomic.Int64) {
			h.w.addWatch = func(p string) error {
				if failing.Load() {
					refused.Add(1)
					return fmt.Errorf("add %s: %w", p, syscall.ENOSPC)
				}
				return h.w.fs.Add(p)
			}
		}, nil},
		{"EMFILE", "EMFILE", 1, func(h *harness, failing *atomic.Bool, refused *atomic.Int64) {
			h.w.addWatch = func(p string) error {
				if failing.Load() {
					refused.Add(1)
					return fmt.Errorf("add %s: %w", p, syscall.EMFILE)
				}
				return h.w.fs.Add(p)
			}
		}, nil},
		{"NewWatcher failed", "NewWatcher failed", 0, func(h *harness, failing *atomic.Bool, refused *atomic.Int64) {
			h.w.newNotify = func() (*fsnotify.Watcher, error) {
				if failing.Load() {
					refused.Add(1)
					return nil, fmt.Errorf("inotify_init1: %w", syscall.EMFILE)
				}
				return defaultNotify()
			}
		}, nil},
		{"overflow", "overflow", 1, func(h *harness, failing *atomic.Bool, refused *atomic.Int64) {
			// The instance closed after the overflow is replaced by a new
			// one; making that fail for a while exercises the back-off.
			h.w.newNotify = func() (*fsnotify.Watcher, error) {
				if failing.Load() && h.w.started.Load() && h.w.Status().Overflows > 0 {
					refused.Add(1)
					return nil, fmt.Errorf("inotify_init1: %w", syscall.EMFILE)
				}
				return defaultNotify()
			}
		}, func(h *harness) { h.w.inject <- fsnotify.ErrEventOverflow }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			mkdir(t, join(dir, "a"))
			h := prepare(Options{Specs: []Spec{{Path: dir, Depth: 1}}, PollInterval: fastPoll})
			h.w.retryMin, h.w.retryMax = 5*time.Millisecond, 40*time.Millisecond
			var failing atomic.Bool
			var refused atomic.Int64
			failing.Store(true)
			tc.arm(h, &failing, &refused)
			h.run(t)
			if tc.trigger != nil {
				tc.trigger(h)
			}
			st := h.waitStatus(t, "polling", func(st Status) bool { return st.Roots[0].Mode == "polling" })
			if r := st.Roots[0]; r.Reason != tc.code || r.LastFallback != tc.code || r.Fallbacks != 1 ||
				r.FallbackAt == 0 || r.NextRetry == 0 || r.Returns != 0 {
				t.Fatalf("root status = %+v, want one fallback because %s and a planned retry", r, tc.code)
			}
			checkPolling(t, h, dir)

			// Attempts made while the failure lasts keep the root polling,
			// quietly: no new fallback, no new Rescan.
			before := refused.Load()
			waitUntil(t, nil, func() bool { return refused.Load() >= before+2 },
				func() string { return "two more refused attempts" })
			st = h.w.Status()
			if r := st.Roots[0]; r.Mode != "polling" || r.Fallbacks != 1 || r.Returns != 0 {
				t.Fatalf("root status = %+v after failed attempts, want still one fallback, polling", r)
			}
			if r := h.rec.rescanList(); len(r) != tc.fallbackRescans {
				t.Fatalf("Rescan reasons = %q, want only the fallback's (%d)", r, tc.fallbackRescans)
			}

			failing.Store(false)
			st = h.waitStatus(t, "back to fsnotify", func(st Status) bool { return st.Roots[0].Mode == "fsnotify" })
			if r := st.Roots[0]; r.Returns != 1 || r.ReturnedAt < r.FallbackAt || r.Fallbacks != 1 ||
				r.LastFallback != tc.code || r.Reason != "" || r.NextRetry != 0 || !r.Exists {
				t.Errorf("root status = %+v, want one fallback (%s) and one return", r, tc.code)
			}
			want := tc.fallbackRescans + 1
			waitUntil(t, h.rec.signal, func() bool { return len(h.rec.rescanList()) == want },
				func() string { return fmt.Sprintf("a Rescan for the return; have %q", h.rec.rescanList()) })
			if r := h.rec.rescanList(); !strings.Contains(r[want-1], "restored") || !strings.Contains(r[want-1], dir) {
				t.Errorf("Rescan reasons = %q, want the last to name the return and the root", r)
			}
			// Root, a and the slug folder checkPolling made are watched.
			if st.WatchedDirs != 3 {
				t.Errorf("WatchedDirs = %d, want 3 inotify watches", st.WatchedDirs)
			}

			// Written after the return: reported, and from an fsnotify
			// event (the root is no longer polled, and Events moved).
			events := h.w.Status().Events
			mark := h.rec.mark()
			f := join(dir, "a", "after.jsonl")
			write(t, f, "x\n")
			h.rec.waitPaths(t, mark, f)
			if got := h.w.Status().Events; got <= events {
				t.Errorf("Events = %d after the write, was %d: the write was not seen by fsnotify", got, events)
			}
			// A folder made later is watched too.
			mark = h.rec.mark()
			mkdir(t, join(dir, "b"))
			write(t, join(dir, "b", "s.jsonl"), "x\n")
			h.rec.waitPaths(t, mark, join(dir, "b"), join(dir, "b", "s.jsonl"))
		})
	}
}

// TestForcedPollingStays: --poll never tries fsnotify, however short the
// back-off.
func TestForcedPollingStays(t *testing.T) {
	dir := t.TempDir()
	h := prepare(Options{Specs: []Spec{{Path: dir, Depth: 1}}, Poll: true, PollInterval: fastPoll})
	h.w.retryMin, h.w.retryMax = time.Nanosecond, time.Nanosecond
	var created atomic.Int64
	h.w.newNotify = func() (*fsnotify.Watcher, error) {
		created.Add(1)
		return defaultNotify()
	}
	h.run(t)
	checkPolling(t, h, dir) // many ticks go by
	if r := h.w.Status().Roots[0]; r.Mode != "polling" || r.Reason != "forced" ||
		r.Fallbacks != 0 || r.Returns != 0 || r.NextRetry != 0 {
		t.Errorf("root status = %+v, want forced polling, no fallback, no return, no retry", r)
	}
	if n := created.Load(); n != 0 {
		t.Errorf("%d fsnotify watchers created under forced polling, want none", n)
	}
}

// TestReturnPartly has one root whose watches keep failing and one whose
// watches hold: the second returns alone, the first keeps polling.
func TestReturnPartly(t *testing.T) {
	good, bad := t.TempDir(), t.TempDir()
	h := prepare(Options{Specs: []Spec{{Path: good}, {Path: bad}}, PollInterval: fastPoll})
	h.w.retryMin, h.w.retryMax = 5*time.Millisecond, 20*time.Millisecond
	var failGood atomic.Bool
	failGood.Store(true)
	h.w.addWatch = func(p string) error {
		if p == bad || (p == good && failGood.Load()) {
			return fmt.Errorf("add %s: %w", p, syscall.ENOSPC)
		}
		return h.w.fs.Add(p)
	}
	h.run(t)
	h.waitStatus(t, "both polling", func(st Status) bool {
		return st.Roots[0].Mode == "polling" && st.Roots[1].Mode == "polling"
	})
	failGood.Store(false)
	st := h.waitStatus(t, "good back", func(st Status) bool { return st.Roots[0].Mode == "fsnotify" })
	if r := st.Roots[1]; r.Mode != "polling" || r.Returns != 0 || r.NextRetry == 0 {
		t.Errorf("failing root status = %+v, want polling with a planned retry", r)
	}
	mark := h.rec.mark()
	write(t, join(good, "g.jsonl"), "x\n")
	write(t, join(bad, "b.jsonl"), "x\n") // by polling
	h.rec.waitPaths(t, mark, join(good, "g.jsonl"), join(bad, "b.jsonl"))
}

func TestBackoff(t *testing.T) {
	lo, hi := 5*time.Second, 5*time.Minute
	tests := []struct{ prev, want time.Duration }{
		{0, lo},
		{lo, 10 * time.Second},
		{80 * time.Second, 160 * time.Second},
		{160 * time.Second, hi},
		{hi, hi},
	}
	for _, tc := range tests {
		if got := nextDelay(tc.prev, lo, hi); got != tc.want {
			t.Errorf("nextDelay(%s) = %s, want %s", tc.prev, got, tc.want)
		}
	}
	d := 10 * time.Second
	seen := map[time.Duration]bool{}
	for range 200 {
		j := jitter(d)
		if j < 8*time.Second || j >= 12*time.Second {
			t.Fatalf("jitter(%s) = %s, outside ±20%%", d, j)
		}
		seen[j] = true
	}
	if len(seen) < 2 {
		t.Errorf("jitter(%s) gave %d distinct values in 200 draws", d, len(seen))
	}
}

// TestRetrySchedule: a first fallback waits retryMin; one soon after a
// return waits twice as long as the last wait (a root that overflows again
// and again settles on polling instead of flapping); one long after a
// return starts over.
func TestRetrySchedule(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	tests := []struct {
		name       string
		lastReturn time.Time
		prevDelay  time.Duration
		want       time.Duration
	}{
		{"first fallback", time.Time{}, 0, defaultRetryMin},
		{"soon after a return", now.Add(-time.Minute), 20 * time.Second, 40 * time.Second},
		{"long after a return", now.Add(-time.Hour), 80 * time.Second, defaultRetryMin},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := New(Options{})
			w.lastReturn, w.retryDelay = tc.lastReturn, tc.prevDelay
			w.scheduleRetry(now)
			if w.retryDelay != tc.want {
				t.Errorf("delay = %s, want %s", w.retryDelay, tc.want)
			}
			if wait := w.retryAt.Sub(now); wait < tc.want*4/5 || wait > tc.want*6/5 {
				t.Errorf("retry in %s, want %s ±20%%", wait, tc.want)
			}
			at := w.retryAt
			w.scheduleRetry(now.Add(time.Second)) // a second fallback: the plan stands
			if w.retryAt != at {
				t.Errorf("retry moved from %s to %s by a second fallback", at, w.retryAt)
			}
		})
	}
}
