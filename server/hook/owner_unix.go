//go:build unix

package hook

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// chownLike gives f the owner and group of st, the file it replaces: run
// as root (sudo with the user's HOME kept), the new settings file was
// root's, mode 0600, and Claude Code could no longer read it. A group
// that cannot be kept is let go (the mode is what guards the file); an
// owner that cannot be kept is an error, before anything is replaced.
func chownLike(f *os.File, st fs.FileInfo) error {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	uid, gid := int(sys.Uid), int(sys.Gid)
	if uid == os.Getuid() && gid == os.Getgid() {
		return nil
	}
	if err := f.Chown(uid, gid); err != nil && uid != os.Getuid() {
		return fmt.Errorf("it belongs to user %d; run this as that user: %w", uid, err)
	}
	return nil
}

// sameOwner gives the file at path the owner of st, as far as it can: a
// backup the user cannot read is no backup.
func sameOwner(path string, st fs.FileInfo) {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		_ = os.Lchown(path, int(sys.Uid), int(sys.Gid)) // best effort: the backup is there either way
	}
}
