package claude

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"vibecraft.sh/helm/server/internal/corpus"
	"vibecraft.sh/helm/server/internal/logbuf"
	"vibecraft.sh/helm/shared"
)

const cacheNow = "2027-01-01T00:00:00Z"

// cacheTree is a generated Claude tree and a cache file for it.
type cacheTree struct {
	root, cache string
	log         *syncBuffer
	saveErr     error // of the last scan's Save
}

func newCacheTree(t *testing.T) *cacheTree {
	t.Helper()
	root := t.TempDir()
	if _, err := corpus.Generate(root, 256<<10, 24, 3, 7); err != nil {
		t.Fatal(err)
	}
	return &cacheTree{root: root, cache: filepath.Join(t.TempDir(), "state", "claude-scan.cache"), log: &syncBuffer{}}
}

// scan runs a new Source with the cache file over the tree.
func (c *cacheTree) scan(t *testing.T) (*Source, []shared.Session) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(c.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src := New(Options{Roots: []string{c.root}, Now: clock(cacheNow), CacheFile: c.cache, Logger: log})
	out, err := src.Scan(t.Context())
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	c.saveErr = src.Save() // as helmd's lifecycle owner does after a scan
	return src, out
}

// fresh is what a Source without cache makes of the tree now.
func (c *cacheTree) fresh(t *testing.T) []shared.Session {
	t.Helper()
	_, out := scan(t, c.root, cacheNow)
	return out
}

// transcripts lists the tree's .jsonl files, largest first, and their
// total size.
func (c *cacheTree) transcripts(t *testing.T) ([]string, int64) {
	t.Helper()
	var paths []string
	var total int64
	sizes := map[string]int64{}
	err := filepath.WalkDir(c.root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonl") {
			st, err := os.Stat(p)
			if err != nil {
				return err
			}
			paths, sizes[p], total = append(paths, p), st.Size(), total+st.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(paths, func(i, j int) bool { return sizes[paths[i]] > sizes[paths[j]] })
	return paths, total
}

// mainFile is the largest main transcript.
func (c *cacheTree) mainFile(t *testing.T) string {
	paths, _ := c.transcripts(t)
	for _, p := range paths {
		if !strings.HasPrefix(filepath.Base(p), "agent-") {
			return p
		}
	}
	t.Fatal("no main transcript")
	return ""
}

// agentFile is a subagent transcript.
func (c *cacheTree) agentFile(t *testing.T) string {
	paths, _ := c.transcripts(t)
	for _, p := range paths {
		if strings.HasPrefix(filepath.Base(p), "agent-") {
			return p
		}
	}
	t.Fatal("no subagent transcript")
	return ""
}

type syncBuffer = logbuf.Buffer

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// tailLines is the last n complete lines of data.
func tailLines(data []byte, n int) string {
	lines := strings.SplitAfter(string(data), "\n")
	lines = lines[:len(lines)-1]
	return strings.Join(lines[max(0, len(lines)-n):], "")
}

func sameSessions(t *testing.T, what string, got, want []shared.Session) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: no sessions to compare", what)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: sessions differ\n got: %+v\nwant: %+v", what, got, want)
	}
}

// TestCacheRestartUnchanged restarts over an unchanged tree: every file
// comes from the cache, no byte is read, the sessions are the same, and
// the cache file, private to the user, is not rewritten.
func TestCacheRestartUnchanged(t *testing.T) {
	c := newCacheTree(t)
	first, out1 := c.scan(t)
	paths, total := c.transcripts(t)
	if st := first.Stats(); st.BytesRead != total || st.FromCache != 0 {
		t.Fatalf("first scan: read %d bytes of %d, %d from cache", st.BytesRead, total, st.FromCache)
	}
	info, err := os.Stat(c.cache)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("cache mode %v, want 0600", info.Mode().Perm())
	}

	second, out2 := c.scan(t)
	sameSessions(t, "restart", out2, out1)
	st := second.Stats()
	if st.BytesRead != 0 || st.FilesRead != 0 || st.FromCache != int64(len(paths)) || st.Files != len(paths) {
		t.Errorf("restart stats %+v: want 0 bytes read and all %d files from cache", st, len(paths))
	}
	again, err := os.Stat(c.cache)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(info, again) {
		t.Error("an unchanged restart rewrote the cache")
	}
	sameSessions(t, "fresh", out2, c.fresh(t))
}

