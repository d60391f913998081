package claude

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Stats are counters since the Source was made, for GET /api/status.
type Stats struct {
	Files        int   `json:"files"`        // transcripts followed (sessions and subagents)
	Sessions     int   `json:"sessions"`     // sessions at the last Scan or Update
	FilesRead    int64 `json:"filesRead"`    // reads of a file that had new bytes
	BytesRead    int64 `json:"bytesRead"`    // bytes read from transcripts
	Lines        int64 `json:"lines"`        // complete lines parsed
	LinesSkipped int64 `json:"linesSkipped"` // malformed lines skipped, each time one is read
	UnknownTypes int64 `json:"unknownTypes"` // lines of a record type Helm does not know, each time one is read
	// OddCounts are token counts of usage read as none: a fraction, a
	// negative, a number past any request's (shared.TokenCount), a
	// string. Their line counts; that count of it does not. Unlike the
	// counters above, it is of the transcripts followed now, as last
	// read (a file re-read whole counts once), and survives a restart
	// through the scan cache: it says how many figures the tokens and
	// costs shown lack, which a restart does not change.
	OddCounts int64 `json:"oddCounts"`
	// MalformedLines and UnknownRecords are the lines of LinesSkipped and
	// UnknownTypes in the transcripts followed now, as last read, as
	// OddCounts is: what helmd status says the files hold.
	MalformedLines int64  `json:"malformedLines"`
	UnknownRecords int64  `json:"unknownRecords"`
	Resets         int64  `json:"resets"` // files re-read whole (truncated or replaced)
	ReadErrors     int64  `json:"readErrors"`
	SkippedPaths   int64  `json:"skippedPaths"` // unreadable folders, folders named like transcripts
	FromCache      int64  `json:"fromCache"`    // files unchanged since the scan cache was saved: not read at all
	CacheResumed   int64  `json:"cacheResumed"` // files grown (or touched) since: read from the cached offset
	LastError      string `json:"lastError,omitempty"`
	// UnpricedModels are models met in transcripts that the price table
	// does not know and that used tokens (unpricedTokens), which no cost
	// counts: the models the usage report names, not one only named by a
	// response of no tokens.
	UnpricedModels []string `json:"unpricedModels,omitempty"`
}

// stats is updated under Source.mu but read without it, so Stats never
// waits for a scan.
type stats struct {
	files, sessions                                           atomic.Int64
	filesRead, bytes, lines, skipped, unknown, resets, errors atomic.Int64
	odd, malformedNow, unknownNow                             atomic.Int64 // of the files followed (lineCounts)
	skippedPaths, fromCache, cacheResumed                     atomic.Int64
	mu                                                        sync.Mutex
	lastError                                                 string
	// unpriced holds, for each model without a price, the files whose
	// tokens of it count (unpricedTokens): the model leaves
	// UnpricedModels with the last of them, deleted or rewritten without
	// it, as a fresh helmd would not name it. Few models are ever in it.
	unpriced map[string]map[*file]struct{}
}

// notePriced records the models of f whose tokens have no price, in
// place of what f counted for before.
func (s *Source) notePriced(f *file) {
	um := f.agg.unpriced()
	st := &s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(um) == 0 && len(st.unpriced) == 0 {
		return
	}
	st.dropPriced(f)
	if st.unpriced == nil {
		st.unpriced = map[string]map[*file]struct{}{}
	}
	for _, m := range um {
		if st.unpriced[m] == nil {
			st.unpriced[m] = map[*file]struct{}{}
		}
		st.unpriced[m][f] = struct{}{}
	}
}

// forgetPriced drops what f, a transcript that is gone, counted for.
func (s *Source) forgetPriced(f *file) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.st.dropPriced(f)
}

// dropPriced removes f from every model's files; st.mu is held.
func (st *stats) dropPriced(f *file) {
	for m, files := range st.unpriced {
		delete(files, f)
		if len(files) == 0 {
			delete(st.unpriced, m)
		}
	}
}

func (st *stats) addRead(rs readStats) {
	if rs.read {
		st.filesRead.Add(1)
	}
	if rs.reset {
		st.resets.Add(1)
	}
	st.bytes.Add(rs.bytes)
	st.lines.Add(int64(rs.lines))
	st.skipped.Add(int64(rs.found.malformed))
	st.unknown.Add(int64(rs.found.unknown))
}

// addCounts moves the counts of the files followed by c.
func (st *stats) addCounts(c lineCounts) {
	st.odd.Add(int64(c.odd))
	st.malformedNow.Add(int64(c.malformed))
	st.unknownNow.Add(int64(c.unknown))
}

func (st *stats) addError(err error) {
	st.errors.Add(1)
	st.mu.Lock()
	st.lastError = err.Error()
	st.mu.Unlock()
}

// skipPath counts an input left out of the scan (an unreadable folder, a
// folder named like a transcript) and keeps it as the last error.
func (st *stats) skipPath(err error) {
	st.skippedPaths.Add(1)
	st.mu.Lock()
	st.lastError = err.Error()
	st.mu.Unlock()
}

func (st *stats) setCounts(files, sessions int) {
	st.files.Store(int64(files))
	st.sessions.Store(int64(sessions))
}

// Stats returns the counters. It is safe to call while a scan runs.
func (s *Source) Stats() Stats {
	st := &s.st
	st.mu.Lock()
	last := st.lastError
	var unpriced []string
	for m := range st.unpriced {
		unpriced = append(unpriced, m)
	}
	st.mu.Unlock()
	slices.Sort(unpriced)
	return Stats{
		Files: int(st.files.Load()), Sessions: int(st.sessions.Load()),
		FilesRead: st.filesRead.Load(), BytesRead: st.bytes.Load(), Lines: st.lines.Load(),
		LinesSkipped: st.skipped.Load(), UnknownTypes: st.unknown.Load(), OddCounts: st.odd.Load(), Resets: st.resets.Load(),
		MalformedLines: st.malformedNow.Load(), UnknownRecords: st.unknownNow.Load(),
		ReadErrors: st.errors.Load(), SkippedPaths: st.skippedPaths.Load(),
		FromCache: st.fromCache.Load(), CacheResumed: st.cacheResumed.Load(), LastError: last,
		UnpricedModels: unpriced,
	}
}
