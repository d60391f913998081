//go:build unix

package fleet

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes f's lock without waiting: flock's lock belongs to the
// open file, so the kernel releases it when the process ends, killed or
// not.
func lockFile(f *os.File) error {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return ErrHolderBusy
	}
	return err
}
