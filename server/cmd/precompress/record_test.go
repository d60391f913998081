package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/internal/encoded"
)

// goWasm writes a file that starts as the go command writes a wasm
// client: the magic, then a custom section holding the Go build ID.
func goWasm(t *testing.T, buildID string, n int) string {
	t.Helper()
	path := input(t, 7, n)
	raw, _ := os.ReadFile(path)
	head := []byte("\x00asm\x01\x00\x00\x00\x00\x7f\x0ago:buildid\xff Go build ID: \"" + buildID + "\"\n \xff")
	copy(raw, head)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The record written beside the forms describes them and the client,
// build ID included, and -check accepts the folder as built.
func TestRecordDescribesTheForms(t *testing.T) {
	path := goWasm(t, "aaaa/bbbb/cccc/dddd", 40_000)
	raw, _ := os.ReadFile(path)
	runOut(t, "-brotli", "5", path)
	m, err := encoded.ReadManifest(os.DirFS(filepath.Dir(path)), "app.wasm")
	if err != nil {
		t.Fatal(err)
	}
	if m.Size != int64(len(raw)) || m.BuildID != "aaaa/bbbb/cccc/dddd" {
		t.Fatalf("record %+v for %d bytes", m, len(raw))
	}
	for _, suffix := range []string{".br", ".gz"} {
		fi, err := os.Stat(path + suffix)
		if err != nil || m.Forms[suffix].Size != fi.Size() {
			t.Fatalf("%s: record %+v, file %v %v", suffix, m.Forms[suffix], fi, err)
		}
	}
	if out := runOut(t, "-check", path); !strings.Contains(out, "match") {
		t.Fatalf("-check: %q", out)
	}
}

// -check fails on every way the folder can go stale: a client rebuilt
// without precompress, a form replaced, a record lost. That is what
// stops `make build` before it links a server that embeds them.
func TestCheckRefusesStaleForms(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(t *testing.T, path string)
	}{
		{"client rebuilt, same size", func(t *testing.T, path string) {
			raw, _ := os.ReadFile(path)
			raw[len(raw)-1] ^= 1
			write(t, path, raw)
		}},
		{"brotli form of another client", func(t *testing.T, path string) {
			raw, _ := os.ReadFile(path)
			write(t, path+".br", brotliOf(t, append(raw, 'x')))
		}},
		{"gzip form damaged", func(t *testing.T, path string) {
			gz, _ := os.ReadFile(path + ".gz")
			gz[len(gz)/2] ^= 1
			write(t, path+".gz", gz)
		}},
		{"record missing", func(t *testing.T, path string) {
			if err := os.Remove(path + encoded.ManifestSuffix); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := goWasm(t, "x/y", 30_000)
			runOut(t, "-brotli", "5", path)
			tc.spoil(t, path)
			err := run(context.Background(), []string{"-check", path}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "and run make build") {
				t.Fatalf("-check after %s: %v", tc.name, err)
			}
		})
	}
}

// A run that fails leaves no record vouching for the forms it was
// replacing.
func TestFailedRunLeavesNoRecord(t *testing.T) {
	path := goWasm(t, "x/y", 40_000)
	runOut(t, "-brotli", "1", path)
	if _, err := os.Stat(path + encoded.ManifestSuffix); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	write(t, path, bytes.ToUpper(raw))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := run(ctx, []string{path}, io.Discard); err == nil {
		t.Fatal("cancelled: want an error")
	}
	if _, err := os.Stat(path + encoded.ManifestSuffix); !os.IsNotExist(err) {
		t.Fatalf("the old record is still there: %v", err)
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
