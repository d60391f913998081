//go:build unix

package hook

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// geteuid, fchown and lchown are the system's; tests replace them to give
// files away without being root.
var (
	geteuid = os.Geteuid
	fchown  = (*os.File).Chown
	lchown  = os.Lchown
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
	if err := fchown(f, uid, gid); err != nil && uid != os.Getuid() {
		return fmt.Errorf("it belongs to user %d; run this as that user: %w", uid, err)
	}
	return nil
}

// sameOwner gives the file at path the owner of st, as far as it can: a
// backup the user cannot read is no backup.
func sameOwner(path string, st fs.FileInfo) {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		_ = lchown(path, int(sys.Uid), int(sys.Gid)) // best effort: the backup is there either way
	}
}

// invoker is the user who ran helmd through sudo (SUDO_UID, SUDO_GID),
// when helmd runs as root: a settings file, or ~/.claude, that did not
// exist has no owner to keep, and made root's, mode 0600, Claude Code
// could neither read the file nor write in the folder.
func invoker() (uid, gid int, ok bool) {
	if geteuid() != 0 {
		return 0, 0, false
	}
	uid, err1 := strconv.Atoi(os.Getenv("SUDO_UID"))
	gid, err2 := strconv.Atoi(os.Getenv("SUDO_GID"))
	if err1 != nil || err2 != nil || uid <= 0 || gid < 0 {
		return 0, 0, false // not sudo, or sudo from root: root's it is
	}
	return uid, gid, true
}

// chownNew gives the new file f, and the folders dirs that helmd has just
// made for it (outermost first), to the user who ran helmd through sudo;
// it does nothing otherwise. f is changed through its descriptor and the
// folders without following links, so that a name swapped meanwhile in
// the user's folder cannot have root give away another file.
func chownNew(f *os.File, dirs []string) error {
	uid, gid, ok := invoker()
	if !ok {
		return nil
	}
	for _, d := range dirs {
		if err := lchown(d, uid, gid); err != nil {
			return fmt.Errorf("give %s to user %d: %w", d, uid, err)
		}
	}
	if f == nil {
		return nil
	}
	if err := fchown(f, uid, gid); err != nil {
		return fmt.Errorf("give the new file to user %d: %w", uid, err)
	}
	return nil
}

// syncDir flushes the folder dir to disk: after a rename, so that a crash
// right after cannot bring the old settings file back (or leave none, for
// a file that was new).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
