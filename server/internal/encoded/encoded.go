// Package encoded checks that a compressed form of a file decodes to the
// file itself: the build's cache of compressed clients refuses a stale or
// damaged form, and the build records (Manifest) the forms it checked, so
// that the server serves them without decoding them again.
package encoded

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"

	"github.com/andybalholm/brotli"
)

// Gzip decodes gz fully and compares it with raw.
func Gzip(gz, raw []byte) error {
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return err
	}
	return sameContent(r, raw)
}

// Brotli decodes br (brotli has no checksum) and compares it with raw.
func Brotli(br, raw []byte) error {
	return sameContent(brotli.NewReader(bytes.NewReader(br)), raw)
}

// sameContent reads r to its end, failing at the first byte that differs
// from want or once it runs longer than want (a decompression bomb stops
// there).
func sameContent(r io.Reader, want []byte) error { return sameStream(r, bytes.NewReader(want)) }

// sameStream reads r to its end, failing at the first byte that differs
// from want's or once it runs longer than want.
func sameStream(r, want io.Reader) error {
	buf := make([]byte, 64<<10)
	other := make([]byte, len(buf))
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := io.ReadFull(want, other[:n]); werr != nil || !bytes.Equal(buf[:n], other[:n]) {
				return errors.New("content differs")
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if n, _ := io.ReadFull(want, other[:1]); n != 0 {
		return errors.New("content is shorter")
	}
	return nil
}
