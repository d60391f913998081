package webui

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"vibecraft.sh/helm/server/internal/encoded"
)

// wasmFile is the client, raw and in the pre-compressed forms that match
// it (built by server/cmd/precompress). It holds names, not bytes: each
// request reads its form from the assets, which for the embedded client
// are the binary's read-only data. Read into the heap once at start, the
// three forms were 13 MB of live heap for as long as the server ran.
type wasmFile struct {
	fsys   fs.FS
	size   int64  // of app.wasm
	sha256 string // of app.wasm, as the build recorded it; "" when its record is not trusted
	br, gz string // names of the forms that decode to app.wasm; "" none
	etag   string // of the raw bytes; the encoding is appended per form
}

// loadWasm finds app.wasm and the forms of it it may serve, reading only
// what is cheap: the build's record of the three files (app.wasm.sums),
// their sizes, app.wasm's first page and the gzip trailer. Checking the
// forms by decoding them read the 11 MB of the client and its brotli form
// at every start (all of it then counted in the process's resident
// memory); precompress and the build check that now, and record what
// they checked. A missing app.wasm is not an error (a fresh clone before
// `make build`): it returns nil. A form the record does not vouch for
// (stale after a rebuild without precompress) is dropped with a warning
// rather than served.
func loadWasm(fsys fs.FS, log *slog.Logger) (*wasmFile, error) {
	info, err := fs.Stat(fsys, "app.wasm")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read app.wasm: %w", err)
	}
	w := &wasmFile{fsys: fsys, size: info.Size()}
	m, err := encoded.ReadManifest(fsys, "app.wasm")
	if err == nil {
		// The record names app.wasm's Go build ID, whose last part is
		// the go command's hash of the whole file: a client rebuilt since
		// carries another one, whatever its size.
		err = m.Identify(fsys, "app.wasm")
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !exists(fsys, "app.wasm.br") && !exists(fsys, "app.wasm.gz") {
			return w, nil // never compressed: nothing to warn about
		}
		log.Warn("the build's record does not describe app.wasm; serving it uncompressed (run make build)", "err", err)
		return w, nil
	}
	w.sha256 = m.SHA256
	for _, suffix := range encoded.Suffixes {
		name := "app.wasm" + suffix
		info, err := fs.Stat(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		rec, listed := m.Forms[suffix]
		switch {
		case err != nil:
			err = fmt.Errorf("read %s: %w", name, err)
		case !listed || info.Size() != rec.Size:
			err = errors.New("not the form the build recorded")
		case suffix == ".gz":
			err = verifyGzip(fsys, m.CRC32, m.Size)
		}
		if err != nil {
			log.Warn(name+" does not match app.wasm; not serving it (run make build)", "err", err)
			continue
		}
		switch suffix {
		case ".br":
			w.br = name
		case ".gz":
			w.gz = name
		}
	}
	return w, nil
}

func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return err == nil
}

// verifyGzip checks the gzip trailer (CRC-32 and size of the content)
// against app.wasm's recorded ones: a few bytes, and they tie the form to
// the content the record describes.
func verifyGzip(fsys fs.FS, rawCRC uint32, rawSize int64) error {
	f, err := fsys.Open("app.wasm.gz")
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	var head [2]byte
	if info.Size() < 18 {
		return errors.New("not gzip")
	}
	if _, err := io.ReadFull(f, head[:]); err != nil || head[0] != 0x1f || head[1] != 0x8b {
		return errors.New("not gzip")
	}
	trailer, err := readTail(f, info.Size(), 8)
	if err != nil {
		return err
	}
	if binary.LittleEndian.Uint32(trailer) != rawCRC || binary.LittleEndian.Uint32(trailer[4:]) != uint32(rawSize) {
		return errors.New("checksum differs")
	}
	return nil
}

// readTail returns the last n bytes of f, which has been read from the
// start: by ReadAt when it can (the embedded assets can), else by reading
// it through.
func readTail(f fs.File, size int64, n int) ([]byte, error) {
	if ra, ok := f.(io.ReaderAt); ok {
		tail := make([]byte, n)
		_, err := ra.ReadAt(tail, size-int64(n))
		return tail, err
	}
	rest, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	if len(rest) < n {
		return nil, io.ErrUnexpectedEOF
	}
	return rest[len(rest)-n:], nil
}

// open returns one form of the client for one response. The embedded
// assets' files seek, so nothing is copied; a file system whose files do
// not is read into memory for that response only.
func (w *wasmFile) open(name string) (io.ReadSeeker, func(), error) {
	f, err := w.fsys.Open(name)
	if err != nil {
		return nil, nil, err
	}
	if rs, ok := f.(io.ReadSeeker); ok {
		return rs, func() { f.Close() }, nil
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, nil, err
	}
	return bytes.NewReader(b), func() {}, nil
}

// serveWasm answers /web/app.wasm with the smallest form the client
// accepts. Content-Type stays application/wasm whatever the encoding:
// WebAssembly.instantiateStreaming refuses anything else.
func (h *Handler) serveWasm(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	if h.wasm == nil {
		hdr.Set("Cache-Control", "no-store")
		// Says the 503 is helmd's own, for this build: the service
		// worker's install leaves the client out and installs the rest,
		// where a proxy's 503 (its helmd gone) fails the install.
		hdr.Set(VersionHeader, h.app.Version)
		http.Error(w, "client not built: run make build", http.StatusServiceUnavailable)
		return
	}
	name, enc := "app.wasm", ""
	switch chooseEncoding(r.Header.Get("Accept-Encoding"), h.wasm.br != "", h.wasm.gz != "") {
	case "br":
		name, enc = h.wasm.br, "br"
	case "gzip":
		name, enc = h.wasm.gz, "gzip"
	}
	body, done, err := h.wasm.open(name)
	if err != nil {
		h.opts.Logger.Error("web client unreadable", "file", name, "err", err)
		hdr.Set("Cache-Control", "no-store")
		http.Error(w, "client unreadable", http.StatusInternalServerError)
		return
	}
	defer done()
	hdr.Set("Content-Type", "application/wasm")
	hdr.Set("Vary", "Accept-Encoding")
	hdr.Set("Cache-Control", "no-cache")
	// The raw size, for a loader that shows progress from headers (Helm's
	// own loader compiles the stream and shows none).
	hdr.Set("Wasm-Content-Length", strconv.FormatInt(h.wasm.size, 10))
	if enc != "" {
		hdr.Set("Content-Encoding", enc)
		hdr.Set("ETag", `"`+h.wasm.etag+"-"+enc+`"`)
	} else {
		hdr.Set("ETag", `"`+h.wasm.etag+`"`)
	}
	http.ServeContent(w, r, "app.wasm", time.Time{}, body)
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
