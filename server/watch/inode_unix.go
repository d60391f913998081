//go:build unix

package watch

import (
	"io/fs"
	"syscall"
)

// inode tells a file replaced under the same name (an atomic save) from
// one written in place.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino) // Ino is not uint64 on every unix
	}
	return 0
}
