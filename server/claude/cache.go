package claude

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"

	"vibecraft.sh/helm/server/internal/regular"
)

// The scan cache lets a restart over an unchanged tree read no transcript:
// Save writes, per transcript, the offset, size, mtime, inode and
// aggregate; the first Scan seeds each file it meets with its saved state,
// and refresh then treats it as it would after a read in this process —
// unchanged: nothing read; grown: read from the offset; shrunk or
// replaced: read whole. Files gone since are simply never met.
//
// What it stores is what the aggregates keep, so it includes each
// session's first prompt (300 runes at most), titles, summary, cwd and
// git branch, besides message and tool ids and token counts; hence the
// file is written 0600.

// maxCacheSize bounds what a load reads: a larger file is not ours.
const maxCacheSize = 1 << 30

// cacheState is the Source's side of the cache, under Source.mu except
// saveMu, which serialises Save.
type cacheState struct {
	path   string           // "" = no persistence
	tried  bool             // the first Scan looked for the file
	seeds  map[string]*file // loaded, not yet met by the first Scan
	dirty  bool             // state changed since the last Save
	saveMu sync.Mutex
}

// buildStamp ties a cache to the binary that wrote it, when the build
// records its VCS revision, so a rebuilt server with other parsing rules
// does not trust a stale aggregate even if cacheVersion was not bumped.
var buildStamp = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	stamp := info.Main.Version
	for _, kv := range info.Settings {
		switch kv.Key {
		case "vcs.revision", "vcs.time", "vcs.modified":
			stamp += " " + kv.Value
		}
	}
	return stamp
})

// loadCache reads the cache file once, on the first Scan. A missing,
// unreadable, corrupt or foreign file is ignored: the scan reads
// everything, as without a cache.
func (s *Source) loadCache() {
	c := &s.cache
	if c.path == "" || c.tried {
		return
	}
	c.tried = true
	data, err := readCacheFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err == nil {
		c.seeds, err = decodeCache(data, buildStamp(), s.roots)
	}
	if err != nil {
		s.log.Debug("claude: ignoring scan cache", "path", c.path, "err", err)
		return
	}
	s.log.Debug("claude: loaded scan cache", "path", c.path, "files", len(c.seeds))
}

func readCacheFile(path string) ([]byte, error) {
	fh, err := regular.Open(path) // never a FIFO: it would hold the first scan
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxCacheSize {
		return nil, fmt.Errorf("%w: %d bytes", errCacheFormat, st.Size())
	}
	data := make([]byte, st.Size())
	if _, err := fh.ReadAt(data, 0); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// seeded is a new file for path, with its saved state when the cache has
// one of the same kind and session.
func (s *Source) seeded(path string, k kind) *file {
	if f, ok := s.cache.seeds[path]; ok {
		delete(s.cache.seeds, path)
		if f.kind == k && (k == kindAgent || f.sid == sessionOf(path, k)) {
			return f
		}
	}
	return newFile(path, k)
}

// endSeeding drops the saved state of files the first Scan did not meet
// (gone since): the next Save must not write them again.
func (s *Source) endSeeding() {
	if len(s.cache.seeds) > 0 {
		s.cache.dirty = true
	}
	s.cache.seeds = nil
}

// noteRefresh counts a refresh of a file seeded from the cache and marks
// the state to save when it changed.
func (s *Source) noteRefresh(f *file, rs readStats, err error) {
	gone := errors.Is(err, errGone)
	if rs.changed || gone {
		s.cache.dirty = true
	}
	if !f.has(bitFromCache) {
		return
	}
	f.set(bitFromCache, false)
	switch {
	case gone:
	case !rs.changed:
		s.st.fromCache.Add(1)
	case !rs.reset:
		s.st.cacheResumed.Add(1)
	}
}

// Save writes the state of every transcript read so far to the cache
// file, atomically (a temporary file in the same folder, renamed over
// it) and 0600. It writes nothing when nothing changed since the last
// Save, or when Options.CacheFile is "". Scan and Update never save: call
// Save after a scan, on a timer and at shutdown.
func (s *Source) Save() error {
	c := &s.cache
	if c.path == "" {
		return nil
	}
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	s.mu.Lock()
	if !c.dirty {
		s.mu.Unlock()
		return nil
	}
	files := make([]*file, 0, s.reg.len())
	for _, f := range s.reg.sorted() {
		if f.seen {
			files = append(files, f)
		}
	}
	// A change from here on marks the cache dirty again, for the next
	// Save, whether or not this one catches it.
	c.dirty = false
	s.mu.Unlock()

	// Encoded a chunk of files at a time under the lock their state is
	// read under, and written without it: encoded whole first, the cache
	// (200 MB at 100,000 sessions) was that much heap at each save, and
	// a slow disk must not hold up reads. Each file's entry stands alone
	// (which file owns a response shared with another is worked out again
	// at load, dedup.go), so files saved at slightly different moments
	// make a valid cache.
	err := writeAtomic(c.path, func(w io.Writer) error {
		return writeCache(w, &s.mu, buildStamp(), s.roots, files)
	})
	if err != nil {
		s.mu.Lock()
		c.dirty = true
		s.mu.Unlock()
		return fmt.Errorf("save scan cache: %w", err)
	}
	return nil
}

// writeAtomic replaces path with data, so a reader sees the old file or
// the new one, never a mix; a crash may leave a stray temporary file,
// which the next write does not mind.
func writeAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp") // 0600
	if err != nil {
		return err
	}
	err = write(tmp)
	if e := tmp.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
