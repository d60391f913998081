package claude

import "time"

// compactQuiet compacts (aggregate.compact) every transcript not written
// for the active window: after a scan of 100,000 sessions almost every
// file is finished, and keeping their id maps would cost more than the
// rest of the Source together. A file written recently keeps its maps,
// as its next line is likely seconds away; one that grows later decodes
// them once (refresh) and keeps them until a later scan finds it quiet.
func (s *Source) compactQuiet(now time.Time) {
	var scratch []byte
	quietSince := now.Add(-s.activeWindow)
	for _, f := range s.reg.files {
		if f.agg.lazy != nil || !f.modTime().Before(quietSince) {
			continue
		}
		if f.agg.compact(&scratch) && f.indexed {
			s.rekey(f)
		}
	}
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
