package claude

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"vibecraft.sh/helm/server/internal/corpus"
)

// cacheBenchTree generates a corpus with a realistic file count and
// writes its scan cache; it returns the Options that use it.
func cacheBenchTree(b *testing.B) (Options, int) {
	b.Helper()
	size := int64(200 << 20)
	if env := os.Getenv("HELM_CACHE_BENCH_SIZE"); env != "" { // e.g. 2GB, for the target's corpus
		var err error
		if size, err = corpus.ParseSize(env); err != nil {
			b.Fatal(err)
		}
	}
	root := b.TempDir()
	if _, err := corpus.Generate(root, size, 5000, 0, 1); err != nil {
		b.Fatal(err)
	}
	opts := Options{Roots: []string{root}, CacheFile: filepath.Join(b.TempDir(), "claude-scan.cache")}
	src := New(opts)
	if _, err := src.Scan(context.Background()); err != nil {
		b.Fatal(err)
	}
	if err := src.Save(); err != nil {
		b.Fatal(err)
	}
	return opts, src.Stats().Files
}

// BenchmarkRestartFromCache measures a restart over an unchanged tree of
// 5,000 sessions (about 5,600 files, 200 MB): New and the first Scan,
// which loads the cache, stats every file and reads none.
//
//	go test -run '^$' -bench RestartFromCache -benchtime 20x ./server/claude/
//	HELM_CACHE_BENCH_SIZE=2GB go test -run '^$' -bench RestartFromCache -benchtime 20x ./server/claude/
func BenchmarkRestartFromCache(b *testing.B) {
	opts, files := cacheBenchTree(b)
	b.ResetTimer()
	for b.Loop() {
		src := New(opts)
		out, err := src.Scan(context.Background())
		if err != nil || len(out) != 5000 {
			b.Fatalf("scan: %d sessions, %v", len(out), err)
		}
		if st := src.Stats(); st.FromCache != int64(files) || st.BytesRead != 0 {
			b.Fatalf("stats %+v: want all %d files from cache", st, files)
		}
	}
}

// BenchmarkCacheLoad measures reading and decoding the cache of the same
// tree alone, without the walk of the tree.
func BenchmarkCacheLoad(b *testing.B) {
	opts, files := cacheBenchTree(b)
	src := New(opts)
	b.ResetTimer()
	for b.Loop() {
		data, err := readCacheFile(opts.CacheFile)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
		got, err := decodeCache(data, buildStamp(), src.roots)
		if err != nil || len(got) != files {
			b.Fatalf("decode: %d files, %v", len(got), err)
		}
	}
}

// BenchmarkCacheSave reports what one Save allocates (B/op) for 2,000
// small sessions: streamed to the file, it is a chunk's buffer, not the
// size of the cache.
//
//	go test -run '^$' -bench CacheSave -benchmem ./server/claude/
func BenchmarkCacheSave(b *testing.B) {
	root := b.TempDir()
	if _, err := corpus.GenerateSmallRecords(root, 2000*17<<10, 2000, 0, 1); err != nil {
		b.Fatal(err)
	}
	cache := filepath.Join(b.TempDir(), "claude-scan.cache")
	src := New(Options{Roots: []string{root}, CacheFile: cache})
	if _, err := src.Scan(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		src.mu.Lock()
		src.cache.dirty = true
		src.mu.Unlock()
		if err := src.Save(); err != nil {
			b.Fatal(err)
		}
	}
	if st, err := os.Stat(cache); err == nil {
		b.ReportMetric(float64(st.Size()), "cache-bytes")
	}
}
