package claude

import (
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/internal/corpus"
)

// recrc replaces the checksum of a cache after an edit.
func recrc(data []byte) []byte {
	body := data[:len(data)-4]
	return binary.LittleEndian.AppendUint32(slices.Clone(body), crc32.Checksum(body, castagnoli))
}

// TestCacheInvalid checks that a cache file that is not one this Source
// wrote is ignored, with a debug log, and replaced by a good one.
func TestCacheInvalid(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, c *cacheTree, good []byte) []byte
	}{
		{"random bytes", func(t *testing.T, c *cacheTree, good []byte) []byte {
			r := rand.New(rand.NewPCG(1, 2))
			b := make([]byte, 4096)
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			return b
		}},
		{"empty", func(t *testing.T, c *cacheTree, good []byte) []byte { return nil }},
		{"truncated", func(t *testing.T, c *cacheTree, good []byte) []byte { return good[:len(good)/2] }},
		{"a byte flipped", func(t *testing.T, c *cacheTree, good []byte) []byte {
			b := slices.Clone(good)
			b[len(b)/2] ^= 0xff
			return b
		}},
		{"another version", func(t *testing.T, c *cacheTree, good []byte) []byte {
			b := slices.Clone(good)
			b[len(cacheMagic)] = cacheVersion + 1
			return recrc(b)
		}},
		{"another build", func(t *testing.T, c *cacheTree, good []byte) []byte {
			src, _ := scan(t, c.root, cacheNow)
			return encodeCache(buildStamp()+"-other", src.roots, src.reg.sorted())
		}},
		{"other roots", func(t *testing.T, c *cacheTree, good []byte) []byte {
			other := t.TempDir()
			if _, err := corpus.Generate(other, 64<<10, 3, 1, 9); err != nil {
				t.Fatal(err)
			}
			src, _ := scan(t, other, cacheNow)
			return encodeCache(buildStamp(), src.roots, src.reg.sorted())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCacheTree(t)
			c.scan(t)
			bad := tt.spoil(t, c, readFile(t, c.cache))
			if err := os.WriteFile(c.cache, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			_, total := c.transcripts(t)
			src, out := c.scan(t)
			sameSessions(t, "ignored cache", out, c.fresh(t))
			if st := src.Stats(); st.FromCache != 0 || st.BytesRead != total {
				t.Errorf("read %d bytes of %d, %d files from cache; want the cache ignored", st.BytesRead, total, st.FromCache)
			}
			if !strings.Contains(c.log.String(), "ignoring scan cache") {
				t.Errorf("no debug log of the ignored cache in %q", c.log.String())
			}
			next, _ := c.scan(t)
			if next.Stats().BytesRead != 0 {
				t.Error("the bad cache was not replaced by a good one")
			}
		})
	}
}

// TestCacheDecodeDamage feeds the decoder every prefix of a cache, and
// copies with bytes changed, all with a valid checksum: each prefix is
// refused, and no input panics.
func TestCacheDecodeDamage(t *testing.T) {
	root := t.TempDir()
	install(t, root, projectRel("/home/dev/webapp", sidSplit+".jsonl"), "split.jsonl")
	install(t, root, projectRel("/home/dev/webapp", sidSub+".jsonl"), "sub-main.jsonl")
	install(t, root, projectRel("/home/dev/webapp", "agent-a1.jsonl"), "sub-legacy.jsonl")
	src, _ := scan(t, root, cacheNow)
	good := encodeCache("b", src.roots, src.reg.sorted())
	files, err := decodeCache(good, "b", src.roots)
	if err != nil || len(files) != 3 {
		t.Fatalf("good cache: %d files, %v", len(files), err)
	}
	for path, f := range files {
		orig := src.reg.get(path)
		if !orig.agg.materialize() { // a scan compacts quiet files (compact.go)
			t.Fatalf("%s: compacted id sets not restored", path)
		}
		keys := 0
		f.agg.eachKey(func(rkey) { keys++ })
		if keys != len(orig.agg.responses) || f.agg.total != orig.agg.total || f.agg.anon() != orig.agg.anon() || f.endSum != orig.endSum {
			t.Errorf("%s: keys %d, totals %+v/%+v, end sum %#x; want %d, %+v/%+v, %#x", path, keys, f.agg.total, f.agg.anon(), f.endSum,
				len(orig.agg.responses), orig.agg.total, orig.agg.anon(), orig.endSum)
		}
		if !f.agg.materialize() || f.agg.messageCount() != orig.agg.messageCount() ||
			len(f.agg.responses) != len(orig.agg.responses) {
			t.Errorf("%s: id sets not restored", path)
		}
	}
	body := good[:len(good)-4]
	for i := range body {
		if _, err := decodeCache(recrc(append(slices.Clone(body[:i]), 0, 0, 0, 0)), "b", src.roots); err == nil {
			t.Fatalf("prefix of %d bytes accepted", i)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		b := slices.Clone(good)
		for range 1 + r.IntN(4) {
			b[r.IntN(len(b)-4)] = byte(r.Uint32())
		}
		files, _ := decodeCache(recrc(b), "b", src.roots) // must not panic
		for _, f := range files {
			f.agg.eachKey(func(rkey) {})
			f.agg.pendingCalls() // what Asks reads of a blob left encoded
			f.agg.backgroundOf() // and build
			f.agg.materialize()
		}
	}
}

// TestCacheSaveFails checks that a cache that cannot be written does not
// fail the scan, and that Save reports it until it succeeds.
func TestCacheSaveFails(t *testing.T) {
	c := newCacheTree(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c.cache = filepath.Join(blocker, "claude-scan.cache") // its folder is a file
	src, out := c.scan(t)
	sameSessions(t, "unwritable cache", out, c.fresh(t))
	if c.saveErr == nil {
		t.Error("Save into a folder that is a file: nil error")
	}
	if err := src.Save(); err == nil {
		t.Error("Save after a failed save: nil error, want the failure again")
	}
}

// FuzzDecodeCache: a scan cache damaged in any way (the checksum made to
// match, so the decoder sees the damage) is refused or loaded, never a
// panic or a huge allocation, and what it loads can be used.
func FuzzDecodeCache(f *testing.F) {
	root := f.TempDir()
	install(f, root, projectRel("/home/dev/webapp", sidSplit+".jsonl"), "split.jsonl")
	install(f, root, projectRel("/home/dev/webapp", "agent-a1.jsonl"), "sub-legacy.jsonl")
	// A transcript with agents at work in the background, which the blob
	// holds after the working time.
	t0 := at(cacheNow)
	write(f, root, projectRel("/w", sidStatus+".jsonl"), promptLine("go", t0)+launchLine("toolu_1", "a1", "async_launched", t0)+
		launchLine("toolu_2", "b2", "async_launched", t0))
	src := New(Options{Roots: []string{root}, Now: clock(cacheNow)})
	if _, err := src.Scan(f.Context()); err != nil {
		f.Fatal(err)
	}
	f.Add(encodeCache("b", src.roots, src.reg.sorted()))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 4 {
			return
		}
		files, _ := decodeCache(recrc(data), "b", src.roots)
		for _, f := range files {
			f.agg.workTime()
			f.agg.eachKey(func(rkey) {})
			f.agg.pendingCalls() // what Asks reads of a blob left encoded
			f.agg.materialize()
		}
	})
}
