//go:build unix

package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

// dieBy ends the process by sig, as if it had never been caught: a
// shell knows a command it interrupted only by that. Exiting 0 (or any
// code) instead, a script's loop around the command went on after ^C,
// and the shell's $? said nothing of the interrupt; killed, it is 130
// for SIGINT.
func dieBy(sig os.Signal) {
	s, ok := sig.(syscall.Signal)
	if !ok {
		os.Exit(1)
	}
	signal.Reset(s)
	_ = syscall.Kill(syscall.Getpid(), s)
	// The signal kills at once; should it not, the code a shell gives
	// a death by it.
	time.Sleep(time.Second)
	os.Exit(128 + int(s))
}