// TestCacheChanges changes the tree between two runs and checks that the
// restart reads what changed, and only that, and ends where a read
// without cache does; a third run then finds everything in the cache.
func TestCacheChanges(t *testing.T) {
	tests := []struct {
		name string
		// before runs before the first scan, change between the runs;
		// change returns the bytes the restart must read.
		before                    func(t *testing.T, c *cacheTree)
		change                    func(t *testing.T, c *cacheTree) int64
		fromCache, resumed, reset int // files, by the restart; fromCache relative to all
		sessions                  int // sessions gained (+) or lost (-)
	}{
		{
			name: "appended, repeating lines already read",
			change: func(t *testing.T, c *cacheTree) int64 {
				path := c.mainFile(t)
				// Repeated message and tool ids: only the saved id sets
				// keep them from being counted twice.
				add := tailLines(readFile(t, path), 6)
				appendTo(t, path, add)
				return int64(len(add))
			},
			fromCache: -1, resumed: 1,
		},
		{
			name: "a cut line finished",
			before: func(t *testing.T, c *cacheTree) {
				path := c.mainFile(t)
				line := tailLines(readFile(t, path), 1)
				appendTo(t, path, line[:len(line)/2])
			},
			change: func(t *testing.T, c *cacheTree) int64 {
				path := c.mainFile(t)
				data := readFile(t, path)
				line := tailLines(data, 1)
				appendTo(t, path, line[len(line)/2:])
				return int64(len(line))
			},
			fromCache: -1, resumed: 1,
		},
		{
			name: "truncated",
			change: func(t *testing.T, c *cacheTree) int64 {
				path := c.mainFile(t)
				data := readFile(t, path)
				cut := bytes.IndexByte(data[len(data)/2:], '\n') + len(data)/2 + 1
				if err := os.Truncate(path, int64(cut)); err != nil {
					t.Fatal(err)
				}
				return int64(cut)
			},
			fromCache: -1, reset: 1,
		},
		{
			name: "replaced by a longer file",
			change: func(t *testing.T, c *cacheTree) int64 {
				path := c.mainFile(t)
				data := readFile(t, path)
				other := strings.Replace(string(data), `"text"`, `"text" `, 1) + tailLines(data, 2)
				tmp := path + ".tmp"
				if err := os.WriteFile(tmp, []byte(other), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(tmp, path); err != nil {
					t.Fatal(err)
				}
				return int64(len(other))
			},
			fromCache: -1, reset: 1,
		},
		{
			name: "a session deleted",
			change: func(t *testing.T, c *cacheTree) int64 {
				if err := os.Remove(c.mainFile(t)); err != nil {
					t.Fatal(err)
				}
				return 0
			},
			fromCache: -1, sessions: -1,
		},
		{
			name: "a subagent deleted",
			change: func(t *testing.T, c *cacheTree) int64 {
				if err := os.Remove(c.agentFile(t)); err != nil {
					t.Fatal(err)
				}
				return 0
			},
			fromCache: -1,
		},
		{
			name: "a session added",
			change: func(t *testing.T, c *cacheTree) int64 {
				path := install(t, c.root, projectRel("/home/dev/webapp", sidSplit+".jsonl"), "split.jsonl")
				return int64(len(readFile(t, path)))
			},
			sessions: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCacheTree(t)
			if tt.before != nil {
				tt.before(t, c)
			}
			_, out1 := c.scan(t)
			paths, _ := c.transcripts(t)
			want := tt.change(t, c)

			src, out2 := c.scan(t)
			sameSessions(t, "restart", out2, c.fresh(t))
			if len(out2) != len(out1)+tt.sessions {
				t.Errorf("%d sessions, want %d", len(out2), len(out1)+tt.sessions)
			}
			st := src.Stats()
			if st.BytesRead != want || st.FromCache != int64(len(paths)+tt.fromCache) ||
				st.CacheResumed != int64(tt.resumed) || st.Resets != int64(tt.reset) {
				t.Errorf("restart read %d bytes, want %d; stats %+v; want fromCache %d, resumed %d, resets %d",
					st.BytesRead, want, st, len(paths)+tt.fromCache, tt.resumed, tt.reset)
			}

			third, out3 := c.scan(t)
			sameSessions(t, "third run", out3, out2)
			now, _ := c.transcripts(t)
			if st := third.Stats(); st.BytesRead != 0 || st.FromCache != int64(len(now)) {
				t.Errorf("third run read %d bytes, %d of %d files from cache", st.BytesRead, st.FromCache, len(now))
			}
		})
	}
}

