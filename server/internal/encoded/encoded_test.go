package encoded

import (
	"bytes"
	"testing"

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
			err := BrotliStream(bytes.NewReader(br), bytes.NewReader(raw))
			if (err == nil) != tc.ok {
				t.Fatalf("BrotliStream: %v, want ok=%v", err, tc.ok)
			}
			if whole := Brotli(br, raw); (whole == nil) != tc.ok {
				t.Fatalf("Brotli: %v, want ok=%v", whole, tc.ok)
			}
		})
	}
	if err := BrotliStream(bytes.NewReader([]byte("not brotli at all")), bytes.NewReader(raw)); err == nil {
		t.Fatal("garbage accepted")
	}
}
