package opencode

import (
	"context"
	"time"

	"vibecraft.sh/helm/shared"
)

// A session's status and active flag are functions of the time. Instead
// of recomputing every session on a tick, the Source notes, when it builds
// a session, the next moment one of them can change, and Aged rebuilds
// only the sessions whose moment has come (see live.Ager).

// deadline is the first moment after now at which f's status or active
// flag can change: the end of the working, waiting or active window;
// zero when every window has passed.
func (f *facts) deadline(now time.Time, workingWindow, waitingWindow time.Duration) time.Time {
	base := time.UnixMilli(max(f.updatedAt, f.last.created))
	var next time.Time
	for _, at := range []time.Time{base.Add(workingWindow), base.Add(waitingWindow), time.UnixMilli(f.updatedAt).Add(activeWindow)} {
		if at.After(now) && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// build builds f at now and notes when it is next due. Callers hold mu.
func (s *Source) build(f *facts, now time.Time) shared.Session {
	if at := f.deadline(now, s.opts.WorkingWindow, s.opts.WaitingWindow); at.IsZero() {
		delete(s.due, f.id)
	} else {
		if s.due == nil {
			s.due = map[string]time.Time{}
		}
		s.due[f.id] = at
	}
	return f.build(now, s.opts.WorkingWindow, s.opts.WaitingWindow)
}

// NextChange is the earliest moment a session's time-derived fields can
// change; zero when none can until the store changes. Only sessions
// written within the waiting window are looked at.
func (s *Source) NextChange() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.retryAt // a read the lock refused, due again
	for _, at := range s.due {
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

// Aged rebuilds the sessions due by now. It reads nothing, but for a
// read of the database that another program's lock refused, once its
// retry is due: what a hint would have brought.
func (s *Source) Aged() (changed []shared.Session, removed []string) {
	var affected map[string]bool
	if !s.retryAt.IsZero() && !s.retryAt.After(s.now()) {
		// live gives Aged no context; the list's busy timeout bounds the
		// wait for the lock, and an update's own size the read.
		affected = s.readDBSettled(context.Background())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if affected != nil {
		s.loadFallbacks(affected)
		changed, removed = s.diff(affected)
		s.noteCounts()
	}
	now := s.now()
	for id, at := range s.due {
		if at.After(now) || affected[id] {
			continue // not due, or just built by diff
		}
		f := s.lookup(id)
		if f == nil {
			delete(s.due, id)
			continue
		}
		changed = append(changed, s.build(f, now))
	}
	return changed, nil
}
