package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestCompressesBothForms(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.wasm")
	raw := bytes.Repeat([]byte("\x00asm helm client "), 5000)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	// A stale form from an older build is replaced.
	if err := os.WriteFile(path+".gz", []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{path}, &out); err != nil {
		t.Fatal(err)
	}
	readers := map[string]func(io.Reader) (io.Reader, error){
		".br": func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		".gz": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
	}
	for suffix, open := range readers {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) >= len(raw)/4 {
			t.Errorf("%s: %d bytes for %d: not compressed", suffix, len(b), len(raw))
		}
		r, err := open(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("%s does not decode to the input (%v)", suffix, err)
		}
		if !strings.Contains(out.String(), "app.wasm"+suffix+":") {
			t.Errorf("no report line for %s in %q", suffix, out.String())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestErrors(t *testing.T) {
	if err := run(nil, io.Discard); err == nil {
		t.Error("no arguments: want a usage error")
	}
	if err := run([]string{filepath.Join(t.TempDir(), "missing.wasm")}, io.Discard); err == nil {
		t.Error("missing file: want an error")
	}
}
