// Package cputime measures what a benchmark or a measuring command costs
// the process itself: CPU seconds and the heap that is still live. On a
// shared machine wall time says as much about the neighbours as about the
// code; these figures much less.
package cputime

import "runtime"

// LiveHeap is the heap in use after a full collection, in bytes. It
// collects twice: what sat in a sync.Pool survives the first collection in
// the pool's victim cache.
func LiveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
