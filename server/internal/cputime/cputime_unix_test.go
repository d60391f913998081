//go:build unix

package cputime

import "testing"

// sink keeps the work below from being optimised away.
var sink []byte

func TestProcessCountsTheWorkDone(t *testing.T) {
	before := Process()
	if before <= 0 {
		t.Fatalf("Process() = %v before any work: a process has used some CPU by now", before)
	}
	// Work until the counter moves, a bounded amount: the assertion is
	// that it moves and never goes back, not how fast. A second of CPU is
	// far more than the clock's tick.
	for range 1_000_000 {
		sink = make([]byte, 1<<16)
		if Process() != before {
			break
		}
	}
	after := Process()
	if after <= before {
		t.Fatalf("CPU time did not move with the work done: %v then %v", before, after)
	}
}
