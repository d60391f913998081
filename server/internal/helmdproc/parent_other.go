//go:build !linux

package helmdproc

import "syscall"

// diesWithParent does nothing where the kernel has no parent-death signal:
// there a killed test binary can leave its helmd running.
func diesWithParent(*syscall.SysProcAttr) {}
