package claude

import "time"

// compactQuiet compacts (aggregate.compact) every transcript not written
// for the active window: after a scan of 100,000 sessions almost every
// file is finished, and keeping their id maps would cost more than the
// rest of the Source together. A file written recently keeps its maps,
// as its next line is likely seconds away; one that grows later decodes
// them once (refresh) and keeps them until a later scan finds it quiet.
//
// A cold scan's workers have already compacted the files they read
// (compactRead), so what is left here is the few that were not: files
// read earlier and indexed since.
func (s *Source) compactQuiet(now time.Time) {
	var scratch []byte
	quietSince := now.Add(-s.activeWindow)
	waitSince := now.Add(-s.waitingWindow).UnixMilli()
	for _, f := range s.reg.files {
		f.dropQuestion(waitSince)
		if f.agg.lazy != nil || !f.modTime().Before(quietSince) {
			continue
		}
		// The index keeps its entries: its keys are values (rkey), and
		// hold none of the maps' memory.
		f.agg.compact(&scratch, nil)
	}
}

// compactRead compacts f in the scan worker that has just read it, when
// it is quiet (as compactQuiet decides) and not yet in the dedup index,
// the case of every file of a cold scan. Done there, the work is spread
// over the workers instead of following the scan on one core, and the
// index is then filled from the blob's keys (eachKey).
//
// Its list of responses new to the index (dirty) is dropped first:
// index reads every key of a file it has not indexed, so the list only
// matters for a file already indexed, and compact refuses while it holds
// anything.
func (f *file) compactRead(quietSince time.Time, scratch *[]byte, pk *pack) {
	if f.indexed || f.agg.lazy != nil || !f.seen || !f.modTime().Before(quietSince) {
		return
	}
	f.agg.dirty = nil
	f.agg.compact(scratch, pk)
}

// responseCount is the number of responses of a, counted in the blob
// while the id sets are encoded.
func (a *aggregate) responseCount() int {
	if a.lazy == nil {
		return len(a.responses)
	}
	d := a.lazy.ids()
	return d.count()
}
