package claude

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// lstatPath is path's fileStat, of a link itself rather than its target:
// os.Lstat would allocate an os.FileInfo and a copy of the name for each
// of the 100,000 files a refresh walks.
func lstatPath(path string) (fileStat, error) { return statSys(path, false) }

// statPath is path's fileStat, following links.
func statPath(path string) (fileStat, error) { return statSys(path, true) }

// lstatWith is lstatPath with path's C string made in *cpath, a buffer
// the caller reuses: a walk's lstat of each transcript (112,500 at
// 100,000 sessions) made one of ~140 bytes each, 13 MB of garbage per
// refresh. Where a raw fstatat is not wired (fstatatTrap 0) it is
// lstatPath.
func lstatWith(path string, cpath *[]byte) (fileStat, error) {
	if fstatatTrap == 0 {
		return statSys(path, false)
	}
	return statSysBuf(path, cpath)
}

func statSys(path string, follow bool) (fileStat, error) {
	// Called directly, not through a func value, so that st stays on the
	// stack: through one it went to the heap, 144 bytes per file walked.
	var st syscall.Stat_t
	for {
		var err error
		if follow {
			err = syscall.Stat(path, &st)
		} else {
			err = syscall.Lstat(path, &st)
		}
		if errors.Is(err, syscall.EINTR) {
			continue // as os.Lstat does
		}
		if err != nil {
			return fileStat{}, &os.PathError{Op: "stat", Path: path, Err: err}
		}
		break
	}
	return statOfSys(&st), nil
}

// statSysBuf is statSys(path, false) through a raw fstatat, with path's
// C string made in *cpath.
func statSysBuf(path string, cpath *[]byte) (fileStat, error) {
	if strings.IndexByte(path, 0) >= 0 {
		return fileStat{}, &os.PathError{Op: "stat", Path: path, Err: syscall.EINVAL} // as syscall.Lstat refuses it
	}
	b := append(append((*cpath)[:0], path...), 0)
	*cpath = b
	var st syscall.Stat_t
	for {
		_, _, errno := syscall.Syscall6(fstatatTrap, uintptr(atFDCWD), uintptr(unsafe.Pointer(&b[0])),
			uintptr(unsafe.Pointer(&st)), uintptr(unix.AT_SYMLINK_NOFOLLOW), 0, 0)
		if errno == syscall.EINTR {
			continue // as os.Lstat does
		}
		if errno != 0 {
			return fileStat{}, &os.PathError{Op: "stat", Path: path, Err: errno}
		}
		break
	}
	return statOfSys(&st), nil
}

// atFDCWD is a variable, so that its negative value converts to uintptr.
var atFDCWD = unix.AT_FDCWD

func statOfSys(st *syscall.Stat_t) fileStat {
	var mode os.FileMode
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
	case syscall.S_IFDIR:
		mode = os.ModeDir
	case syscall.S_IFLNK:
		mode = os.ModeSymlink
	default:
		mode = os.ModeIrregular // a FIFO, a device, a socket: not a transcript
	}
	return fileStat{size: st.Size, mtimeNs: st.Mtim.Nano(), ino: uint64(st.Ino), mode: mode}
}
