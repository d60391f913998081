//go:build unix

package regular

import (
	"os"
	"syscall"
)

// nonBlock opens a FIFO without waiting for a writer.
const nonBlock = syscall.O_NONBLOCK

// blocking takes the flag off a regular file's descriptor again: local
// disks ignore it, but a network or FUSE file system may pass it on and
// answer a read with EAGAIN, which os.File would return as an error.
func blocking(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}
