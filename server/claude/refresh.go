package claude

import (
	"context"
	"errors"
	"os"
	"runtime"
	"slices"
	"sync"
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
		sid string // before the refresh
	}
	results := make([]result, len(list))
	for i, f := range files {
		results[i].sid = f.sid
	}
	now := s.now()
	workers := min(runtime.GOMAXPROCS(0), len(list))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			r := readers.Get().(*reader)
			defer readers.Put(r)
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= len(list) || ctx.Err() != nil {
					return
				}
				results[j].rs, results[j].err = files[j].refresh(r, list[j].info, now)
				files[j].loadHint()
			}
		})
	}
	wg.Wait()
	for j, f := range files {
		s.settle(f, results[j].sid, results[j].rs, results[j].err, touched)
	}
	return ctx.Err()
}

// refreshOne brings one known or new transcript up to date.
func (s *Source) refreshOne(path string, k kind, touched map[string]bool) {
	f, known := s.files[path]
	if !known {
		if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
			return // hinted, but not (or no longer) a file
		}
		f = s.track(path, k)
	}
	r := readers.Get().(*reader)
	defer readers.Put(r)
	old := f.sid
	rs, err := f.refresh(r, nil, s.now())
	f.loadHint()
	s.settle(f, old, rs, err, touched)
}

// settleTails consumes the last lines without '\n' that have become
// final (see tailQuiet). It is the timer path of that rule: no file
// event marks the moment a quiet tail becomes due, so Sessions, which
// runs on the age tick, calls it. Only files with such a tail are
// looked at.
func (s *Source) settleTails() {
	var due []*file
	for _, f := range s.files {
		if f.hasTail() {
			due = append(due, f)
		}
	}
	if len(due) == 0 {
		return
	}
	r := readers.Get().(*reader)
	defer readers.Put(r)
	touched := map[string]bool{}
	now := s.now()
	for _, f := range due {
		old := f.sid
		rs, err := f.refresh(r, nil, now)
		s.settle(f, old, rs, err, touched)
	}
}

// settle applies the outcome of one refresh: counts it, forgets a file
// that is gone, and moves a legacy agent file whose parent changed.
func (s *Source) settle(f *file, oldSID string, rs readStats, err error, touched map[string]bool) {
	s.noteRefresh(f, rs, err)
	if errors.Is(err, errGone) {
		if s.files[f.path] == f {
			s.index(f, touched) // a reset before the file went: release what it dropped
			s.unindex(f, touched)
			sid := f.sid
			f.sid = oldSID
			s.unlink(f)
			f.sid = sid
			delete(s.files, f.path)
			touched[oldSID] = true
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
	s.index(f, touched)
	s.notePriced(f)
	if f.sid != oldSID {
		sid := f.sid
		f.sid = oldSID
		s.unlink(f)
		f.sid = sid
		s.link(f)
		touched[oldSID] = true
	}
	if rs.changed {
		touched[f.sid] = true
	}
	delete(touched, "")
}
