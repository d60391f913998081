package claude

import (
	"math"
	"time"

	"vibecraft.sh/helm/shared"
)

// A session's status and active flag are functions of the time, so they
// change while its files are quiet. Rather than recomputing every session
// on a tick (work proportional to the workspace, forever), the Source
// notes for each session the moment its derived fields will next change,
// when building it, and Aged rebuilds only the sessions whose moment has
// come. With nothing due, nothing runs.

// pidPoll is how often live process registry entries are checked for a
// process that ended without removing its file (a crash, a kill -9).
// Only entries whose process was alive at the last check cost anything.
const pidPoll = 10 * time.Second

// aging is the Source's record of future changes; guarded by Source.mu.
type aging struct {
	due    map[string]int64 // session → epoch ms its status or active flag next changes
	min    int64            // the smallest value in due; valid when !stale
	stale  bool             // min must be recomputed
	tails  map[*file]int64  // files with an unfinished last line → when to settle it (tailQuiet)
	pidsAt int64            // next check of live process entries; 0 none
}

// deadline is when a session built at now from a tail turn t, last
// written at lastWrite, next changes status or active flag; 0 never.
// status counts an age equal to a window as within it, so the change is
// the millisecond after.
func (s *Source) deadline(t turn, lastWrite int64, now time.Time) int64 {
	ms := now.UnixMilli()
	if end := lastWrite + s.activeWindow.Milliseconds() + 1; end > ms {
		return end // working ends and active clears
	}
	if t == turnEnded {
		if end := lastWrite + s.waitingWindow.Milliseconds() + 1; end > ms {
			return end // waiting turns idle
		}
	}
	return 0
}

// noteDue records the next change of session sid (0: none).
func (a *aging) noteDue(sid string, at int64) {
	if a.due == nil {
		a.due = map[string]int64{}
	}
	old, had := a.due[sid]
	if at == 0 {
		delete(a.due, sid)
	} else {
		a.due[sid] = at
		if !a.stale && (len(a.due) == 1 && !had || at < a.min) {
			a.min = at
		}
	}
	if had && old == a.min && at != old {
		a.stale = true
	}
}

// noteTail tracks whether f has an unfinished last line to settle later:
// tailQuiet after its last change, or, when that is past (a read that
// failed), tailQuiet from now, so a file that cannot be read is retried
// once a second rather than in a loop.
func (a *aging) noteTail(f *file, now time.Time) {
	if f.hasTail() {
		if a.tails == nil {
			a.tails = map[*file]int64{}
		}
		at := f.modTime().Add(tailQuiet)
		if !at.After(now) {
			at = now.Add(tailQuiet)
		}
		a.tails[f] = at.UnixMilli()
	} else {
		delete(a.tails, f)
	}
}

// next is the earliest moment anything is due, 0 when nothing is.
func (a *aging) next() int64 {
	if a.stale {
		a.min, a.stale = math.MaxInt64, false
		for _, at := range a.due {
			a.min = min(a.min, at)
		}
	}
	next := int64(math.MaxInt64)
	if len(a.due) > 0 {
		next = a.min
	}
	for _, at := range a.tails {
		next = min(next, at)
	}
	if a.pidsAt > 0 {
		next = min(next, a.pidsAt)
	}
	if next == math.MaxInt64 {
		return 0
	}
	return next
}

// livePIDsAt is livePIDs, noting when live entries need checking again.
func (s *Source) livePIDsAt(now time.Time) map[string]pidEntry {
	live := livePIDs(s.pids)
	s.aging.pidsAt = 0
	for _, e := range live {
		if !e.ended {
			s.aging.pidsAt = now.Add(pidPoll).UnixMilli()
			break
		}
	}
	return live
}

// NextChange is the earliest moment at which a session's time-derived
// fields change, or a quiet tail or a live process needs a look: when
// Live should call Aged. The zero time: nothing is due, ever, until a
// file changes.
func (s *Source) NextChange() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ms := s.aging.next(); ms > 0 {
		return time.UnixMilli(ms)
	}
	return time.Time{}
}

// Aged rebuilds the sessions whose time-derived fields are due to change
// by now, settles quiet tails and, when due, rechecks live processes. It
// reads no file but those with a quiet tail, and touches no other session.
func (s *Source) Aged() (changed []shared.Session, removed []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ms := now.UnixMilli()
	touched := map[string]bool{}
	s.settleTails(now, touched)
	if s.aging.pidsAt > 0 && s.aging.pidsAt <= ms {
		for _, e := range s.pids {
			touched[e.SessionID] = true
		}
	}
	for sid, at := range s.aging.due {
		if at <= ms {
			touched[sid] = true
		}
	}
	delete(touched, "")
	return s.rebuild(touched, now)
}

// forgetAging drops what aging holds of f.
func (a *aging) forgetFile(f *file) { delete(a.tails, f) }
