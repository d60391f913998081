package claude

import (
	"context"
	"errors"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"
)

// refreshFound brings the transcripts in list up to date, reading them in
// parallel over GOMAXPROCS workers, largest first so that one big file
// does not start last and leave the other workers idle at the end.
// Sessions whose files changed are added to touched.
//
// What follows a read (settle: the dedup index, the registry, the stats)
// is serial and must go in list order. It used to follow the reads, on
// one core while the other idled: a tenth of a cold scan's wall time.
// Now, when no file of list is in the dedup index yet (a cold scan, a
// new folder), the worker that finishes a file settles every file read so
// far in order, unless another is doing so, and the settling overlaps the
// reads. Settling a file changes the indexed files it shares responses
// with (dedup.go: hold, setShadow), so while a file already indexed may
// still be being read, settling waits for every read, as before. On a
// cold scan the first settle waits for a quarter of the bytes to be read,
// to size the dedup index by them (presizeOwners).
func (s *Source) refreshFound(ctx context.Context, list []found, touched map[string]bool) error {
	slices.SortFunc(list, func(a, b found) int {
		switch {
		case a.st.size > b.st.size:
			return -1
		case a.st.size < b.st.size:
			return 1
		}
		return 0
	})
	files := make([]*file, len(list))
	for i, f := range list {
		if files[i] = f.f; f.f == nil {
			files[i] = s.track(f.path, f.kind)
		}
	}
	// A file's read stats and error, nil when both are zero: most of a
	// refresh's files are unchanged, and a slice of results by value was
	// 7 MB of garbage at 100,000 sessions where pointers are 0.9 MB.
	type result struct {
		rs  readStats
		err error
	}
	results := make([]*result, len(list))
	settleAt := func(k int) {
		var r result
		if results[k] != nil {
			r = *results[k]
		}
		s.settle(files[k], r.rs, r.err, touched)
	}
	now := s.now()
	quietSince := now.Add(-s.activeWindow)

	// done[j]: file j is read and its worker done with it. settled:
	// files[:settled] are settled. busy: a worker is settling. sizing:
	// the index is empty and waits for a sample of read bytes (what
	// was read, in bytes and responses) to be sized by.
	var mu sync.Mutex
	done := make([]bool, len(list))
	settled, busy := 0, false
	sizing := len(s.owner) == 0
	// A cold scan packs what it keeps (pack.go): the index is empty, and
	// there are enough files to fill the workers' chunks; each worker
	// leaves at most one chunk partly empty.
	cold := sizing && len(list) >= packMinFiles
	// Settled files are indexed and finished; the only other files a
	// settle touches are indexed ones, none of them in list when overlap.
	overlap := !slices.ContainsFunc(files, func(f *file) bool { return f.indexed })
	var total, readBytes int64
	readResponses := 0
	for _, f := range list {
		total += f.st.size
	}
	finish := func(j int) {
		mu.Lock()
		defer mu.Unlock()
		done[j] = true
		if sizing {
			readBytes += list[j].st.size
			readResponses += files[j].agg.responseCount()
			if readBytes*4 < total {
				return
			}
			s.presizeOwners(readResponses, readBytes, total)
			sizing = false
		}
		if busy || !overlap {
			return // the worker settling takes this one too, or the end of the reads
		}
		busy = true
		for settled < len(files) && done[settled] {
			k := settled
			mu.Unlock()
			settleAt(k)
			mu.Lock()
			settled++
		}
		busy = false
	}

	workers := min(runtime.GOMAXPROCS(0), len(list))
	next := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			r := readers.Get().(*reader)
			var scratch []byte
			var spare spareMaps
			var pk *pack // a cold scan packs what it keeps (pack.go)
			if cold {
				pk = new(pack)
			}
			r.rec.pack = pk
			defer func() { r.rec.pack = nil; readers.Put(r) }()
			for {
				mu.Lock()
				j := next
				next++
				mu.Unlock()
				if j >= len(list) || ctx.Err() != nil {
					return
				}
				f := files[j]
				// Only a file compactRead will encode borrows maps: one
				// still being written keeps its own, sized to it.
				lent := !f.indexed && list[j].st.modTime().Before(quietSince) && spare.lend(&f.agg)
				if lent {
					spare.lendLists(&r.rec)
				}
				rs, err := f.refresh(r, &list[j].st, now)
				if rs != (readStats{}) || err != nil {
					results[j] = &result{rs, err}
				}
				r.rec.responses, r.rec.keys = nil, nil
				if lent {
					spare.read(&f.agg)
				}
				f.loadHint()
				if err == nil {
					f.compactRead(quietSince, &scratch, pk)
				}
				if lent {
					spare.reclaim(&f.agg)
				}
				finish(j)
			}
		})
	}
	wg.Wait()
	// Files not settled yet (all of them without overlap; left unread when
	// the context ended) are settled now, as they are.
	for ; settled < len(files); settled++ {
		settleAt(settled)
	}
	return ctx.Err()
}

