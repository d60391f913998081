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
//
// The garbage of a burst too small to reach the limit (a page load, a
// stream's init), and what work in progress held at the last collection
// and let go since, would then stay until the next burst. So Settle
// after each collection the pacer looks once: unless that collection was
// its own and nothing worth it was allocated since, it collects and
// returns the free memory to the OS (the limit alone would let the heap
// keep up to twice what is live), and looks again Settle later. So each
// burst ends with one such collection, and an idle server is looked at
// once.
//
// A rescan of what is already known (the Refresh button) is such a
// burst, and a large one: at 100,000 sessions it allocates some 170 MB
// over a live heap of 230 MB, and under a limit of twice the live heap
// none of it was collected until the scan's end, so RSS rose by all of
// it (to 370 MB). Hold keeps the limit near what the process needs when
// the scan starts, for as long as it runs, so that its garbage is
// collected as it is made.
//
// The first scan builds that heap: from nothing to 200 MB live at
// 100,000 sessions, while it reads 300 MB of transcripts. A limit fixed
// at its start would collect it every few MB; under twice the live heap
// its garbage, and the index's copy of every session before the publish,
// took RSS to 450-470 MB. Grow keeps the limit at the live heap of the
// last collection plus a share of it, re-set after every collection, so
// that it rises with the heap as the heap is built.
package gcpace

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// MinHeap is the least growth allowed above the live heap, so that a
// small heap is not collected at every few allocations (the runtime's
// own floor is 4 MB).
const MinHeap = 16 << 20

// Settle is how long after a collection the pacer checks for garbage
// made since.
const Settle = 20 * time.Second

// Pacer re-sets the memory limit after each collection.
type Pacer struct {
	mu      sync.Mutex // cleanups may run concurrently
	stopped bool
	samples []metrics.Sample
	limit   int64
	runs    int

	settle    time.Duration
	check     *time.Timer // Settle after the last collection
	live      int64       // found live by the last collection
	allocated int64       // bytes allocated since start, at the last collection
	settling  bool        // collectGarbage's collection is under way
	settled   bool        // the last collection was collectGarbage's

	holds int   // Holds not yet released
	held  int64 // while holds > 0: the limit the first of them set

	grows  int // Grows not yet released
	growth int // while grows > 0: the least percent of them
}

// active is the pacer Start started, for Hold: the memory limit is the
// process's, so there is at most one pacer at work.
var active atomic.Pointer[Pacer]

// The runtime's memory classes: the limit applies to total minus
// released; the heap's own share is objects, unused and free.
var names = []string{
	"/gc/heap/live:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/gc/heap/allocs:bytes",
}

// Start takes over the collector's pacing until stop is called. It does
// nothing (and returns nil) when the user set GOGC or GOMEMLIMIT: their
// choice stands.
func Start(getenv func(string) string) *Pacer { return start(getenv, Settle) }

func start(getenv func(string) string, settle time.Duration) *Pacer {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return nil
	}
	p := &Pacer{samples: make([]metrics.Sample, len(names)), settle: settle}
	for i, n := range names {
		p.samples[i].Name = n
	}
	p.mu.Lock()
	p.retune()
	p.mu.Unlock()
	debug.SetGCPercent(-1)
	p.watch()
	active.Store(p)
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
	active.CompareAndSwap(p, nil)
	if p.check != nil {
		p.check.Stop()
	}
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

// retune sets the limit from the heap the last collection found live,
// and looks again Settle later. Called with mu held.
func (p *Pacer) retune() {
	metrics.Read(p.samples)
	live, own := p.value(0), p.own()
	p.limit = own + live + max(live, MinHeap)
	if p.holds > 0 {
		// Never below what is live now (with the heap's unused span space,
		// which the limit counts too) plus MinHeap: a scan whose live heap
		// grew past the held limit (sessions added, the new list before the
		// old is let go) would otherwise be collected without pause.
		p.limit = min(p.limit, max(p.held, own+live+p.value(4)+MinHeap))
	}
	if p.grows > 0 {
		p.limit = min(p.limit, p.grown(own+live+p.value(4)))
	}
	p.runs++
	p.live, p.allocated = live, p.value(6)
	p.settled, p.settling = p.settling, false
	debug.SetMemoryLimit(p.limit)
	if p.check == nil {
		p.check = time.AfterFunc(p.settle, p.collectGarbage)
	} else {
		p.check.Reset(p.settle)
	}
}

