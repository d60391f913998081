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