// TestCacheSaveAfterUpdate saves what Updates read, for the next start.
func TestCacheSaveAfterUpdate(t *testing.T) {
	c := newCacheTree(t)
	src, _ := c.scan(t)
	path := c.mainFile(t)
	appendTo(t, path, tailLines(readFile(t, path), 3))
	if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
		t.Fatal(err)
	}
	if err := src.Save(); err != nil {
		t.Fatal(err)
	}
	next, out := c.scan(t)
	sameSessions(t, "after update", out, src.Sessions())
	paths, _ := c.transcripts(t)
	if st := next.Stats(); st.BytesRead != 0 || st.FromCache != int64(len(paths)) {
		t.Errorf("restart read %d bytes, %d of %d files from cache", st.BytesRead, st.FromCache, len(paths))
	}
}

// TestCacheOff checks that without CacheFile nothing is written.
func TestCacheOff(t *testing.T) {
	c := newCacheTree(t)
	src, _ := scan(t, c.root, cacheNow)
	if err := src.Save(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(c.cache)); !os.IsNotExist(err) {
		t.Errorf("cache folder exists without CacheFile: %v", err)
	}
}

// TestCacheSaveConcurrent saves while Updates read, for the race detector.
func TestCacheSaveConcurrent(t *testing.T) {
	c := newCacheTree(t)
	src, _ := c.scan(t)
	path := c.mainFile(t)
	tail := tailLines(readFile(t, path), 2)
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 20 {
			if err := src.Save(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range 20 {
		appendTo(t, path, tail)
		if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if err := src.Save(); err != nil {
		t.Fatal(err)
	}
	next, out := c.scan(t)
	sameSessions(t, "after concurrent saves", out, src.Sessions())
	if st := next.Stats(); st.BytesRead != 0 {
		t.Errorf("restart read %d bytes, want the last state saved", st.BytesRead)
	}
}

// TestCacheIDsKeptEncoded grows a file whose id sets went through a save
// still encoded (its restart did not need them): they must come back
// whole when it grows later.
func TestCacheIDsKeptEncoded(t *testing.T) {
	c := newCacheTree(t)
	c.scan(t)
	var mains []string
	paths, _ := c.transcripts(t)
	for _, p := range paths {
		if !strings.HasPrefix(filepath.Base(p), "agent-") {
			mains = append(mains, p)
		}
	}
	for i, path := range mains[:2] {
		appendTo(t, path, tailLines(readFile(t, path), 6)) // repeated ids
		src, out := c.scan(t)
		sameSessions(t, "restart", out, c.fresh(t))
		if st := src.Stats(); st.CacheResumed != 1 || st.Resets != 0 {
			t.Errorf("restart %d: stats %+v, want one file resumed from its offset", i, st)
		}
	}
}

// encodeCache is what Save writes, in memory.
func encodeCache(build string, roots []string, files []*file) []byte {
	var out bytes.Buffer
	_ = writeCache(&out, &sync.Mutex{}, build, roots, files) // a buffer never fails
	return out.Bytes()
}

// TestCacheSavedInChunks: Save streams the cache to its file a chunk at a
// time, its checksum computed across the chunks; for a cache of more than
// one chunk, a new Source starts from it without reading a transcript
// (a wrong checksum would make it read them all) and lists the same
// sessions. (The bytes themselves are not compared with encodeCache's:
// some sets are written in map order.)
func TestCacheSavedInChunks(t *testing.T) {
	// Smaller chunks, not a larger cache: the 7 MB of 400 transcripts that
	// made a cache of two 256 KiB chunks took 3 CPU-s under -race. Packed
	// still, as a scan of 400 was (packMinFiles).
	oldChunk, oldPack := cacheChunk, packMinFiles
	cacheChunk, packMinFiles = 2<<10, 16
	t.Cleanup(func() { cacheChunk, packMinFiles = oldChunk, oldPack })
	root := t.TempDir()
	if _, err := corpus.GenerateSmallRecords(root, 40*17<<10, 40, 0, 1); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "claude-scan.cache")
	src := New(Options{Roots: []string{root}, CacheFile: cache})
	want, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Save(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) <= 4*cacheChunk {
		t.Fatalf("cache of %d bytes: the test wants several chunks", len(got))
	}
	again := New(Options{Roots: []string{root}, CacheFile: cache})
	sessions, err := again.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st := again.Stats(); st.BytesRead != 0 {
		t.Errorf("restart read %d bytes of transcripts, want the cache only", st.BytesRead)
	}
	shared.SortNewestFirst(want)
	shared.SortNewestFirst(sessions)
	if !slices.Equal(want, sessions) {
		t.Errorf("sessions from the cache differ from the scan's")
	}
}

// A helmd restarted over its scan cache kept the whole cache file's
// buffer (79 MB at 100,000 sessions) for as long as it ran, for the id
// sets it leaves encoded, a sixth of it: what a load keeps is a copy,
// packed or not, and a restart from it still lists the same sessions.
func TestLoadedCacheKeepsNoneOfItsBuffer(t *testing.T) {
	c := newCacheTree(t)
	_, want := c.scan(t)
	data := readFile(t, c.cache)
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(data)))
	hi := lo + uintptr(len(data))
	for _, packAt := range []int{packMinFiles, 1} {
		old := packMinFiles
		packMinFiles = packAt
		files, err := decodeCache(data, buildStamp(), []string{c.root})
		packMinFiles = old
		if err != nil {
			t.Fatal(err)
		}
		lazy := 0
		for path, f := range files {
			if f.agg.lazy == nil || len(f.agg.lazy.blob) == 0 {
				continue
			}
			lazy++
			if p := uintptr(unsafe.Pointer(unsafe.SliceData(f.agg.lazy.blob))); lo <= p && p < hi {
				t.Fatalf("packing from %d files: %s's id sets are a slice of the cache's buffer", packAt, path)
			}
		}
		if lazy == 0 {
			t.Fatal("no file with its id sets left encoded: nothing checked")
		}
	}
	_, got := c.scan(t)
	sameSessions(t, "restart", got, want)
}

