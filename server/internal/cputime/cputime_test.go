package cputime

import (
	"runtime"
	"testing"
)

func TestLiveHeapSeesWhatIsKept(t *testing.T) {
	before := LiveHeap()
	kept := make([]byte, 8<<20)
	for i := range kept {
		kept[i] = byte(i)
	}
	after := LiveHeap()
	runtime.KeepAlive(kept)
	// Not exactly 8 MiB more: what the test framework held at the first
	// reading may be freed by the second (a run was 16 bytes short).
	if after < before+7<<20 {
		t.Fatalf("live heap %d then %d with 8 MiB kept", before, after)
	}
	// kept is no longer used: the next collection frees it.
	if released := LiveHeap(); released >= after {
		t.Fatalf("live heap %d stayed at %d after releasing 8 MiB", released, after)
	}
}
