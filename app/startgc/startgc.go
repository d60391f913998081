// Package startgc keeps Go's garbage collector out of the client's start.
//
// In the browser the collector runs on the page's only thread, and at a
// first visit in code V8 compiles on first call: in a CPU profile of a
// first visit at 5,000 sessions, the two collections of the start (the
// heap passed its first goals, 4 MB, then 8) took ~60 ms between the
// client's first line and Live, for a start that allocates ~7 MB in all.
// During the start the collector is told to wait for a heap five times
// the one it last marked (GOGC 400; the first goal is then 16 MB), and
// once the start is over, or the first collection has run (a list so
// large that even 16 MB did not hold its start), it is set back to what
// it was: the client's memory, which a wasm page never gives back, stays
// what it would have been, plus at most that one larger goal.
package startgc

import (
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// startPercent is GOGC while the client starts.
const startPercent = 400

// latest ends the start of a page that never says it is over (one that
// starts offline, a session's page). A variable for the tests.
var latest = 10 * time.Second

// start is one Begin's: what GOGC was, and whether it is back.
type start struct {
	percent int
	ended   bool
}

var (
	mu      sync.Mutex
	current *start // nil before Begin
)

// Begin raises GOGC for the start. Call it first thing in main; a second
// call does nothing.
func Begin() {
	mu.Lock()
	defer mu.Unlock()
	if current != nil {
		return
	}
	s := &start{percent: debug.SetGCPercent(startPercent)}
	current = s
	// The first collection ends the start's leniency: a finalizer runs
	// once the collector has found its object unreachable.
	runtime.SetFinalizer(new(collected), func(*collected) { s.end() })
	time.AfterFunc(latest, s.end)
}

// collected is the object whose finalizer tells the first collection.
// 32 bytes: the runtime packs objects without pointers under 16 bytes
// several to a block (whose finalizers may never run) and gives every
// zero-sized one the same address, which is never freed.
type collected struct{ _ [4]int64 }

// End sets GOGC back to what it was before Begin. It may be called any
// number of times, from any goroutine; only the first call after Begin
// acts.
func End() {
	mu.Lock()
	s := current
	mu.Unlock()
	if s != nil {
		s.end()
	}
}

func (s *start) end() {
	mu.Lock()
	defer mu.Unlock()
	if s.ended {
		return
	}
	s.ended = true
	debug.SetGCPercent(s.percent)
}
