//go:build unix

package cputime

import "syscall"

// Process is the CPU time (user + system) this process has used, in
// seconds; 0 when the system will not say.
func Process() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
