package feed

import "time"

// RealClock is the wall clock; its timers run their function on a new
// goroutine, as time.AfterFunc does.
type RealClock struct{}

// Now is time.Now.
func (RealClock) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (RealClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
