package webui

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"

	"vibecraft.sh/helm/server/internal/encoded"
	"vibecraft.sh/helm/web"
)

func TestWasmEncodings(t *testing.T) {
	raw := fakeWasm()
	tests := []struct {
		name         string
		br, gz       bool
		accept, want string
	}{
		{"brotli preferred", true, true, "gzip, deflate, br, zstd", "br"},
		{"gzip only accepted", true, true, "gzip", "gzip"},
		{"q-values win", true, true, "br;q=0.5, gzip;q=0.8", "gzip"},
		{"q=0 refuses", true, true, "br;q=0, gzip", "gzip"},
		{"nothing accepted", true, true, "", ""},
		{"identity", true, true, "identity", ""},
		{"both refused", true, true, "br;q=0, gzip;q=0", ""},
		{"wildcard", true, true, "*", "br"},
		{"wildcard minus br", true, true, "br;q=0, *;q=0.1", "gzip"},
		{"case and spaces", true, true, " GZIP ; Q=0.9 ", "gzip"},
		{"malformed q", true, true, "br;q=abc, gzip", "gzip"},
		{"x-gzip", true, true, "x-gzip", "gzip"},
		{"no .br built", false, true, "br, gzip", "gzip"},
		{"no compressed forms", false, false, "br, gzip", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, assets(t, raw, tc.br, tc.gz), nil, nil)
			resp, body := s.get(t, "/web/app.wasm", "Accept-Encoding", tc.accept)
			if resp.StatusCode != 200 {
				t.Fatal(resp.Status)
			}
			h := resp.Header
			if h.Get("Content-Type") != "application/wasm" || h.Get("Vary") != "Accept-Encoding" || h.Get("Content-Encoding") != tc.want {
				t.Fatalf("headers = %v, want encoding %q", h, tc.want)
			}
			if h.Get("Content-Length") != itoa(len(body)) || h.Get("Wasm-Content-Length") != itoa(len(raw)) {
				t.Fatalf("lengths: %v (body %d)", h, len(body))
			}
			got := decoded(t, tc.want, body)
			if !bytes.Equal(got, raw) {
				t.Fatal("the body does not decode to app.wasm")
			}
			if tc.want != "" && len(body) >= len(raw) {
				t.Fatal("not compressed")
			}
			// A revalidation with the same representation's ETag is a 304.
			r2, _ := s.get(t, "/web/app.wasm", "Accept-Encoding", tc.accept, "If-None-Match", h.Get("ETag"))
			if r2.StatusCode != http.StatusNotModified {
				t.Fatalf("revalidation: %d", r2.StatusCode)
			}
		})
	}
}

// A form is served only when the build's record vouches for it and the
// record describes the embedded app.wasm; anything else gets the raw
// client, never another build's.
func TestStaleCompressedFormsAreNotServed(t *testing.T) {
	current := fakeWasmBuild("new/build")
	old := fakeWasmBuild("old/build") // the same size: only the build ID tells
	old[len(old)-1] = 'x'
	noID := append([]byte("\x00asm\x01\x00\x00\x00"), current[40:]...)
	cases := []struct {
		name    string
		fsys    func(t *testing.T) fstest.MapFS
		raw     []byte
		wantEnc string // for Accept-Encoding: br, gzip
	}{
		{"client rebuilt without precompress", func(t *testing.T) fstest.MapFS {
			fsys := assets(t, old, true, true)
			fsys["app.wasm"] = &fstest.MapFile{Data: current}
			return fsys
		}, current, ""},
		{"forms without their record", func(t *testing.T) fstest.MapFS {
			fsys := assets(t, current, true, true)
			delete(fsys, "app.wasm"+encoded.ManifestSuffix)
			return fsys
		}, current, ""},
		{"record unreadable", func(t *testing.T) fstest.MapFS {
			fsys := assets(t, current, true, true)
			fsys["app.wasm"+encoded.ManifestSuffix] = &fstest.MapFile{Data: []byte("{")}
			return fsys
		}, current, ""},
		{"brotli form replaced after the record", func(t *testing.T) fstest.MapFS {
			fsys := assets(t, current, true, true)
			fsys["app.wasm.br"] = &fstest.MapFile{Data: brotliOf(t, []byte("\x00asm an older build"))}
			return fsys
		}, current, "gzip"},
		{"gzip form not in the record", func(t *testing.T) fstest.MapFS {
			fsys := assets(t, current, true, false)
			fsys["app.wasm.gz"] = &fstest.MapFile{Data: gzipOf(t, old)}
			return fsys
		}, current, "br"},
		// Its head says nothing about the rest, so no record can vouch for it.
		{"client without a build ID", func(t *testing.T) fstest.MapFS {
			return assets(t, noID, true, true)
		}, noID, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, tc.fsys(t), nil, nil)
			resp, body := s.get(t, "/web/app.wasm", "Accept-Encoding", "br, gzip")
			enc := resp.Header.Get("Content-Encoding")
			if enc != tc.wantEnc {
				t.Fatalf("served the %q form, want %q", enc, tc.wantEnc)
			}
			got := decoded(t, enc, body)
			if !bytes.Equal(got, tc.raw) {
				t.Fatal("the body is not the embedded client")
			}
		})
	}
}

