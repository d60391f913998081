//go:build unix

package main

import "syscall"

// processCPU is the CPU time (user + system) helmbench has used, in
// seconds: on a shared machine it says what a step cost where wall time
// says as much about the neighbours.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
