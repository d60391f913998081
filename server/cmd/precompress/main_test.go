package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// input writes a compressible file of n bytes into a new temp folder.
func input(t testing.TB, seed uint64, n int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	words := []string{"\x00asm", "helm", "client", "session", "go-app", "wasm", "stream"}
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[rng.IntN(len(words))])
		b.WriteByte(byte(rng.IntN(8)))
	}
	path := filepath.Join(t.TempDir(), "app.wasm")
	if err := os.WriteFile(path, b.Bytes()[:n], 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// decoded reads path+suffix and decodes it.
func decoded(t *testing.T, path, suffix string) []byte {
	t.Helper()
	b, err := os.ReadFile(path + suffix)
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = brotli.NewReader(bytes.NewReader(b))
	if suffix == ".gz" {
		if r, err = gzip.NewReader(bytes.NewReader(b)); err != nil {
			t.Fatalf("%s: %v", suffix, err)
		}
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", suffix, err)
	}
	return got
}

func runOut(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("precompress %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

func TestCompressesBothForms(t *testing.T) {
	for _, level := range []string{"11", "5", "0"} {
		t.Run("brotli "+level, func(t *testing.T) {
			path := input(t, 1, 20_000)
			raw, _ := os.ReadFile(path)
			// A stale form from an older build is replaced.
			if err := os.WriteFile(path+".gz", []byte("stale"), 0o644); err != nil {
				t.Fatal(err)
			}
			out := runOut(t, "-brotli", level, path)
			for _, suffix := range []string{".br", ".gz"} {
				if got := decoded(t, path, suffix); !bytes.Equal(got, raw) {
					t.Fatalf("%s does not decode to the input", suffix)
				}
				if fi, _ := os.Stat(path + suffix); fi.Size() >= int64(len(raw)/2) {
					t.Errorf("%s: %d bytes for %d: not compressed", suffix, fi.Size(), len(raw))
				}
				if !strings.Contains(out, "app.wasm"+suffix+":") {
					t.Errorf("no report line for %s in %q", suffix, out)
				}
			}
			if !strings.Contains(out, "brotli "+level) {
				t.Errorf("the report does not name the level: %q", out)
			}
			// app.wasm, its two forms and their record.
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 4 {
				t.Errorf("temporary files left behind: %v", entries)
			}
		})
	}
}

// The slow level is paid once per input: a second build of the same
// client copies it from the cache; another level or input misses.
func TestCacheByHashAndLevel(t *testing.T) {
	cacheDir := filepath.Join(t.TempDir(), "cache")
	path := input(t, 2, 50_000)
	raw, _ := os.ReadFile(path)
	steps := []struct {
		name, level string
		change      bool // rewrite the input first
		wantHit     bool
	}{
		{"first build", "9", false, false},
		{"same client again", "9", false, true},
		{"another level is another entry", "2", false, false},
		{"client changed", "9", true, false},
		{"changed client again", "9", false, true},
	}
	for _, s := range steps {
		if s.change {
			raw = append(raw, "one more line"...)
			if err := os.WriteFile(path, raw, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out := runOut(t, "-cache", cacheDir, "-brotli", s.level, path)
		hit := strings.Contains(out, "app.wasm.br: ") && strings.Contains(out, "brotli "+s.level+", from the cache")
		if hit != s.wantHit {
			t.Errorf("%s: cache hit %v, want %v:\n%s", s.name, hit, s.wantHit, out)
		}
		for _, suffix := range []string{".br", ".gz"} {
			if !bytes.Equal(decoded(t, path, suffix), raw) {
				t.Fatalf("%s: %s does not decode to the input", s.name, suffix)
			}
		}
	}
}

// With -fallback, a build that misses the slow level in the cache writes
// the fast one at once; a build without it (a release) makes and caches
// the slow level, and every fallback build of that input then finds it.
func TestFallbackUntilTheSlowLevelIsCached(t *testing.T) {
	cacheDir := filepath.Join(t.TempDir(), "cache")
	// 20 KB tell the levels apart as 200 KB did, for a tenth of the
	// compression, which under -race was most of 9 CPU-s.
	path := input(t, 3, 20_000)
	raw, _ := os.ReadFile(path)
	brotliAt := func(q int) []byte {
		var b bytes.Buffer
		w := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: q, LGWin: 24})
		if _, err := w.Write(raw); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	fast, slow := brotliAt(1), brotliAt(9)
	if bytes.Equal(fast, slow) {
		t.Fatal("the two levels give the same bytes: the test could not tell them apart")
	}
	steps := []struct {
		name  string
		cache string
		args  []string
		want  []byte
		say   string
		// noFallback: the report must not name a fallback.
		noFallback bool
	}{
		{"first build", cacheDir, []string{"-brotli", "9", "-fallback", "1"}, fast, "no brotli 9 form of this input in the cache: brotli 1 instead", false},
		{"release", cacheDir, []string{"-brotli", "9"}, slow, "brotli 9, in", false},
		{"build after the release", cacheDir, []string{"-brotli", "9", "-fallback", "1"}, slow, "brotli 9, from the cache", false},
		// An empty cache: the level itself is made, with no word of a fallback.
		{"a fallback not below the level is none", t.TempDir(), []string{"-brotli", "1", "-fallback", "1"}, fast, "brotli 1, in", true},
	}
	for _, s := range steps {
		out := runOut(t, append(append([]string{"-cache", s.cache}, s.args...), path)...)
		if s.noFallback && strings.Contains(out, "instead") {
			t.Errorf("%s: a fallback was taken:\n%s", s.name, out)
		}
		got, err := os.ReadFile(path + ".br")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, s.want) {
			t.Errorf("%s: app.wasm.br is %d bytes, want the %d of the expected level:\n%s", s.name, len(got), len(s.want), out)
		}
		if !strings.Contains(out, s.say) {
			t.Errorf("%s: the report does not say %q:\n%s", s.name, s.say, out)
		}
		if !bytes.Equal(decoded(t, path, ".br"), raw) {
			t.Fatalf("%s: .br does not decode to the input", s.name)
		}
	}
}

// Hostile cache content (damaged, truncated, another file's form, a
// bomb) is never copied out: the form is made again and the entry fixed.
func TestDamagedCacheEntry(t *testing.T) {
	other := input(t, 9, 30_000)
	runOut(t, "-brotli", "5", other)
	otherBR, _ := os.ReadFile(other + ".br")
	// 1 MiB of zeros is 35 times the input as 10 MiB was 350 times:
	// compressing those under -race took seconds.
	bomb := brotliOf(t, bytes.Repeat([]byte{0}, 1<<20))
	cases := map[string][]byte{
		"garbage":       []byte("not brotli at all"),
		"empty":         {},
		"another input": otherBR,
		"bomb":          bomb,
	}
	for name, entry := range cases {
		t.Run(name, func(t *testing.T) {
			cacheDir := t.TempDir()
			path := input(t, 3, 30_000)
			raw, _ := os.ReadFile(path)
			runOut(t, "-cache", cacheDir, "-brotli", "5", path)
			matches, _ := filepath.Glob(filepath.Join(cacheDir, "*.br5"))
			if len(matches) != 1 {
				t.Fatalf("cache entries %v, want one", matches)
			}
			if err := os.WriteFile(matches[0], entry, 0o644); err != nil {
				t.Fatal(err)
			}
			out := runOut(t, "-cache", cacheDir, "-brotli", "5", path)
			if !strings.Contains(out, "damaged") {
				t.Errorf("a bad entry was not reported: %q", out)
			}
			if !bytes.Equal(decoded(t, path, ".br"), raw) {
				t.Fatal("served form does not decode to the input")
			}
			out = runOut(t, "-cache", cacheDir, "-brotli", "5", path)
			if !strings.Contains(out, "from the cache") {
				t.Errorf("the entry was not repaired: %q", out)
			}
		})
	}
}

func brotliOf(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, 1)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The cache stays bounded: the oldest versions go.
func TestCachePrunesOldVersions(t *testing.T) {
	cacheDir := t.TempDir()
	for i := range 4 {
		path := input(t, uint64(10+i), 20_000)
		runOut(t, "-cache", cacheDir, "-keep", "2", "-brotli", "1", path)
		// Distinct modification times even on a coarse-clock filesystem.
		old := time.Now().Add(time.Duration(i-10) * time.Hour)
		matches, _ := filepath.Glob(filepath.Join(cacheDir, "*"))
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.ModTime().After(time.Now().Add(-time.Minute)) {
				_ = os.Chtimes(m, old, old)
			}
		}
	}
	for _, key := range []string{"br1", "gz9"} {
		matches, _ := filepath.Glob(filepath.Join(cacheDir, "*."+key))
		if len(matches) != 2 {
			t.Errorf("%s: %d entries kept, want 2: %v", key, len(matches), matches)
		}
	}
}

// A long compression says it is still working: the encoder here blocks
// until a progress line has been printed.
func TestProgressWhileSlow(t *testing.T) {
	path := input(t, 4, 1_000)
	raw, _ := os.ReadFile(path)
	progressed := make(chan struct{})
	out := &signalWriter{match: "app.wasm.x: slow… ", seen: progressed}
	slow := encoding{suffix: ".x", key: "x", what: "slow",
		wrap: func(w io.Writer) (io.WriteCloser, error) {
			return &blockingWriter{w: w, until: progressed}, nil
		},
		verify: func(enc, raw []byte) error { return nil },
	}
	o := options{keep: 1, tick: time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := produce(ctx, o, nil, "h", path, raw, slow, &lockedWriter{w: out}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path + ".x"); !bytes.Equal(got, raw) {
		t.Error("the slow form was not written")
	}
}

// signalWriter closes seen once a write contains match.
type signalWriter struct {
	match string
	seen  chan struct{}
	done  bool
}

func (s *signalWriter) Write(p []byte) (int, error) {
	if !s.done && strings.Contains(string(p), s.match) {
		s.done = true
		close(s.seen)
	}
	return len(p), nil
}

// blockingWriter passes writes through once until is closed.
type blockingWriter struct {
	w     io.Writer
	until chan struct{}
}

func (b *blockingWriter) Write(p []byte) (int, error) {
	<-b.until
	return b.w.Write(p)
}

func (b *blockingWriter) Close() error { return nil }

func TestInterruptLeavesNothing(t *testing.T) {
	path := input(t, 5, 3<<20)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := run(ctx, []string{path}, io.Discard)
	if err == nil {
		t.Fatal("cancelled: want an error")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("files written after an interrupt: %v", entries)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "x")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"-brotli", "12", file}, "want 0 to 11"},
		{[]string{"-brotli", "-1", file}, "want 0 to 11"},
		{[]string{"-keep", "0", file}, "at least 1"},
		{[]string{"-fallback", "12", file}, "-1 for none"},
		{[]string{"-fallback", "-2", file}, "-1 for none"},
		{[]string{"-nosuch", file}, "usage"},
		{[]string{filepath.Join(dir, "missing.wasm")}, "read input"},
	}
	for _, c := range cases {
		err := run(context.Background(), c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one saying %q", c.args, err, c.want)
		}
	}
}