// A rebuilt client changes the version (and so the ETags and the service
// worker's cache) even when only its build ID tells it apart, and whether
// or not its record is current.
func TestVersionFollowsTheClient(t *testing.T) {
	a, b := fakeWasmBuild("build/a"), fakeWasmBuild("build/b")
	stale := assets(t, a, true, true)
	stale["app.wasm"] = &fstest.MapFile{Data: b}
	versions := map[string]string{}
	for name, fsys := range map[string]fstest.MapFS{
		"a": assets(t, a, true, true), "b": assets(t, b, true, true), "b, record of a": stale,
	} {
		versions[name] = newServer(t, fsys, nil, nil).h.Version()
	}
	if versions["a"] == versions["b"] || versions["b, record of a"] == versions["a"] {
		t.Fatalf("versions %v", versions)
	}
}

// counting wraps an FS and counts the bytes read from each file.
type counting struct {
	fs.FS
	mu   sync.Mutex
	read map[string]int64
}

func (c *counting) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &countedFile{File: f, name: name, c: c}, nil
}

func (c *counting) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.FS, name) }

func (c *counting) add(name string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read[name] += int64(n)
}

type countedFile struct {
	fs.File
	name string
	c    *counting
}

func (f *countedFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	f.c.add(f.name, n)
	return n, err
}

func (f *countedFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.File.(io.ReaderAt).ReadAt(p, off)
	f.c.add(f.name, n)
	return n, err
}

func (f *countedFile) Seek(off int64, whence int) (int64, error) {
	return f.File.(io.Seeker).Seek(off, whence)
}

// Start reads a page of the client, not the client: the embedded forms
// are the binary's read-only data, and every page read at start stays in
// the server's resident memory (11 MB when each start decoded the brotli
// form and compared it with app.wasm). The forms are still served.
func TestStartReadsLittleOfTheClient(t *testing.T) {
	raw := fakeWasmBuild("big/client")
	for len(raw) < 4<<20 {
		raw = append(raw, raw...)
	}
	c := &counting{FS: assets(t, raw, true, true), read: map[string]int64{}}
	s := newServer(t, c, nil, nil)
	c.mu.Lock()
	read := maps.Clone(c.read)
	c.mu.Unlock()
	for _, name := range []string{"app.wasm", "app.wasm.br", "app.wasm.gz"} {
		if read[name] > encoded.HeadSize {
			t.Errorf("start read %d bytes of %s; want at most %d", read[name], name, encoded.HeadSize)
		}
	}
	for _, enc := range []string{"br", "gzip"} {
		resp, _ := s.get(t, "/web/app.wasm", "Accept-Encoding", enc)
		if resp.Header.Get("Content-Encoding") != enc {
			t.Errorf("Accept-Encoding %s: served %q", enc, resp.Header.Get("Content-Encoding"))
		}
	}
}

// The client make build embeds: its forms decode to it and its record
// describes them (what `make test` checks after the build), and the
// server trusts that record, so it serves them.
func TestEmbeddedClientMatchesItsForms(t *testing.T) {
	fsys := web.Assets()
	if _, err := fs.Stat(fsys, "app.wasm"); errors.Is(err, fs.ErrNotExist) {
		// Not built (a fresh clone): then nothing of it may be embedded.
		for _, name := range []string{"app.wasm.br", "app.wasm.gz", "app.wasm" + encoded.ManifestSuffix} {
			if _, err := fs.Stat(fsys, name); err == nil {
				t.Errorf("%s is embedded without app.wasm", name)
			}
		}
		return
	}
	if err := encoded.Verify(fsys, "app.wasm"); err != nil {
		t.Fatalf("the embedded client and its forms differ (run make build): %v", err)
	}
	w, err := loadWasm(fsys, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if w.br == "" || w.gz == "" {
		t.Fatalf("the server would not serve the embedded forms: br %q, gz %q", w.br, w.gz)
	}
}

func TestWasmNotBuilt(t *testing.T) {
	s := newServer(t, assets(t, nil, false, false), sessions(), nil)
	resp, body := s.get(t, "/web/app.wasm")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "client not built: run make build") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// What the service worker's install reads to leave the client out
	// rather than fail (worker.go); a proxy's 503 does not name the build.
	if v := resp.Header.Get(VersionHeader); v != s.h.Version() {
		t.Errorf("the 503 names version %q, want the build's %q", v, s.h.Version())
	}
	resp, body = s.get(t, "/")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `data-key="claude:s1"`) {
		t.Fatalf("the page is not served without the client: %d", resp.StatusCode)
	}
}

// decoded is body decoded from the content coding enc ("br", "gzip", or
// none).
func decoded(t *testing.T, enc string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	default:
		return body
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding %s: %v", enc, err)
	}
	return got
}
