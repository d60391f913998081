// Command precompress writes the brotli (.br) and gzip (.gz) forms of
// files next to them, for servers that pick one by Accept-Encoding
// instead of compressing on every request:
//
//	go run ./server/cmd/precompress web/app.wasm
//
// Brotli runs at quality 11 with a 16 MiB window, gzip at level 9: slow
// once at build time, smallest on every download.
package main

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/andybalholm/brotli"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "precompress:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: precompress FILE")
	}
	for _, path := range args {
		if err := compressFile(path, stdout); err != nil {
			return err
		}
	}
	return nil
}

// encoders are the forms written, by file suffix.
var encoders = []struct {
	suffix string
	wrap   func(io.Writer) (io.WriteCloser, error)
}{
	{".br", func(w io.Writer) (io.WriteCloser, error) {
		return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: 11, LGWin: 24}), nil
	}},
	{".gz", func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriterLevel(w, gzip.BestCompression) }},
}

func compressFile(path string, stdout io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d bytes\n", path, len(raw))
	for _, enc := range encoders {
		start := time.Now()
		n, err := writeAtomic(path+enc.suffix, raw, enc.wrap)
		if err != nil {
			return fmt.Errorf("%s%s: %w", path, enc.suffix, err)
		}
		fmt.Fprintf(stdout, "%s%s: %d bytes (%.1f%%) in %s\n", path, enc.suffix, n,
			100*float64(n)/float64(max(len(raw), 1)), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// writeAtomic compresses raw into a temporary file and renames it over
// dst, so a server never embeds or serves a half-written file.
func writeAtomic(dst string, raw []byte, wrap func(io.Writer) (io.WriteCloser, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".tmp*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	zw, err := wrap(tmp)
	if err == nil {
		_, err = zw.Write(raw)
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		tmp.Close()
		return 0, err
	}
	info, err := tmp.Stat()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return 0, err
	}
	return info.Size(), os.Rename(tmp.Name(), dst)
}
