//go:build unix

package transcript

import "syscall"

// processCPU is the CPU time (user + system) the process has used, in
// seconds: on a shared machine wall time says more about the neighbours
// than about the code, CPU time much less.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
