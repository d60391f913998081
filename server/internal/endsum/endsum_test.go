package endsum

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// TestFeedIsLoad checks that a window fed with a file's bytes in any
// pieces has the sum of the window loaded at the same offset.
func TestFeedIsLoad(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	r := bytes.NewReader(data)
	for range 200 {
		var fed Window
		off := 0
		for off < len(data) {
			n := min(len(data)-off, rng.IntN(3*Len))
			fed.Feed(data[off : off+n])
			off += n
			var loaded Window
			if err := loaded.Load(r, int64(off)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fed.Bytes(), loaded.Bytes()) || fed.Sum() != loaded.Sum() {
				t.Fatalf("at %d: fed %q, loaded %q", off, fed.Bytes(), loaded.Bytes())
			}
			if want := data[max(0, off-Len):off]; !bytes.Equal(fed.Bytes(), want) {
				t.Fatalf("at %d: window %q, want %q", off, fed.Bytes(), want)
			}
		}
	}
}

func TestAppend(t *testing.T) {
	var a, b, whole Window
	a.Feed([]byte("first line\n"))
	b.Feed([]byte("second line\n"))
	a.Append(&b)
	whole.Feed([]byte("first line\nsecond line\n"))
	if a.Sum() != whole.Sum() {
		t.Errorf("appended %q, want %q", a.Bytes(), whole.Bytes())
	}
}

// TestMatches checks that a sum tells an append from a rewrite that
// keeps the byte before the offset, and that an offset past the end
// does not match.
func TestMatches(t *testing.T) {
	old := []byte(`{"type":"user","uuid":"a1"}` + "\n" + `{"type":"assistant","uuid":"b2"}` + "\n")
	var w Window
	w.Feed(old)
	sum := w.Sum()
	off := int64(len(old))
	appended := append(bytes.Clone(old), `{"type":"user","uuid":"c3"}`+"\n"...)
	rewritten := []byte(`{"type":"user","uuid":"x9"}` + "\n" + `{"type":"assistant","uuid":"y8"}` + "\n" + `{"type":"user","uuid":"c3"}` + "\n")
	if rewritten[off-1] != '\n' {
		t.Fatal("the rewrite must keep the byte before the old offset")
	}
	var check Window
	if !check.Matches(bytes.NewReader(appended), off, sum) {
		t.Error("an append does not match")
	}
	if check.Sum() != sum {
		t.Error("a match does not leave the window of the offset")
	}
	if check.Matches(bytes.NewReader(rewritten), off, sum) {
		t.Error("a rewrite matches")
	}
	if check.Matches(bytes.NewReader(old[:10]), off, sum) {
		t.Error("a shorter file matches")
	}
	if err := check.Load(bytes.NewReader(old[:10]), off); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("load past the end: %v, want io.ErrUnexpectedEOF", err)
	}
	if len(check.Bytes()) != 0 {
		t.Error("a failed load leaves bytes")
	}
	if !check.Matches(bytes.NewReader(nil), 0, (&Window{}).Sum()) {
		t.Error("offset 0 does not match the empty window")
	}
}

// FuzzWindow feeds data in the pieces cuts gives and checks the window
// against the bytes before each piece's end, loaded.
func FuzzWindow(f *testing.F) {
	f.Add([]byte("{\"a\":1}\n{\"b\":2}\n"), []byte{3, 0, 70, 1})
	f.Add(bytes.Repeat([]byte("x"), 200), []byte{63, 64, 65})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		var w Window
		off := 0
		for i := 0; off < len(data); i++ {
			n := len(data) - off
			if i < len(cuts) {
				n = min(n, int(cuts[i]))
			}
			w.Feed(data[off : off+n])
			off += n
			if want := data[max(0, off-Len):off]; !bytes.Equal(w.Bytes(), want) {
				t.Fatalf("at %d: window %q, want %q", off, w.Bytes(), want)
			}
			var loaded Window
			if !loaded.Matches(bytes.NewReader(data), int64(off), w.Sum()) {
				t.Fatalf("at %d: the loaded window does not match the fed one", off)
			}
		}
	})
}
