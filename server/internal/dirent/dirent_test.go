package dirent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// A folder lists as os.ReadDir lists it: every name, byte for byte,
// with its type, over more records than one raw read holds.
func TestListIsWhatReadDirGives(t *testing.T) {
	dir := t.TempDir()
	names := []string{
		"plain.jsonl", "with space.jsonl", "new\nline.jsonl", "tab\t.jsonl", "ü-ñ-日本.jsonl",
		"\xff\xfe not utf-8.jsonl", "-leading-dash", ".hidden", "...", strings.Repeat("n", 255),
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		names = names[:1] // their file systems refuse or rewrite the odd names
	}
	for i := range 150 { // ~40 KB of records in few files: more than one 32 KB read
		names = append(names, fmt.Sprintf("%0240d.jsonl", i))
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("plain.jsonl", filepath.Join(dir, "link.jsonl")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	want, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var l Lister
	got, err := l.List(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	if len(got) != len(want) {
		t.Fatalf("%d entries, os.ReadDir gives %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Name != w.Name() || got[i].Type != w.Type() || got[i].IsDir() != w.IsDir() {
			t.Errorf("entry %d: %q %v, os.ReadDir gives %q %v", i, got[i].Name, got[i].Type, w.Name(), w.Type())
		}
	}

	// A second List reuses the buffers and appends to what it is given.
	again, err := l.List(dir, got[:1])
	if err != nil || len(again) != len(want)+1 || again[0] != got[0] {
		t.Errorf("a second List into a slice of one: %d entries, err %v; want %d after the first", len(again), err, len(want)+1)
	}
}

func TestListOfWhatIsNoFolder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var l Lister
	if ents, err := l.List(filepath.Join(dir, "missing"), nil); !errors.Is(err, fs.ErrNotExist) || len(ents) != 0 {
		t.Errorf("a missing folder: %d entries, err %v; want none and fs.ErrNotExist", len(ents), err)
	}
	if ents, err := l.List(file, nil); err == nil || len(ents) != 0 {
		t.Errorf("a file: %d entries, err %v; want none and an error", len(ents), err)
	}
}