// presizeOwners sizes the response index, when it is empty (a cold
// scan), for the keys of total bytes of transcripts, from the responses
// found in the first read bytes of them: filling it from nothing,
// rehashing as it grew, was 40 % of the CPU of settling a cold scan.
func (s *Source) presizeOwners(responses int, read, total int64) {
	if len(s.owner) > 0 || read <= 0 || responses <= 0 {
		return
	}
	s.owner = make(map[rkey]*file, int(float64(responses)*float64(total)/float64(read)))
}

// refreshOne brings one known or new transcript up to date.
func (s *Source) refreshOne(path string, k kind, touched map[string]bool) {
	f := s.reg.get(path)
	if f == nil {
		if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
			return // hinted, but not (or no longer) a file
		}
		f = s.track(path, k)
	}
	r := readers.Get().(*reader)
	defer readers.Put(r)
	rs, err := f.refresh(r, nil, s.now())
	f.loadHint()
	s.settle(f, rs, err, touched)
}

// settleTails consumes the last lines without '\n' that have become
// final (see tailQuiet). It is the timer path of that rule: no file
// event marks the moment a quiet tail becomes due, so Sessions, which
// runs when NextChange says, calls it. Only files with such a tail are
// looked at.
func (s *Source) settleTails(now time.Time, touched map[string]bool) {
	if len(s.aging.tails) == 0 {
		return
	}
	due := make([]*file, 0, len(s.aging.tails))
	for f, at := range s.aging.tails {
		if at <= now.UnixMilli() {
			due = append(due, f)
		}
	}
	slices.SortFunc(due, byPath)
	r := readers.Get().(*reader)
	defer readers.Put(r)
	for _, f := range due {
		rs, err := f.refresh(r, nil, now)
		s.settle(f, rs, err, touched)
	}
}

// settle applies the outcome of one refresh: counts it, forgets a file
// that is gone, and moves a legacy agent file to the session its records
// now name. A refresh never changes f.sid itself: the registry does, so
// the file leaves the bucket it is really in.
func (s *Source) settle(f *file, rs readStats, err error, touched map[string]bool) {
	s.noteRefresh(f, rs, err)
	if rs.delta != (lineCounts{}) && s.reg.has(f) {
		s.st.addCounts(rs.delta) // before a file gone is forgotten with what it counts now
	}
	if errors.Is(err, errGone) {
		if s.reg.has(f) {
			s.index(f, touched) // a reset before the file went: release what it dropped
			s.forget(f, touched)
		}
		return
	}
	s.st.addRead(rs)
	if c := rs.found; c != (lineCounts{}) {
		s.log.Debug("claude: skipped lines", "path", f.path, "malformed", c.malformed, "unknownType", c.unknown, "oddCounts", c.odd)
	}
	if err != nil {
		s.st.addError(err)
		s.log.Warn("claude: reading transcript", "err", err)
	}
	if sid := f.parent(); sid != f.sid {
		touched[s.reg.move(f, sid)] = true
	}
	s.index(f, touched)
	s.notePriced(f)
	if rs.changed {
		touched[f.sid] = true
	}
	delete(touched, "")
	s.aging.noteTail(f, s.now())
}
