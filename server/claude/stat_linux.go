package claude

import (
	"errors"
	"os"
	"syscall"
)

// lstatPath is path's fileStat, of a link itself rather than its target:
// os.Lstat would allocate an os.FileInfo and a copy of the name for each
// of the 100,000 files a refresh walks.
func lstatPath(path string) (fileStat, error) { return statSys(path, false) }

// statPath is path's fileStat, following links.
func statPath(path string) (fileStat, error) { return statSys(path, true) }

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
	return fileStat{size: st.Size, mtimeNs: st.Mtim.Nano(), ino: uint64(st.Ino), mode: mode}, nil
}
