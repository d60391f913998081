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
func (s *Source) refreshFound(ctx context.Context, list []found, touched map[string]bool) error {
	slices.SortFunc(list, func(a, b found) int {
		switch {
		case a.info.Size() > b.info.Size():
			return -1
		case a.info.Size() < b.info.Size():
			return 1
		}
		return 0
	})
	files := make([]*file, len(list))
	for i, f := range list {
		files[i] = s.track(f.path, f.kind)
	}
	type result struct {
		rs  readStats
		err error
	}
	results := make([]result, len(list))
	now := s.now()
	quietSince := now.Add(-s.activeWindow)
	workers := min(runtime.GOMAXPROCS(0), len(list))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			r := readers.Get().(*reader)
			defer readers.Put(r)
			var scratch []byte
			var spare spareMaps
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= len(list) || ctx.Err() != nil {
					return
				}
				f := files[j]
				// Only a file compactRead will encode borrows maps: one
				// still being written keeps its own, sized to it.
				lent := !f.indexed && list[j].info.ModTime().Before(quietSince) && spare.lend(&f.agg)
				if lent {
					spare.lendValues(&r.rec)
				}
				results[j].rs, results[j].err = f.refresh(r, list[j].info, now)
				r.rec.responses = nil
				if lent {
					spare.read(&f.agg)
				}
				f.loadHint()
				if results[j].err == nil {
					f.compactRead(quietSince, &scratch)
				}
				if lent {
					spare.reclaim(&f.agg)
				}
			}
		})
	}
	wg.Wait()
	s.reserveOwners(files)
	for j, f := range files {
		s.settle(f, results[j].rs, results[j].err, touched)
	}
	return ctx.Err()
}

// reserveOwners sizes the response index for the keys files are about to
// add, when it is empty (a cold scan): the index is built after the
// parallel reads, on one core, and growing it from nothing to every
// response key of the scan, rehashing as it went, was most of that step.
func (s *Source) reserveOwners(files []*file) {
	if len(s.owner) > 0 {
		return
	}
	n := 0
	for _, f := range files {
		n += f.agg.responseCount()
	}
	if n > 0 {
		s.owner = make(map[string]*file, n)
	}
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
	if errors.Is(err, errGone) {
		if s.reg.has(f) {
			s.index(f, touched) // a reset before the file went: release what it dropped
			s.forget(f, touched)
		}
		return
	}
	s.st.addRead(rs)
	if rs.malformed > 0 || rs.unknown > 0 {
		s.log.Debug("claude: skipped lines", "path", f.path, "malformed", rs.malformed, "unknownType", rs.unknown)
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
