// Package claude reads Claude Code sessions: the JSONL transcripts under
// <root>/projects/<slug>/ and the live process registry <root>/sessions/.
//
// Transcripts are read incrementally. For each file the Source keeps the
// offset after the last complete line and running aggregates of the lines
// before it, so a file that grew costs the read and parse of its new bytes
// only, and a session is recomputed from memory in microseconds. Lines
// are not decoded: a streaming extractor (parse.go, scanner.go) picks the
// few fields Helm needs and skips the rest, big strings included, in
// bounded memory.
package claude

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"vibecraft.sh/helm/shared"
)

// Options configure a Source. Zero values take the defaults in comments.
type Options struct {
	Roots         []string         // Claude config folders, each with projects/ and sessions/ (may not exist)
	Now           func() time.Time // nil = time.Now
	Logger        *slog.Logger     // nil = slog.Default()
	ActiveWindow  time.Duration    // 0 = 2 min: "written recently" for working and active
	WaitingWindow time.Duration    // 0 = 12 h: how long an ended turn shows waiting with no live process
	CacheFile     string           // "" = none: where Save keeps per-file state for the next start (cache.go)
}

// Source is the Claude Code session source. Its methods are safe for
// concurrent use; Scan and Update serialise.
type Source struct {
	roots         []string
	now           func() time.Time
	log           *slog.Logger
	activeWindow  time.Duration
	waitingWindow time.Duration

	mu       sync.Mutex
	reg      *registry           // every transcript, by path and by session (registry.go)
	pids     map[string]pidEntry // registry files, by path
	reported map[string]bool     // sessions the last Scan/Update returned
	owner    map[rkey]*file      // response key → the file that bills it (dedup.go)
	others   map[rkey][]*file    // response key → the other files holding it

	st    stats
	cache cacheState
	aging aging // when each session's status next changes (aging.go)

	// asked keeps the digests of the pending calls Asks read, under a
	// lock of its own: Asks reads files without holding mu.
	asked callMemo
}

// New returns a Source over opts.Roots. It reads nothing until Scan.
func New(opts Options) *Source {
	s := &Source{
		now:           opts.Now,
		log:           opts.Logger,
		activeWindow:  opts.ActiveWindow,
		waitingWindow: opts.WaitingWindow,
		reg:           newRegistry(),
		pids:          map[string]pidEntry{},
		reported:      map[string]bool{},
		owner:         map[rkey]*file{},
		others:        map[rkey][]*file{},
	}
	s.cache.path = opts.CacheFile
	for _, r := range opts.Roots {
		if r == "" {
			continue
		}
		// Watchers report absolute paths; a relative root would match none.
		if abs, err := filepath.Abs(r); err == nil {
			r = abs
		}
		s.roots = append(s.roots, filepath.Clean(r))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.activeWindow <= 0 {
		s.activeWindow = DefaultActiveWindow
	}
	if s.waitingWindow <= 0 {
		s.waitingWindow = DefaultWaitingWindow
	}
	return s
}

// Kind is shared.SourceClaude.
func (s *Source) Kind() shared.Source { return shared.SourceClaude }

// Roots are the folders this source reads.
func (s *Source) Roots() []string { return append([]string(nil), s.roots...) }

// Scan walks every root's projects/ tree, reads each transcript from its
// saved offset (the first time: whole), forgets files that vanished, reads
// the process registry and returns every session. With a CacheFile, the
// first Scan starts from the saved state; Scan only reads: the owner of
// the lifecycle calls Save.
func (s *Source) Scan(ctx context.Context) ([]shared.Session, error) {
	return s.scan(ctx)
}

func (s *Source) scan(ctx context.Context) ([]shared.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loadCache()
	touched := map[string]bool{}
	// Made at its size: a rescan meets the files the source follows.
	list := make([]found, 0, s.reg.len()+s.reg.len()/16)
	for _, root := range s.roots {
		list = walk(root, kindRoot, list, s.reg, s.st.skipPath)
	}
	s.forgetUnwalked(list, func(*file) bool { return true }, touched)
	err := s.refreshFound(ctx, list, touched)
	s.endSeeding()
	s.compactQuiet(s.now())
	pids := map[string]pidEntry{}
	for _, root := range s.roots {
		for path, e := range readPIDDir(root) {
			if old, ok := s.pids[path]; ok && old.asRead() == e {
				e = old // when its process was seen gone stays known
			}
			pids[path] = e
		}
	}
	s.pids = pids
	out := s.all(s.now())
	clear(s.reported)
	for _, sess := range out {
		s.reported[sess.ID] = true
	}
	s.st.setCounts(s.reg.len(), len(out))
	return out, err
}

// Sessions recomputes every session from memory at Now(), so that status
// and active age while the files are quiet. It reads no file, except the
// unfinished last line of a file that has since gone quiet (tailQuiet).
func (s *Source) Sessions() []shared.Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settleTails(now, map[string]bool{})
	out := s.all(now)
	for _, sess := range out {
		s.reported[sess.ID] = true // a tail may have made a session appear
	}
	return out
}

// all builds every session at now.
func (s *Source) all(now time.Time) []shared.Session {
	s.aging.resetDue() // every session notes its own again
	live := s.livePIDsAt(now)
	out := make([]shared.Session, 0, s.reg.mainSessions())
	for sid := range s.reg.sessions() { // with those known only from subagents
		if sess, ok := s.build(sid, live, now); ok {
			out = append(out, sess)
		}
	}
	shared.SortNewestFirst(out)
	return out
}

// forgetUnwalked forgets the files that in accepts and that the walk
// that found list did not meet: they are gone.
func (s *Source) forgetUnwalked(list []found, in func(*file) bool, touched map[string]bool) {
	for i := range list {
		if f := list[i].f; f != nil {
			f.set(bitWalked, true)
		}
	}
	gone := s.reg.matching(func(f *file) bool {
		walked := f.has(bitWalked)
		f.set(bitWalked, false) // for the next walk
		return !walked && in(f)
	})
	for _, f := range gone {
		s.forget(f, touched)
	}
}

// track adds a transcript met on disk, or returns the one already known.
func (s *Source) track(path string, k kind) *file {
	if f := s.reg.get(path); f != nil {
		return f
	}
	f := s.seeded(path, k)
	s.reg.add(f)
	s.st.addCounts(f.counts()) // as the cache had them: not read again if unchanged
	return f
}

// forget drops a transcript that is gone, with its responses in the
// dedup index.
func (s *Source) forget(f *file, touched map[string]bool) {
	s.unindex(f, touched)
	s.aging.forgetFile(f)
	s.forgetPriced(f)
	if !s.reg.forget(f) {
		return
	}
	s.st.addCounts(lineCounts{}.minus(f.counts()))
	s.cache.dirty = true
	if f.sid != "" {
		touched[f.sid] = true
	}
}
