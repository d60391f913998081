package endsum

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// readAll reads g in reads of n bytes, calling between before each read
// after the first; it returns what was read and the error that ended it
// (nil at the end of the file).
func readAll(g *Guard, n int, between func()) ([]byte, error) {
	var out []byte
	buf := make([]byte, n)
	for i := 0; ; i++ {
		if i > 0 && between != nil {
			between()
		}
		m, err := g.Read(buf)
		out = append(out, buf[:m]...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// TestGuard reads a file on from an offset through a Guard: an append
// between two reads is read on, a rewrite in place is ErrRewritten, at
// the first read (the sum of the bytes before the offset) or a later one.
func TestGuard(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz\n"), 20)
	other := bytes.ToUpper(data) // as long, other bytes everywhere
	const off = 100
	var at Window
	at.Feed(data[:off])
	open := func(t *testing.T) (*os.File, string) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "t.jsonl")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		return f, path
	}
	write := func(t *testing.T, path string, b []byte, flag int) {
		t.Helper()
		w, err := os.OpenFile(path, os.O_WRONLY|flag, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("unchanged, then appended to", func(t *testing.T) {
		f, path := open(t)
		var g Guard
		var start Window
		g.Reset(f, off, at.Sum(), &start)
		appended := false
		got, err := readAll(&g, 50, func() {
			if !appended {
				appended = true
				write(t, path, []byte("more\n"), os.O_APPEND)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := append(data[off:len(data):len(data)], "more\n"...); !bytes.Equal(got, want) {
			t.Fatalf("read %q, want %q", got, want)
		}
		if !bytes.Equal(start.Bytes(), at.Bytes()) {
			t.Fatalf("start window %q, want %q", start.Bytes(), at.Bytes())
		}
	})
	t.Run("rewritten before the first read", func(t *testing.T) {
		f, path := open(t)
		write(t, path, other, os.O_TRUNC)
		var g Guard
		g.Reset(f, off, at.Sum(), nil)
		if got, err := readAll(&g, 50, nil); !errors.Is(err, ErrRewritten) || len(got) != 0 {
			t.Fatalf("read %q, %v; want nothing, ErrRewritten", got, err)
		}
	})
	t.Run("rewritten between two reads", func(t *testing.T) {
		f, path := open(t)
		var g Guard
		g.Reset(f, off, at.Sum(), nil)
		got, err := readAll(&g, 50, func() { write(t, path, append(other, other...), os.O_TRUNC) })
		if !errors.Is(err, ErrRewritten) || !bytes.Equal(got, data[off:off+50]) {
			t.Fatalf("read %q, %v; want the first read's bytes alone, ErrRewritten", got, err)
		}
	})
}
