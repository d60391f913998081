package claude

import (
	"container/heap"
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
	queue  dueQueue         // the entries of due, soonest first, and some outdated ones
	tails  map[*file]int64  // files with an unfinished last line → when to settle it (tailQuiet)
	pidsAt int64            // next check of live process entries; 0 none
}

// agingStep is the granularity of status changes: a deadline is rounded
// up to it, so that sessions written within one step of each other (a
// restored backup, a generated corpus) change together, in one wake-up
// and one event, rather than one wake-up per millisecond.
const agingStep = time.Second

// deadline is when a session built at now from its transcripts'
// activity next changes status or active flag; 0 never. status counts an
// age equal to a window as within it, so the change is the millisecond
// after, rounded up to agingStep.
func (s *Source) deadline(act activity, now time.Time) int64 {
	ms := now.UnixMilli()
	active := s.activeWindow.Milliseconds()
	if act.turn == turnEnded && act.background > 0 {
		// An agent's last write can be older than the session's (the
		// parent ended its turn after it): its working ends first.
		if end := act.background + active + 1; end > ms {
			return roundUp(end)
		}
	}
	if end := act.lastWrite + active + 1; end > ms {
		return roundUp(end) // working ends and active clears
	}
	if act.turn == turnEnded {
		if end := act.lastWrite + s.waitingWindow.Milliseconds() + 1; end > ms {
			return roundUp(end) // waiting turns idle
		}
	}
	return 0
}

func roundUp(ms int64) int64 {
	step := agingStep.Milliseconds()
	return (ms + step - 1) / step * step
}

// noteDue records the next change of session sid (0: none). The queue
// keeps an entry until it comes up, and skips it then if due says
// otherwise; it is rebuilt when outdated entries outnumber current ones,
// so its size stays in proportion to the sessions due.
func (a *aging) noteDue(sid string, at int64) {
	old, had := a.due[sid]
	if at == 0 {
		delete(a.due, sid)
		return
	}
	if had && old == at {
		return
	}
	if a.due == nil {
		a.due = map[string]int64{}
	}
	a.due[sid] = at
	heap.Push(&a.queue, dueEntry{at, sid})
	if len(a.queue) > 2*len(a.due)+64 {
		a.queue = a.queue[:0]
		for sid, at := range a.due {
			a.queue = append(a.queue, dueEntry{at, sid})
		}
		heap.Init(&a.queue)
	}
}

// resetDue forgets every deadline: each session notes its own again.
func (a *aging) resetDue() {
	a.due, a.queue = nil, nil
}

// popDue removes and returns the sessions due by ms.
func (a *aging) popDue(ms int64, into map[string]bool) {
	for len(a.queue) > 0 && a.queue[0].at <= ms {
		e := heap.Pop(&a.queue).(dueEntry)
		if at, ok := a.due[e.sid]; ok && at == e.at {
			delete(a.due, e.sid)
			into[e.sid] = true
		}
	}
}

// soonest is the earliest current deadline, 0 when none; it drops the
// outdated entries it meets on the way.
func (a *aging) soonest() int64 {
	for len(a.queue) > 0 {
		e := a.queue[0]
		if at, ok := a.due[e.sid]; ok && at == e.at {
			return e.at
		}
		heap.Pop(&a.queue)
	}
	return 0
}

type dueEntry struct {
	at  int64
	sid string
}

// dueQueue is a min-heap of deadlines (container/heap).
type dueQueue []dueEntry

func (q dueQueue) Len() int           { return len(q) }
func (q dueQueue) Less(i, j int) bool { return q[i].at < q[j].at }
func (q dueQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *dueQueue) Push(x any)        { *q = append(*q, x.(dueEntry)) }
func (q *dueQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
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
	next := int64(math.MaxInt64)
	if at := a.soonest(); at > 0 {
		next = at
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
// An entry's process first seen gone is noted gone since now.
func (s *Source) livePIDsAt(now time.Time) map[string]pidEntry {
	for path, e := range s.pids {
		if e.goneAt == 0 && e.gone() {
			e.goneAt = now.UnixMilli()
			s.pids[path] = e
		}
	}
	live := livePIDs(s.pids, func(e pidEntry) bool { return e.goneAt > 0 })
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
	s.aging.popDue(ms, touched)
	delete(touched, "")
	return s.rebuild(touched, now)
}

// forgetAging drops what aging holds of f.
func (a *aging) forgetFile(f *file) { delete(a.tails, f) }
