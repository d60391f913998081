package helmdproc

import "syscall"

// diesWithParent has the kernel send helmd SIGTERM when the process that
// started it dies, so that a test binary killed by a timeout or by ^C
// leaves no helmd behind holding a port. (The signal follows the thread
// that forked; Go ends a thread only when a goroutine locked to it exits,
// which nothing here does.)
func diesWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGTERM }
