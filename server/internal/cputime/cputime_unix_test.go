//go:build unix

package cputime

import "testing"

// sink keeps the work below from being optimised away.
var sink []byte

func TestProcessCountsTheWorkDone(t *testing.T) {
	before := Process()
	// Work until the counter moves: the assertion is that it does move and
	// never goes back, not how fast.
	for Process() == before {
		sink = make([]byte, 1<<16)
	}
	if after := Process(); after < before {
		t.Fatalf("CPU time went back: %v then %v", before, after)
	}
}
