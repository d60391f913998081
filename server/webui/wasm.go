package webui

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"vibecraft.sh/helm/server/internal/encoded"
)

// wasmFile is the client, raw and in the pre-compressed forms that match
// it (built by server/cmd/precompress).
type wasmFile struct {
	raw, br, gz []byte
	etag        string // of the raw bytes; the encoding is appended per form
}

// loadWasm reads app.wasm and its .br/.gz from fsys. A missing app.wasm
// is not an error (a fresh clone before `make build`): it returns nil. A
// compressed form that does not decode to app.wasm (stale after a rebuild
// without precompress) is dropped with a warning rather than served.
func loadWasm(fsys fs.FS, version string, log *slog.Logger) (*wasmFile, error) {
	raw, err := fs.ReadFile(fsys, "app.wasm")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read app.wasm: %w", err)
	}
	w := &wasmFile{raw: raw, etag: version}
	if br, err := fs.ReadFile(fsys, "app.wasm.br"); err == nil {
		if verr := verifyBrotli(br, raw); verr != nil {
			log.Warn("app.wasm.br does not match app.wasm; serving it uncompressed (run make build)", "err", verr)
		} else {
			w.br = br
		}
	}
	if gz, err := fs.ReadFile(fsys, "app.wasm.gz"); err == nil {
		if verr := verifyGzip(gz, raw); verr != nil {
			log.Warn("app.wasm.gz does not match app.wasm; not serving it (run make build)", "err", verr)
		} else {
			w.gz = gz
		}
	}
	return w, nil
}

// brotliVerified holds the hashes of the (app.wasm.br, app.wasm) pairs
// this process has decoded and found equal: decoding the 9 MB client takes
// ~40 ms, ten times that under the race detector, and the server tests
// start helmd in-process a hundred times over the same embedded client.
var brotliVerified sync.Map // [2][sha256.Size]byte → struct{}

// verifyBrotli decodes br and compares it with raw (brotli has no
// checksum), once per process for a given pair.
func verifyBrotli(br, raw []byte) error {
	key := [2][sha256.Size]byte{sha256.Sum256(br), sha256.Sum256(raw)}
	if _, ok := brotliVerified.Load(key); ok {
		return nil
	}
	if err := encoded.Brotli(br, raw); err != nil {
		return err
	}
	brotliVerified.Store(key, struct{}{})
	return nil
}

// verifyGzip checks the gzip trailer (CRC-32 and size of the content)
// against raw: cheap, and enough to catch a stale file.
func verifyGzip(gz, raw []byte) error {
	if len(gz) < 18 || gz[0] != 0x1f || gz[1] != 0x8b {
		return errors.New("not gzip")
	}
	trailer := gz[len(gz)-8:]
	if binary.LittleEndian.Uint32(trailer) != crc32.ChecksumIEEE(raw) ||
		binary.LittleEndian.Uint32(trailer[4:]) != uint32(len(raw)) {
		return errors.New("checksum differs")
	}
	return nil
}

// serveWasm answers /web/app.wasm with the smallest form the client
// accepts. Content-Type stays application/wasm whatever the encoding:
// WebAssembly.instantiateStreaming refuses anything else.
func (h *Handler) serveWasm(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	if h.wasm == nil {
		hdr.Set("Cache-Control", "no-store")
		http.Error(w, "client not built: run make build", http.StatusServiceUnavailable)
		return
	}
	body, enc := h.wasm.raw, ""
	switch chooseEncoding(r.Header.Get("Accept-Encoding"), h.wasm.br != nil, h.wasm.gz != nil) {
	case "br":
		body, enc = h.wasm.br, "br"
	case "gzip":
		body, enc = h.wasm.gz, "gzip"
	}
	hdr.Set("Content-Type", "application/wasm")
	hdr.Set("Vary", "Accept-Encoding")
	hdr.Set("Cache-Control", "no-cache")
	// The raw size, for a progress bar that reads headers (app.js gets it
	// from WasmContentLength already).
	hdr.Set("Wasm-Content-Length", strconv.Itoa(len(h.wasm.raw)))
	if enc != "" {
		hdr.Set("Content-Encoding", enc)
		hdr.Set("ETag", `"`+h.wasm.etag+"-"+enc+`"`)
	} else {
		hdr.Set("ETag", `"`+h.wasm.etag+`"`)
	}
	http.ServeContent(w, r, "app.wasm", time.Time{}, bytes.NewReader(body))
}

// chooseEncoding picks "br", "gzip" or "" (raw) from an Accept-Encoding
// header: the available coding with the highest q-value, brotli winning
// ties; q=0 refuses a coding; "*" covers codings not named.
func chooseEncoding(header string, haveBR, haveGzip bool) string {
	q := map[string]float64{}
	star, hasStar := 0.0, false
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		v := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight accepts nothing rather than guess
				}
				v = f
			}
		}
		if name == "*" {
			star, hasStar = v, true
			continue
		}
		if name == "x-gzip" {
			name = "gzip"
		}
		q[name] = v
	}
	weight := func(name string) float64 {
		if v, ok := q[name]; ok {
			return v
		}
		if hasStar {
			return star
		}
		return 0
	}
	best, bestQ := "", 0.0
	if haveBR && weight("br") > bestQ {
		best, bestQ = "br", weight("br")
	}
	if haveGzip && weight("gzip") > bestQ {
		best = "gzip"
	}
	return best
}