// TestLineCountsSurviveARestart: Stats.OddCounts (usage counts read as
// none), MalformedLines and UnknownRecords are of the transcripts
// followed, as last read: a restart over the scan cache counts those of
// the files it does not read again (it said 0), a file grown since adds
// its new ones, a file re-read whole counts once (it counted twice), and
// a file gone takes its own away. LinesSkipped and UnknownTypes count
// each read of such a line, since the Source was made.
func TestLineCountsSurviveARestart(t *testing.T) {
	root := t.TempDir()
	cache := filepath.Join(t.TempDir(), "claude-scan.cache")
	const sidA, sidB = "aaaaaaaa-0000-4000-8000-00000000000a", "bbbbbbbb-0000-4000-8000-00000000000b"
	// Three odd counts (-5, 2.5, "7"), a line that is no JSON record and
	// a record of a type Helm does not know.
	odd := func(sid, id string) string {
		return assistantLine(sid, "2026-03-02T10:00:01Z", id, sonnet45, `{"input_tokens":-5,"output_tokens":2.5,"cache_read_input_tokens":"7"}`) +
			"{\"type\":\"user\",\"message\":{\"content\":\"cut\n" +
			`{"type":"x-future-record","sessionId":"` + sid + `","timestamp":"2026-03-02T10:00:02Z"}` + "\n"
	}
	a := write(t, root, projectRel("/home/dev/shop", sidA+".jsonl"), userLine(sidA, "2026-03-02T10:00:00Z", "hi")+odd(sidA, "a1"))
	b := write(t, root, projectRel("/home/dev/shop", sidB+".jsonl"), userLine(sidB, "2026-03-02T10:00:00Z", "hi")+odd(sidB, "b1")+odd(sidB, "b2"))
	check := func(what string, st Stats, want int64) {
		t.Helper()
		if st.OddCounts != 3*want || st.MalformedLines != want || st.UnknownRecords != want {
			t.Errorf("%s: %d odd counts, %d malformed lines, %d unknown records; want %d, %d, %d (stats %+v)",
				what, st.OddCounts, st.MalformedLines, st.UnknownRecords, 3*want, want, want, st)
		}
	}
	run := func(what string, want int64) *Source {
		t.Helper()
		src := New(Options{Roots: []string{root}, Now: clock(cacheNow), CacheFile: cache})
		if _, err := src.Scan(t.Context()); err != nil {
			t.Fatalf("%s: Scan: %v", what, err)
		}
		if err := src.Save(); err != nil {
			t.Fatalf("%s: Save: %v", what, err)
		}
		check(what, src.Stats(), want)
		return src
	}
	if st := run("first run", 3).Stats(); st.LinesSkipped != 3 || st.UnknownTypes != 3 {
		t.Errorf("first run: %d lines skipped, %d unknown types; want 3 and 3", st.LinesSkipped, st.UnknownTypes)
	}
	if st := run("restart, nothing changed", 3).Stats(); st.FromCache != 2 || st.FilesRead != 0 || st.LinesSkipped != 0 {
		t.Fatalf("restart read files: %+v", st)
	}

	f, err := os.OpenFile(a, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(odd(sidA, "a2")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	run("restart, one file grown", 4)

	// b rewritten shorter, with one odd response of its two: re-read whole.
	if err := os.WriteFile(b, []byte(userLine(sidB, "2026-03-02T10:00:00Z", "hi")+odd(sidB, "b1")), 0o644); err != nil {
		t.Fatal(err)
	}
	src := run("restart, one file rewritten", 3)
	if err := os.Remove(a); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	check("a file gone", src.Stats(), 1)
}
