//go:build linux

package watch

import (
	"syscall"
	"testing"
)

// TestFolderReplaced renames a folder over an empty watched one: the old
// watch dies with the old folder, so the new one must get its own.
func TestFolderReplaced(t *testing.T) {
	dir := t.TempDir()
	target, src := join(dir, "a"), join(dir, "b")
	mkdir(t, target)
	mkdir(t, src)
	write(t, join(src, "f.jsonl"), "x\n")
	h := start(t, Options{Specs: []Spec{{Path: dir, Depth: 1}}})

	mark := h.rec.mark()
	// os.Rename refuses to replace a folder; rename(2) does it.
	if err := syscall.Rename(src, target); err != nil {
		t.Fatal(err)
	}
	h.rec.waitPaths(t, mark, src, target, join(target, "f.jsonl"))
	mark = h.rec.mark()
	appendTo(t, join(target, "f.jsonl"), "y\n")
	h.rec.waitPaths(t, mark, join(target, "f.jsonl"))
	h.waitStatus(t, "two watched folders", func(st Status) bool { return st.WatchedDirs == 2 })
}
