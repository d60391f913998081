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
		if f.agg.compact(&scratch, nil) && f.indexed {
			s.rekey(f)
		}
	}
}

// compactRead compacts f in the scan worker that has just read it, when
// it is quiet (as compactQuiet decides) and not yet in the dedup index,
// the case of every file of a cold scan. Done there, the work is spread
// over the workers instead of following the scan on one core, and the
// index is then filled from the blob's keys (eachKey), so no rekey is
// needed to let the maps' strings go.
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

// rekey keys the dedup index's entries for f's responses with the
// strings of f's blob (eachKey), so that the strings the maps had are
// freed: one string per response, 16 MB at 100,000 sessions. A map
// keeps the key it was first given, so each entry is taken out and put
// back.
func (s *Source) rekey(f *file) {
	f.agg.eachKey(func(k string) {
		if own, ok := s.owner[k]; ok {
			delete(s.owner, k)
			s.owner[k] = own
		}
		if rest, ok := s.others[k]; ok {
			delete(s.others, k)
			s.others[k] = rest
		}
	})
}
