package encoded

import (
	"bytes"
	"compress/gzip"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"
)

func brotliOf(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := brotli.NewWriterLevel(&out, 5)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// A stale or damaged form is refused whether it decodes to more, less or
// other bytes; the streamed check agrees with the one over whole slices.
func TestBrotliStream(t *testing.T) {
	raw := bytes.Repeat([]byte("wasm client bytes "), 20000) // several reads
	other := bytes.Clone(raw)
	other[len(other)/2] ^= 1
	tests := []struct {
		name    string
		encoded []byte
		ok      bool
	}{
		{"same", raw, true},
		{"one byte differs", other, false},
		{"shorter", raw[:len(raw)-1], false},
		{"longer", append(bytes.Clone(raw), 'x'), false},
		{"empty", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			br := brotliOf(t, tc.encoded)
			err := decodesTo(".br", bytes.NewReader(br), bytes.NewReader(raw))
			if (err == nil) != tc.ok {
				t.Fatalf("decodesTo: %v, want ok=%v", err, tc.ok)
			}
			if whole := Brotli(br, raw); (whole == nil) != tc.ok {
				t.Fatalf("Brotli: %v, want ok=%v", whole, tc.ok)
			}
		})
	}
	if err := decodesTo(".br", bytes.NewReader([]byte("not brotli at all")), bytes.NewReader(raw)); err == nil {
		t.Fatal("garbage accepted")
	}
}

// A client as the go command writes it: the wasm magic, then its build ID.
func goClient(buildID string) []byte {
	head := "\x00asm\x01\x00\x00\x00\x00\x7f\x0ago:buildid\xff Go build ID: \"" + buildID + "\"\n \xff"
	return append([]byte(head), bytes.Repeat([]byte("client "), 3000)...)
}

// Verify accepts a folder as precompress leaves it and refuses each way
// it can go stale; Identify, which reads one page, tells a rebuilt client
// of the same size by its build ID.
func TestManifest(t *testing.T) {
	raw := goClient("a/b")
	br := brotliOf(t, raw)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	m, err := NewManifest(raw, map[string][]byte{".br": br, ".gz": gz.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	if m.BuildID != "a/b" {
		t.Fatalf("build ID %q", m.BuildID)
	}
	if _, err := NewManifest(raw, map[string][]byte{".br": brotliOf(t, raw[1:])}); err == nil {
		t.Fatal("a record vouches for a form that does not decode to the file")
	}
	built := func() fstest.MapFS {
		return fstest.MapFS{
			"app.wasm":      {Data: raw},
			"app.wasm.br":   {Data: br},
			"app.wasm.gz":   {Data: gz.Bytes()},
			"app.wasm.sums": {Data: m.Marshal()},
		}
	}
	if err := Verify(built(), "app.wasm"); err != nil {
		t.Fatalf("as built: %v", err)
	}
	if err := m.Identify(built(), "app.wasm"); err != nil {
		t.Fatalf("as built: %v", err)
	}
	rebuilt := goClient("a/c") // same size, another build
	tests := []struct {
		name     string
		spoil    func(fstest.MapFS)
		identify bool // Identify still accepts it (the forms are not its business)
	}{
		{"client rebuilt", func(f fstest.MapFS) { f["app.wasm"] = &fstest.MapFile{Data: rebuilt} }, false},
		{"client edited, build ID kept", func(f fstest.MapFS) {
			f["app.wasm"] = &fstest.MapFile{Data: append(bytes.Clone(raw[:len(raw)-1]), '!')}
		}, true},
		{"brotli form replaced", func(f fstest.MapFS) { f["app.wasm.br"] = &fstest.MapFile{Data: brotliOf(t, rebuilt)} }, true},
		{"recorded form missing", func(f fstest.MapFS) { delete(f, "app.wasm.gz") }, true},
		{"form not recorded", func(f fstest.MapFS) {
			rec, _ := NewManifest(raw, map[string][]byte{".br": br})
			f["app.wasm.sums"] = &fstest.MapFile{Data: rec.Marshal()}
		}, true},
		{"record missing", func(f fstest.MapFS) { delete(f, "app.wasm.sums") }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := built()
			tc.spoil(f)
			if err := Verify(f, "app.wasm"); err == nil {
				t.Error("Verify accepted it")
			}
			if err := m.Identify(f, "app.wasm"); (err == nil) != tc.identify {
				t.Errorf("Identify: %v, want ok=%v", err, tc.identify)
			}
		})
	}
	noID := append([]byte("\x00asm\x01\x00\x00\x00"), raw[40:]...)
	m2, _ := NewManifest(noID, nil)
	if err := m2.Identify(fstest.MapFS{"app.wasm": {Data: noID}}, "app.wasm"); err == nil {
		t.Error("Identify vouched for a file without a build ID")
	}
}
