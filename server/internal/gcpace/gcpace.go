// Package gcpace makes the garbage collector run when the heap grows, and
// never on a timer, so that a server with nothing to do does nothing.
//
// The Go runtime collects when the heap has grown by GOGC percent since
// the last collection and, besides, whenever two minutes have passed
// without one (runtime.forcegcperiod). An idle helmd allocates almost
// nothing, so only the second trigger fires, and each time it marks the
// whole live heap: with 100,000 sessions (about 600 MB live) that was
// 3.5 CPU-seconds every two minutes, 3 % of a core for a server with
// nothing to do (issue 19 asks for ≤ 0.05 %).
//
// The runtime skips that periodic collection only while GOGC is off.
// Start turns it off and puts a soft memory limit in its place, set anew
// after every collection to what GOGC=100 would allow: twice the heap
// found live, plus the runtime's own memory (stacks, metadata). A server
// that allocates is collected about as before; one that does not is left
// alone, since it has nothing to collect.
package gcpace

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// MinHeap is the least growth allowed above the live heap, so that a
// small heap is not collected at every few allocations (the runtime's
// own floor is 4 MB).
const MinHeap = 16 << 20

// Pacer re-sets the memory limit after each collection.
type Pacer struct {
	mu      sync.Mutex // cleanups may run concurrently
	stopped bool
	samples []metrics.Sample
	limit   int64
	runs    int
}

// The runtime's memory classes: the limit applies to total minus
// released; the heap's own share is objects, unused and free.
var names = []string{
	"/gc/heap/live:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
}

// Start takes over the collector's pacing until stop is called. It does
// nothing (and returns nil) when the user set GOGC or GOMEMLIMIT: their
// choice stands.
func Start(getenv func(string) string) *Pacer {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return nil
	}
	p := &Pacer{samples: make([]metrics.Sample, len(names))}
	for i, n := range names {
		p.samples[i].Name = n
	}
	p.mu.Lock()
	p.retune()
	p.mu.Unlock()
	debug.SetGCPercent(-1)
	p.watch()
	return p
}

// StartFromEnv is Start with the process's environment.
func StartFromEnv() *Pacer { return Start(os.Getenv) }

// Stop gives the collector back its defaults (GOGC=100, no limit).
func (p *Pacer) Stop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
}

// Limit is the memory limit set last, and how many times it was set.
func (p *Pacer) Limit() (limit int64, runs int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.limit, p.runs
}

// sentinel is garbage from birth: its cleanup runs after the next
// collection. It holds a pointer so that it is never batched with other
// small objects (the runtime's tiny allocator), which would delay it.
type sentinel struct{ _ *int }

// watch arranges for collected to run after the next collection.
func (p *Pacer) watch() {
	runtime.AddCleanup(&sentinel{}, collected, p)
}

// collected is a cleanup: a collection has just ended.
func collected(p *Pacer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	p.retune()
	p.watch()
}

// retune sets the limit from the heap the last collection found live.
// Called with mu held.
func (p *Pacer) retune() {
	metrics.Read(p.samples)
	v := func(i int) int64 {
		if p.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(p.samples[i].Value.Uint64())
	}
	live, total, released, objects, unused, free := v(0), v(1), v(2), v(3), v(4), v(5)
	own := max(total-released-objects-unused-free, 0) // stacks, metadata, other
	p.limit = own + live + max(live, MinHeap)
	p.runs++
	debug.SetMemoryLimit(p.limit)
}
