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
		if f.modTime().Before(quietSince) {
			f.agg.compact(&scratch)
		}
	}
}
