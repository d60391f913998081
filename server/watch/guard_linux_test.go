//go:build linux

package watch

import (
	"encoding/binary"
	"syscall"
	"testing"
)

// event encodes one struct inotify_event as the kernel does, the name
// NUL-padded to a multiple of 16 bytes.
func event(wd int32, mask uint32, name string) []byte {
	n := 0
	if name != "" {
		n = (len(name) + 1 + 15) / 16 * 16
	}
	b := make([]byte, syscall.SizeofInotifyEvent+n)
	binary.NativeEndian.PutUint32(b[0:4], uint32(wd))
	binary.NativeEndian.PutUint32(b[4:8], mask)
	binary.NativeEndian.PutUint32(b[12:16], uint32(n))
	copy(b[syscall.SizeofInotifyEvent:], name)
	return b
}

// TestGuardHearsOnlyWhatMovesARoot: in the folder holding a symlinked
// root, other entries coming and going wake nothing; the link's own
// replacement does, and so does any folder on the way moving itself.
func TestGuardHearsOnlyWhatMovesARoot(t *testing.T) {
	g := &guard{names: map[int32]map[string]bool{1: {"projects": true}}}
	cat := func(evs ...[]byte) []byte {
		var b []byte
		for _, e := range evs {
			b = append(b, e...)
		}
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"other entries created and removed", cat(event(1, syscall.IN_CREATE, "notes.txt"), event(1, syscall.IN_DELETE, "projects.bak")), false},
		{"the link replaced", cat(event(1, syscall.IN_CREATE, "x"), event(1, syscall.IN_MOVED_TO, "projects")), true},
		{"an entry of another folder with the same name", event(2, syscall.IN_CREATE, "projects"), false},
		{"a folder on the way moved", event(3, syscall.IN_MOVE_SELF, ""), true},
		{"a folder on the way deleted", event(3, syscall.IN_DELETE_SELF, ""), true},
		{"events lost", event(-1, syscall.IN_Q_OVERFLOW, ""), true},
	}
	for _, tc := range tests {
		if got := g.matters(tc.b); got != tc.want {
			t.Errorf("%s: matters = %v, want %v", tc.name, got, tc.want)
		}
	}
}
