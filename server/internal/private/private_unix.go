//go:build unix

package private

import (
	"io/fs"
	"syscall"
)

// owner is the uid owning st's file (ok false when the system does not
// say).
func owner(st fs.FileInfo) (uid int, ok bool) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(s.Uid), true
}

func writableByOthers(m fs.FileMode) bool { return m.Perm()&0o022 != 0 }
