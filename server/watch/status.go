package watch

import "time"

// Status describes the watcher for /api/status.
type Status struct {
	Roots       []RootStatus `json:"roots"` // one per Spec
	WatchedDirs int          `json:"watchedDirs"`
	// WatchedLinks counts the links to files followed live, each by a
	// watch on its target (links.go).
	WatchedLinks int    `json:"watchedLinks,omitempty"`
	Overflows    int    `json:"overflows"`
	Events       int64  `json:"events"` // fs events received
	LastError    string `json:"lastError,omitempty"`
	// RootChecks says how a move of a folder above a root (which the
	// root's own watches cannot hear) is noticed: "events" from the guard,
	// "every <interval>" by a stat of each root, "" with no root on
	// fsnotify.
	RootChecks string `json:"rootChecks,omitempty"`
}

// RootStatus describes one Spec. Times are Unix milliseconds.
type RootStatus struct {
	Path string `json:"path"`
	// Exists says whether a folder is at Path when Status is called.
	Exists bool   `json:"exists"`
	Mode   string `json:"mode"`             // "fsnotify" | "polling"
	Reason string `json:"reason,omitempty"` // why polling now (forced, ENOSPC, EMFILE, overflow, NewWatcher failed, …)
	// NextRetry is when the watcher next tries to leave polling (not
	// with forced polling).
	NextRetry int64 `json:"nextRetry,omitempty"`
	// Fallbacks counts the switches to polling (forced polling is none),
	// Returns the switches back to fsnotify.
	Fallbacks int `json:"fallbacks"`
	Returns   int `json:"returns"`
	// LastFallback is the reason of the latest fallback, kept after the
	// return; FallbackAt and ReturnedAt date the latest of each.
	LastFallback string `json:"lastFallback,omitempty"`
	FallbackAt   int64  `json:"fallbackAt,omitempty"`
	ReturnedAt   int64  `json:"returnedAt,omitempty"`
	// Vanished counts the times the folder at Path went away while
	// watched: deleted, renamed or replaced (then watched again from Path
	// when a folder is there).
	Vanished int `json:"vanished"`
}

// Status returns a snapshot of the watcher's state; it is safe for
// concurrent use. Exists is checked now, so it is true only while a
// folder is at the root's path, even if the watcher has not caught up
// with a move yet.
func (w *Watcher) Status() Status {
	w.mu.Lock()
	st := w.status
	w.mu.Unlock()
	st.Roots = append([]RootStatus(nil), st.Roots...)
	for i := range st.Roots {
		st.Roots[i].Exists = isDir(st.Roots[i].Path)
	}
	st.Events = w.events.Load()
	return st
}

// publish refreshes the snapshot Status returns; only Run's goroutine
// (or New, before it starts) calls it.
func (w *Watcher) publish() {
	st := Status{
		Roots:     make([]RootStatus, 0, len(w.roots)),
		Overflows: w.overflows,
		LastError: w.lastErr,
	}
	// Folders held by fsnotify (anchors included), plus the folders polled.
	st.WatchedDirs = len(w.refs)
	st.WatchedLinks = len(w.links)
	switch {
	case w.guard != nil:
		st.RootChecks = "events"
	case w.ticking && w.notifyRoots():
		st.RootChecks = "every " + w.interval.String()
	}
	for _, r := range w.roots {
		rs := RootStatus{
			Path: r.path, Mode: r.mode.String(), Reason: r.reason,
			Fallbacks: r.fallbacks, Returns: r.returns, LastFallback: r.lastFallback,
			FallbackAt: unixMilli(r.fallbackAt), ReturnedAt: unixMilli(r.returnedAt),
			Vanished: r.vanished,
		}
		if r.mode == modePoll {
			st.WatchedDirs += r.snapDirs
			if r.reason != reasonForced {
				rs.NextRetry = unixMilli(w.retryAt)
			}
		}
		st.Roots = append(st.Roots, rs)
	}
	w.mu.Lock()
	w.status = st
	w.mu.Unlock()
}

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
