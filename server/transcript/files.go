// Package transcript serves the session page: a transcript as typed
// messages, a page at a time from its end, without reading the whole file.
//
// For each Claude Code transcript it keeps where the lines that can be
// shown start (index.go), built by one sequential scan on first use and
// extended from its last offset as the file grows. A page seeks to its
// lines and decodes only them, each through a copy whose long strings are
// cut (cut.go), so memory stays bounded whatever a line holds; a cut text
// keeps a ref with which …/full streams it whole (full.go). Lines become
// messages in group.go; cursors (cursor.go) name a file's identity as well
// as a position, so one from a rewritten file is refused as stale.
// OpenCode sessions are paged from their database rows (opencode.go).
package transcript

import (
	"container/list"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"vibecraft.sh/helm/server/internal/regular"
)

// DefaultMaxFiles is how many transcripts keep their index in memory: an
// index costs 8 bytes per shown line (a 500 MB transcript: about 1 MB).
const DefaultMaxFiles = 64

// maxOffsets bounds the offsets all indexes hold together (32 MB): past
// it, the least recently used indexes are dropped, to be rebuilt if their
// transcript is opened again.
const maxOffsets = 4 << 20

// Files holds the line indexes of recently opened transcripts, least
// recently used dropped first. It is safe for concurrent use.
type Files struct {
	mu    sync.Mutex
	max   int
	byKey map[string]*list.Element
	lru   *list.List // of *lineIndex, most recent first
	held  int        // offsets counted over every index
	limit int        // of held
}

// NewFiles returns an empty cache of at most max indexes (0: DefaultMaxFiles).
func NewFiles(max int) *Files {
	if max <= 0 {
		max = DefaultMaxFiles
	}
	return &Files{max: max, byKey: map[string]*list.Element{}, lru: list.New(), limit: maxOffsets}
}

// index returns path's index, creating it empty.
func (t *Files) index(path string) *lineIndex {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.byKey[path]; ok {
		t.lru.MoveToFront(e)
		return e.Value.(*lineIndex)
	}
	x := &lineIndex{path: path}
	t.byKey[path] = t.lru.PushFront(x)
	t.evict(x)
	return x
}

// Behind reports whether path's file is not the size its index took: a
// line being written, or one left until the file went quiet
// (written.TailQuiet). A page stream reads again on a change of its
// session's summary only then; no write announces the list taking such a
// line. True when it cannot tell (no index yet, a stat that fails).
func (t *Files) Behind(path string) bool {
	t.mu.Lock()
	e, ok := t.byKey[path]
	t.mu.Unlock()
	if !ok {
		return true
	}
	st, err := os.Stat(path)
	if err != nil {
		return true
	}
	x := e.Value.(*lineIndex)
	x.mu.Lock()
	defer x.mu.Unlock()
	return st.Size() != x.end
}

// account records how many offsets x holds now, and drops the least
// recently used other indexes while there are too many.
func (t *Files) account(x *lineIndex, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.byKey[x.path]; !ok {
		return // dropped meanwhile: it holds nothing the cache counts
	}
	t.held += n - x.counted
	x.counted = n
	t.evict(x)
}

// evict drops the oldest indexes but keep while over either limit.
func (t *Files) evict(keep *lineIndex) {
	for e := t.lru.Back(); e != nil && (t.lru.Len() > t.max || t.held > t.limit); {
		old := e.Value.(*lineIndex)
		e = e.Prev()
		if old == keep {
			continue
		}
		t.lru.Remove(t.byKey[old.path])
		delete(t.byKey, old.path)
		t.held -= old.counted
	}
}

// Len is the number of indexes held.
func (t *Files) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lru.Len()
}

// open opens path and brings its index up to date.
func (t *Files) open(path string) (*os.File, snapshot, error) {
	f, err := regular.Open(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, regular.ErrNotRegular) {
		return nil, snapshot{}, ErrNotFound
	}
	if err != nil {
		return nil, snapshot{}, fmt.Errorf("open transcript: %w", err)
	}
	x := t.index(path)
	snap, err := x.refresh(f)
	if err != nil {
		f.Close()
		return nil, snapshot{}, fmt.Errorf("index transcript: %w", err)
	}
	t.account(x, len(snap.offs))
	return f, snap, nil
}
