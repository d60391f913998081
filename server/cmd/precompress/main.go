// Command precompress writes the brotli (.br) and gzip (.gz) forms of
// files next to them, for servers that pick one by Accept-Encoding
// instead of compressing on every request:
//
//	precompress [-brotli 11] [-fallback 5] [-cache DIR] web/app.wasm
//	precompress -check web/app.wasm
//
// Once both forms are written and checked to decode to the file, it
// writes a record of the three (app.wasm.sums: sizes, SHA-256s, the Go
// build ID): the server reads that record at start rather than decoding
// the client it embeds. -check reads a file, its forms and its record in
// full and fails when they do not match; the build runs it before
// linking the server.
//
// Brotli quality 11 (16 MiB window) is the smallest form and the slowest
// to make (~46 CPU-s for the 9 MB client); quality 5 takes ~1 s and is
// ~17 % larger, which suits a developer's rebuild loop. Both forms are
// made at once, on separate cores, and kept in a cache keyed by the
// sha256 of the input, so the slow level is paid once per client version.
// With -fallback, a build that does not find the slow level in the cache
// writes the fast one instead of waiting for it: a first build serves in
// a minute less, and only a release (no -fallback) pays for quality 11.
// A progress line every few seconds keeps a long step from looking hung.
package main

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/andybalholm/brotli"

	"vibecraft.sh/helm/server/internal/encoded"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "precompress:", err)
		os.Exit(1)
	}
}

// options are the command line, parsed.
type options struct {
	brotli   int           // brotli quality, 0–11
	fallback int           // quality written when brotli's form is not cached; -1 for none
	cacheDir string        // "" for no cache
	keep     int           // cache entries kept per encoding
	tick     time.Duration // progress period
	check    bool          // only verify the forms and their record
	files    []string
}

func parse(args []string) (options, error) {
	fs := flag.NewFlagSet("precompress", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := options{tick: 5 * time.Second}
	fs.IntVar(&o.brotli, "brotli", 11, "brotli quality (0-11): 11 smallest, 5 fast")
	fs.IntVar(&o.fallback, "fallback", -1, "brotli quality to write instead when the -brotli form is not in the cache (-1: none)")
	fs.StringVar(&o.cacheDir, "cache", "", "folder of earlier results, keyed by the input's sha256")
	fs.IntVar(&o.keep, "keep", 6, "cache entries kept per encoding (newest used)")
	fs.BoolVar(&o.check, "check", false, "verify that each file's forms and record match it; write nothing")
	if err := fs.Parse(args); err != nil {
		return o, fmt.Errorf("%w (usage: precompress [-brotli N] [-fallback N] [-cache DIR] [-check] FILE...)", err)
	}
	o.files = fs.Args()
	switch {
	case len(o.files) == 0:
		return o, errors.New("usage: precompress [-brotli N] [-fallback N] [-cache DIR] [-check] FILE...")
	case o.brotli < brotli.BestSpeed || o.brotli > brotli.BestCompression:
		return o, fmt.Errorf("-brotli %d: want 0 to 11", o.brotli)
	case o.fallback < -1 || o.fallback > brotli.BestCompression:
		return o, fmt.Errorf("-fallback %d: want 0 to 11, or -1 for none", o.fallback)
	case o.keep < 1:
		return o, fmt.Errorf("-keep %d: want at least 1", o.keep)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	out := &lockedWriter{w: stdout}
	for _, path := range o.files {
		if o.check {
			if err := encoded.Verify(os.DirFS(filepath.Dir(path)), filepath.Base(path)); err != nil {
				return fmt.Errorf("%s: %w (remove %s and run make build to write them again)", path, err, path+encoded.ManifestSuffix)
			}
			fmt.Fprintf(out, "%s: its compressed forms and record match it\n", path)
			continue
		}
		if err := compressFile(ctx, o, path, out); err != nil {
			return err
		}
	}
	return nil
}

// encoding is one compressed form: its file suffix, the cache key part
// that names its settings, and its writer.
type encoding struct {
	suffix, key, what string
	wrap              func(io.Writer) (io.WriteCloser, error)
	verify            func(enc, raw []byte) error
	// fallback, if not nil, is written instead when this form is not
	// in the cache.
	fallback *encoding
}

func brotliEncoding(q int) encoding {
	return encoding{".br", fmt.Sprintf("br%d", q), fmt.Sprintf("brotli %d", q), func(w io.Writer) (io.WriteCloser, error) {
		return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: q, LGWin: 24}), nil
	}, encoded.Brotli, nil}
}

func encodings(o options) []encoding {
	br := brotliEncoding(o.brotli)
	if o.fallback >= 0 && o.fallback < o.brotli {
		fast := brotliEncoding(o.fallback)
		br.fallback = &fast
	}
	return []encoding{br,
		{".gz", "gz9", "gzip 9", func(w io.Writer) (io.WriteCloser, error) {
			return gzip.NewWriterLevel(w, gzip.BestCompression)
		}, encoded.Gzip, nil},
	}
}

