package webui

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"
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
			var got []byte
			switch tc.want {
			case "br":
				got, _ = io.ReadAll(brotli.NewReader(bytes.NewReader(body)))
			case "gzip":
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				got, _ = io.ReadAll(zr)
			default:
				got = body
			}
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

func TestStaleCompressedFormsAreNotServed(t *testing.T) {
	fsys := assets(t, fakeWasm(), false, false)
	old := []byte("\x00asm an older build")
	fsys["app.wasm.br"] = &fstest.MapFile{Data: brotliOf(t, old)}
	fsys["app.wasm.gz"] = &fstest.MapFile{Data: gzipOf(t, old)}
	s := newServer(t, fsys, nil, nil)
	resp, body := s.get(t, "/web/app.wasm", "Accept-Encoding", "br, gzip")
	if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, fakeWasm()) {
		t.Fatalf("served a stale %q form", resp.Header.Get("Content-Encoding"))
	}
}

func TestWasmNotBuilt(t *testing.T) {
	s := newServer(t, assets(t, nil, false, false), sessions(), nil)
	resp, body := s.get(t, "/web/app.wasm")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "client not built: run make build") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	resp, body = s.get(t, "/")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `data-key="claude:s1"`) {
		t.Fatalf("the page is not served without the client: %d", resp.StatusCode)
	}
}