// Hold lowers the memory limit of the pacer Start started to the memory
// the process needs now (the heap found live by the last collection, its
// unused span space and the runtime's own memory) plus percent of it (at
// least MinHeap), until release is called: the garbage of the work done
// meanwhile is collected once it reaches that much, rather than once it
// equals the live heap.
// The limit never goes below the heap live at a collection (with its
// unused span space) plus MinHeap, and never above what it would be
// without the hold. Holds may overlap; the first one's limit stands
// until the last is released. Without a pacer (GOGC or GOMEMLIMIT set)
// it does nothing.
//
// The cost is CPU: each collection marks the whole live heap, so a hold
// of 20 % makes about five collections per live heap's worth of garbage
// where there would have been one.
func Hold(percent int) (release func()) {
	p := active.Load()
	if p == nil {
		return func() {}
	}
	return p.Hold(percent)
}

// Hold is the package's Hold on p.
func (p *Pacer) Hold(percent int) (release func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return func() {}
	}
	if p.holds == 0 {
		// From what the process needs now, not from the live heap alone:
		// the runtime's own memory and the heap's unused span space count
		// against the limit too, and would otherwise eat the margin (a
		// limit of own+live+32 MB collected every few MB). Free space is
		// left out: it is the garbage's, returned to the OS under a limit.
		metrics.Read(p.samples)
		need := p.own() + p.live + p.value(4)
		p.held = need + max(need*int64(percent)/100, MinHeap)
		if p.held < p.limit {
			p.limit = p.held
			debug.SetMemoryLimit(p.limit)
		}
	}
	p.holds++
	var once sync.Once
	return func() { once.Do(p.release) }
}

// Grow bounds the heap of the pacer Start started, until release is
// called, to what the process needs at each collection (the heap found
// live, its unused span space and the runtime's own memory) plus percent
// of it, at least MinHeap: GOGC=percent rather than 100, for work that
// builds the heap rather than working over one of a known size (Hold).
// The limit is re-set after every collection, so it rises as the heap
// grows; it never goes above what it would be without the bound.
// Overlapping Grows take the least percent. Without a pacer it does
// nothing.
//
// The cost is CPU: a collection per percent of the live heap allocated,
// where there would be one per live heap's worth.
func Grow(percent int) (release func()) {
	p := active.Load()
	if p == nil {
		return func() {}
	}
	return p.Grow(percent)
}

// Grow is the package's Grow on p.
func (p *Pacer) Grow(percent int) (release func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return func() {}
	}
	if p.grows == 0 || percent < p.growth {
		p.growth = percent
	}
	p.grows++
	metrics.Read(p.samples)
	if l := p.grown(p.own() + p.live + p.value(4)); l < p.limit {
		p.limit = l
		debug.SetMemoryLimit(p.limit)
	}
	var once sync.Once
	return func() { once.Do(p.releaseGrow) }
}

// grown is the limit under Grow for a process that needs need. Called
// with mu held.
func (p *Pacer) grown(need int64) int64 {
	return need + max(need*int64(p.growth)/100, MinHeap)
}

// releaseGrow ends one Grow; the last one gives back the limit the live
// heap of the last collection calls for (or a Hold's).
func (p *Pacer) releaseGrow() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.grows--; p.grows > 0 || p.stopped {
		return
	}
	metrics.Read(p.samples)
	p.limit = p.own() + p.live + max(p.live, MinHeap)
	if p.holds > 0 {
		p.limit = min(p.limit, p.held)
	}
	debug.SetMemoryLimit(p.limit)
}

// release ends one Hold; the last one gives back the limit the live heap
// of the last collection calls for.
func (p *Pacer) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.holds--; p.holds > 0 || p.stopped {
		return
	}
	metrics.Read(p.samples)
	p.limit = p.own() + p.live + max(p.live, MinHeap)
	debug.SetMemoryLimit(p.limit)
}

// collectGarbage collects, and gives the OS back what is free, after a
// collection that was not its own, or when enough was allocated since
// to be worth it: an eighth of the live heap, at least 4 MB. The
// collection looks again Settle later (retune); after its own with
// nothing allocated since, nothing more happens.
func (p *Pacer) collectGarbage() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	metrics.Read(p.samples)
	since := p.value(6) - p.allocated
	worth := !p.settled || since > max(p.live/8, MinHeap/4)
	p.settling = worth
	p.mu.Unlock()
	if worth {
		debug.FreeOSMemory() // not under mu: its collection's cleanup takes it
	}
}

// own is the runtime's memory outside the heap (stacks, metadata,
// other), as last read: what the limit counts besides the heap.
func (p *Pacer) own() int64 {
	total, released, objects, unused, free := p.value(1), p.value(2), p.value(3), p.value(4), p.value(5)
	return max(total-released-objects-unused-free, 0)
}

// value is sample i, 0 when the runtime does not report it.
func (p *Pacer) value(i int) int64 {
	if p.samples[i].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(p.samples[i].Value.Uint64())
}
