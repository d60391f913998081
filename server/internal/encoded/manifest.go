package encoded

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"slices"

	"github.com/andybalholm/brotli"
)

// ManifestSuffix names the record precompress writes beside a file once
// its compressed forms are checked to decode to it: app.wasm.sums. The
// server reads it at start instead of decoding the 9 MB client itself.
const ManifestSuffix = ".sums"

// Suffixes are the compressed forms a manifest can vouch for.
var Suffixes = []string{".br", ".gz"}

// HeadSize is how much of a file's start Identify reads: a Go binary's
// build ID sits in its first bytes (a wasm custom section right after the
// header), and one page costs nothing to read.
const HeadSize = 4096

// Manifest is what the build recorded about a file and its forms.
type Manifest struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	CRC32  uint32 `json:"crc32"` // what a gzip trailer of the file holds
	// BuildID is the Go build ID in the file's head, "" when it has none.
	// Its last part is the go command's hash of the whole file, so a
	// rebuilt client carries another one even at the same size: it is
	// what lets the server tell a stale record without reading the file.
	BuildID string          `json:"buildID"`
	Forms   map[string]Form `json:"forms"` // by suffix: ".br", ".gz"
}

// Form is one compressed form as recorded.
type Form struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// NewManifest records raw and its forms (by suffix), after checking that
// each decodes to raw: a manifest never vouches for a form it did not
// see decode.
func NewManifest(raw []byte, forms map[string][]byte) (Manifest, error) {
	m := Manifest{Size: int64(len(raw)), SHA256: sum(raw), CRC32: crc32.ChecksumIEEE(raw),
		BuildID: BuildID(raw[:min(len(raw), HeadSize)]), Forms: map[string]Form{}}
	for suffix, b := range forms {
		if err := decodesTo(suffix, bytes.NewReader(b), bytes.NewReader(raw)); err != nil {
			return Manifest{}, fmt.Errorf("%s: %w", suffix, err)
		}
		m.Forms[suffix] = Form{Size: int64(len(b)), SHA256: sum(b)}
	}
	return m, nil
}

// Marshal is the manifest's file content.
func (m Manifest) Marshal() []byte {
	b, _ := json.MarshalIndent(m, "", "\t") // plain fields: cannot fail
	return append(b, '\n')
}

// ReadManifest reads name+ManifestSuffix from fsys (a small file).
func ReadManifest(fsys fs.FS, name string) (Manifest, error) {
	b, err := fs.ReadFile(fsys, name+ManifestSuffix)
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", name+ManifestSuffix, err)
	}
	return m, nil
}

// Identify reads the head of name in fsys and says whether the manifest
// describes it: same size and the same, non-empty, Go build ID. It reads
// HeadSize bytes, never the whole file. A file without a build ID is never
// identified: its head says nothing about the rest.
func (m Manifest) Identify(fsys fs.FS, name string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if info.Size() != m.Size {
		return fmt.Errorf("%s is %d bytes, the record says %d", name, info.Size(), m.Size)
	}
	head := make([]byte, HeadSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	id := BuildID(head[:n])
	switch {
	case id == "":
		return fmt.Errorf("%s has no Go build ID", name)
	case id != m.BuildID:
		return fmt.Errorf("%s has build ID %q, the record says %q", name, id, m.BuildID)
	}
	return nil
}

// BuildID returns the Go build ID written in head, or "". The go command
// writes it, in every binary format, as this quoted string.
func BuildID(head []byte) string {
	const prefix, end = "\xff Go build ID: \"", "\"\n \xff"
	_, rest, ok := bytes.Cut(head, []byte(prefix))
	if !ok {
		return ""
	}
	id, _, ok := bytes.Cut(rest, []byte(end))
	if !ok {
		return ""
	}
	return string(id)
}

// Verify reads name and every form of it in fsys in full: each must be as
// the manifest records it, every form present must be recorded, and each
// must decode to the file. The build and the tests run it; the server
// trusts its result through Identify.
func Verify(fsys fs.FS, name string) error {
	m, err := ReadManifest(fsys, name)
	if err != nil {
		return err
	}
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	var errs []error
	if got := (Manifest{Size: int64(len(raw)), SHA256: sum(raw), CRC32: crc32.ChecksumIEEE(raw),
		BuildID: BuildID(raw[:min(len(raw), HeadSize)])}); got.Size != m.Size || got.SHA256 != m.SHA256 ||
		got.CRC32 != m.CRC32 || got.BuildID != m.BuildID {
		errs = append(errs, fmt.Errorf("%s is not the file its record describes", name))
	}
	for _, suffix := range Suffixes {
		b, err := fs.ReadFile(fsys, name+suffix)
		rec, listed := m.Forms[suffix]
		switch {
		case errors.Is(err, fs.ErrNotExist) && !listed:
			continue
		case err != nil:
			errs = append(errs, err)
			continue
		case !listed:
			errs = append(errs, fmt.Errorf("%s is not in the record", name+suffix))
			continue
		case int64(len(b)) != rec.Size || sum(b) != rec.SHA256:
			errs = append(errs, fmt.Errorf("%s is not the form its record describes", name+suffix))
		}
		if err := decodesTo(suffix, bytes.NewReader(b), bytes.NewReader(raw)); err != nil {
			errs = append(errs, fmt.Errorf("%s does not decode to %s: %w", name+suffix, name, err))
		}
	}
	for suffix := range m.Forms {
		if !slices.Contains(Suffixes, suffix) {
			errs = append(errs, fmt.Errorf("%s: unknown form %q in the record", name, suffix))
		}
	}
	return errors.Join(errs...)
}

// decodesTo decodes one form (by its suffix) and compares it with raw.
func decodesTo(suffix string, enc, raw io.Reader) error {
	switch suffix {
	case ".br":
		return sameStream(brotli.NewReader(enc), raw)
	case ".gz":
		r, err := gzip.NewReader(enc)
		if err != nil {
			return err
		}
		return sameStream(r, raw)
	}
	return fmt.Errorf("unknown form %q", suffix)
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