// FuzzCacheEntry: whatever a cache file holds, the form written out
// decodes to the input.
func FuzzCacheEntry(f *testing.F) {
	f.Add([]byte("garbage"), true)
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, false)
	f.Add(brotliOf(f, []byte("helm")), true)
	path := input(f, 6, 4_000)
	raw, _ := os.ReadFile(path)
	// One folder per fuzzing process, reused: each input overwrites it.
	cacheDir, dst := f.TempDir(), filepath.Join(f.TempDir(), "app.wasm")
	f.Fuzz(func(t *testing.T, entry []byte, br bool) {
		c := &cache{dir: cacheDir, keep: 1}
		o := options{brotli: 1, keep: 1, tick: time.Hour}
		encs := encodings(o)
		enc := encs[1]
		if br {
			enc = encs[0]
		}
		hash := fmt.Sprintf("%x", raw[:8])
		if err := c.put(hash, enc.key, entry); err != nil {
			t.Fatal(err)
		}
		if _, err := produce(context.Background(), o, c, hash, dst, raw, enc, io.Discard); err != nil {
			t.Fatal(err)
		}
		written, err := os.ReadFile(dst + enc.suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := enc.verify(written, raw); err != nil {
			t.Fatalf("written form does not decode to the input: %v", err)
		}
	})
}
