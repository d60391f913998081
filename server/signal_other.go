//go:build !unix

package main

import (
	"os"
	"syscall"
)

// dieBy ends the process with the code a shell gives a death by sig:
// a process cannot kill itself by a signal here.
func dieBy(sig os.Signal) {
	if s, ok := sig.(syscall.Signal); ok {
		os.Exit(128 + int(s))
	}
	os.Exit(1)
}
