package dirent

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"syscall"
	"testing"
)

// record is one linux_dirent64 for name, as the kernel lays it out.
func record(ino uint64, name []byte, typ byte) []byte {
	n := (offName + len(name) + 1 + 7) &^ 7
	b := make([]byte, n)
	binary.NativeEndian.PutUint64(b, ino)
	binary.NativeEndian.PutUint16(b[offReclen:], uint16(n))
	b[offType] = typ
	copy(b[offName:], name)
	return b
}

func TestParseRecords(t *testing.T) {
	var b []byte
	b = append(b, record(1, []byte("."), syscall.DT_DIR)...)
	b = append(b, record(2, []byte("a\x01\xff\n.jsonl"), syscall.DT_REG)...)
	b = append(b, record(0, []byte("deleted"), syscall.DT_REG)...)
	b = append(b, record(3, []byte("l"), syscall.DT_LNK)...)
	b = append(b, record(4, []byte("u"), syscall.DT_UNKNOWN)...)
	var l Lister
	if rest := parse(b, l.add); rest != 0 {
		t.Fatalf("%d bytes left of whole records", rest)
	}
	want := "a\x01\xff\n.jsonl" + "l" + "u"
	if string(l.names) != want || len(l.ends) != 3 {
		t.Fatalf("names %q (%d), want %q (3)", l.names, len(l.ends), want)
	}
	if l.types[0] != 0 || l.types[1] != fs.ModeSymlink || l.types[2] != unknown {
		t.Errorf("types %v, want regular, link, unknown", l.types)
	}
	// A record cut short, or one claiming more than there is, ends it.
	for _, cut := range [][]byte{b[:5], b[:len(b)-3]} {
		var l Lister
		if rest := parse(cut, l.add); rest == 0 {
			t.Errorf("%d bytes of records cut short: nothing reported left", len(cut))
		}
	}
	bad := record(5, []byte("x"), syscall.DT_REG)
	binary.NativeEndian.PutUint16(bad[offReclen:], 3) // shorter than a header
	if rest := parse(bad, (&Lister{}).add); rest != len(bad) {
		t.Errorf("a record of length 3: %d bytes left, want all %d", rest, len(bad))
	}
}

// Whatever the bytes, parse ends, reports names without NUL that are
// part of its input, and gives back what records were made of.
func FuzzParse(f *testing.F) {
	f.Add([]byte("a.jsonl\x00b\x00\xff\xfe"), []byte{})
	f.Add([]byte("x"), record(7, []byte("y"), syscall.DT_DIR))
	f.Fuzz(func(t *testing.T, names, raw []byte) {
		var l Lister
		rest := parse(raw, l.add)
		if rest < 0 || rest > len(raw) || len(l.names) > len(raw) {
			t.Fatalf("rest %d, %d bytes of names from %d bytes", rest, len(l.names), len(raw))
		}
		if bytes.IndexByte(l.names, 0) >= 0 {
			t.Fatalf("a name with a NUL: %q", l.names)
		}
		// Records made of names (split at NUL, none empty) parse back.
		var b, want []byte
		for i, n := range bytes.Split(names, []byte{0}) {
			if len(n) == 0 || len(n) > 255 || string(n) == "." || string(n) == ".." {
				continue
			}
			b = append(b, record(uint64(i+1), n, syscall.DT_REG)...)
			want = append(want, n...)
		}
		l = Lister{}
		if rest := parse(b, l.add); rest != 0 || !bytes.Equal(l.names, want) {
			t.Fatalf("names %q (rest %d), want %q", l.names, rest, want)
		}
	})
}
