package watch

// Status describes the watcher for /api/status.
type Status struct {
	Roots       []RootStatus `json:"roots"` // one per Spec
	WatchedDirs int          `json:"watchedDirs"`
	Overflows   int          `json:"overflows"`
	Events      int64        `json:"events"` // fs events received
	LastError   string       `json:"lastError,omitempty"`
}

// RootStatus describes one Spec.
type RootStatus struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	Mode   string `json:"mode"`             // "fsnotify" | "polling"
	Reason string `json:"reason,omitempty"` // why polling (forced, ENOSPC, EMFILE, overflow, NewWatcher failed)
}

// Status returns a snapshot of the watcher's state; it is safe for
// concurrent use.
func (w *Watcher) Status() Status {
	w.mu.Lock()
	st := w.status
	w.mu.Unlock()
	st.Roots = append([]RootStatus(nil), st.Roots...)
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
	for _, r := range w.roots {
		rs := RootStatus{Path: r.path, Mode: r.mode.String(), Reason: r.reason}
		if r.mode == modePoll {
			_, rs.Exists = r.snap[r.path]
			st.WatchedDirs += r.snapDirs
		} else {
			rs.Exists = r.active
		}
		st.Roots = append(st.Roots, rs)
	}
	w.mu.Lock()
	w.status = st
	w.mu.Unlock()
}
