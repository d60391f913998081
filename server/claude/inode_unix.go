//go:build unix

package claude

import (
	"errors"
	"os"
	"syscall"
)

// inode identifies a file's content across renames: a transcript replaced
// by another file gets another inode and is re-read whole.
func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}

// alive reports whether process pid exists. EPERM means it exists but
// belongs to another user, which still makes it alive.
func alive(pid int) bool {
	if pid <= 0 { // 0 and negatives would address process groups
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
