package claude

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLstatPathAllocatesOnlyThePath: a walk lstats every transcript
// (112,500 at 100,000 sessions); each may allocate the C string of its
// path, and nothing else: no stat buffer on the heap (144 bytes each).
func TestLstatPathAllocatesOnlyThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.jsonl")
	if err := os.WriteFile(path, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := lstatPath(path)
	if err != nil || st.size != 3 || !st.mode.IsRegular() {
		t.Fatalf("lstatPath = %+v, %v; want a regular file of 3 bytes", st, err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = lstatPath(path) }); n > 1 {
		t.Errorf("lstatPath allocates %v times, want at most 1", n)
	}
}

// The walk's lstat (lstatWith) makes the path's C string in a buffer it
// reuses: nothing allocated per transcript, and the same stat as
// lstatPath, for a file, a link (itself, not its target), a missing
// path and one with a NUL in it.
func TestLstatWithReusesItsBuffer(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a\n\xff.jsonl")
	if err := os.WriteFile(path, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "l.jsonl")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	var buf []byte
	for _, p := range []string{path, link, filepath.Join(dir, "missing"), path + "\x00x"} {
		got, gotErr := lstatWith(p, &buf)
		want, wantErr := lstatPath(p)
		if got != want || (gotErr == nil) != (wantErr == nil) {
			t.Errorf("%q: lstatWith = %+v, %v; lstatPath = %+v, %v", p, got, gotErr, want, wantErr)
		}
	}
	if st, _ := lstatWith(link, &buf); st.mode&os.ModeSymlink == 0 {
		t.Errorf("a link: mode %v, want the link itself", st.mode)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = lstatWith(path, &buf) }); n > 0 && fstatatTrap != 0 {
		t.Errorf("lstatWith allocates %v times with its buffer, want none", n)
	}
}