func compressFile(ctx context.Context, o options, path string, out io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	fmt.Fprintf(out, "%s: %d bytes, sha256 %s\n", path, len(raw), hash[:12])
	var c *cache
	if o.cacheDir != "" {
		c = &cache{dir: o.cacheDir, keep: o.keep}
	}
	// The old record goes first: until the new one is written, nothing
	// vouches for forms that are being replaced.
	if err := os.Remove(path + encoded.ManifestSuffix); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove the old record: %w", err)
	}
	encs := encodings(o)
	errs := make([]error, len(encs))
	forms := make([][]byte, len(encs))
	var wg sync.WaitGroup
	for i, enc := range encs {
		wg.Go(func() { forms[i], errs[i] = produce(ctx, o, c, hash, path, raw, enc, out) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	bySuffix := map[string][]byte{}
	for i, enc := range encs {
		bySuffix[enc.suffix] = forms[i]
	}
	// NewManifest decodes each form again (~0.1 s for the client): a
	// fresh form is checked as a cached one is before the record vouches
	// for it.
	m, err := encoded.NewManifest(raw, bySuffix)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := writeAtomic(path+encoded.ManifestSuffix, m.Marshal()); err != nil {
		return fmt.Errorf("%s: %w", path+encoded.ManifestSuffix, err)
	}
	if m.BuildID == "" {
		// Not a Go binary: the server cannot tell from the file's head
		// that the record is current, so it serves the file uncompressed.
		fmt.Fprintf(out, "%s: no Go build ID; a server will not trust the record\n", path)
	}
	return nil
}

// produce writes path+enc.suffix from the cache when it holds this input
// at these settings, else by compressing (and then fills the cache). It
// returns what it wrote.
func produce(ctx context.Context, o options, c *cache, hash, path string, raw []byte, enc encoding, out io.Writer) ([]byte, error) {
	dst := path + enc.suffix
	ratio := func(n int) string { return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(max(len(raw), 1))) }
	if b := c.get(hash, enc.key); b != nil {
		if err := enc.verify(b, raw); err == nil {
			if err := writeAtomic(dst, b); err != nil {
				return nil, fmt.Errorf("%s: %w", dst, err)
			}
			fmt.Fprintf(out, "%s: %d bytes (%s), %s, from the cache\n", dst, len(b), ratio(len(b)), enc.what)
			return b, nil
		}
		fmt.Fprintf(out, "%s: cached %s form is damaged\n", dst, enc.what)
	}
	if enc.fallback != nil {
		fmt.Fprintf(out, "%s: no %s form of this input in the cache: %s instead (make release makes and caches %s)\n",
			dst, enc.what, enc.fallback.what, enc.what)
		return produce(ctx, o, c, hash, path, raw, *enc.fallback, out)
	}
	start := time.Now()
	stopTick := ticker(o.tick, func(d time.Duration) {
		fmt.Fprintf(out, "%s: %s… %s\n", dst, enc.what, d.Round(time.Second))
	})
	b, err := compress(ctx, raw, enc.wrap)
	stopTick()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dst, err)
	}
	if err := writeAtomic(dst, b); err != nil {
		return nil, fmt.Errorf("%s: %w", dst, err)
	}
	fmt.Fprintf(out, "%s: %d bytes (%s), %s, in %s\n", dst, len(b), ratio(len(b)), enc.what,
		time.Since(start).Round(100*time.Millisecond))
	if err := c.put(hash, enc.key, b); err != nil {
		// A cache that cannot be written costs time next build, nothing else.
		fmt.Fprintf(out, "%s: not cached: %v\n", dst, err)
	}
	return b, nil
}

// compress feeds raw to the encoder in chunks so an interrupt stops it
// between chunks instead of after the whole (possibly minute-long) file.
func compress(ctx context.Context, raw []byte, wrap func(io.Writer) (io.WriteCloser, error)) ([]byte, error) {
	var buf bytesBuffer
	zw, err := wrap(&buf)
	if err != nil {
		return nil, err
	}
	const chunk = 1 << 20
	for off := 0; off < len(raw); off += chunk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, err := zw.Write(raw[off:min(off+chunk, len(raw))]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.b, nil
}

type bytesBuffer struct{ b []byte }

func (w *bytesBuffer) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// ticker calls f with the elapsed time every period until the returned
// stop is called.
func ticker(period time.Duration, f func(time.Duration)) (stop func()) {
	start := time.Now()
	t := time.NewTicker(period)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-t.C:
				f(time.Since(start))
			case <-done:
				return
			}
		}
	})
	return func() { t.Stop(); close(done); wg.Wait() }
}

// lockedWriter keeps the lines of the two encoders from interleaving.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// writeAtomic writes b to a temporary file and renames it over dst, so a
// server never embeds or serves a half-written file.
func writeAtomic(dst string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
