//go:build unix

package connlimit

import "syscall"

// openFileLimit is the process's soft limit on open files. The Go runtime
// has already raised it to the hard limit at start (Go 1.19+), so this is
// as high as it goes without privileges.
func openFileLimit() (uint64, bool) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, false
	}
	return uint64(rl.Cur), true // int64 on FreeBSD, uint64 elsewhere
}
