// Package warnlimit spaces log lines that a stranger can cause at will (a
// wrong token, a refused connection): one every period, with a count of
// those held back, so that nobody can fill the log, or the disk, by
// knocking.
package warnlimit

import (
	"sync"
	"time"
)

// Limit lets through at most one log line per period and counts the
// ones it held back, so the next line can say how many there were.
type Limit struct {
	every time.Duration
	now   func() time.Time

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// New returns a Limit of one line per every, by the clock now.
func New(every time.Duration, now func() time.Time) *Limit {
	return &Limit{every: every, now: now}
}

// Allow reports whether to log now, and how many were held back since
// the last line logged.
func (l *Limit) Allow() (ok bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.last.IsZero() && now.Sub(l.last) < l.every {
		l.suppressed++
		return false, 0
	}
	l.last, suppressed, l.suppressed = now, l.suppressed, 0
	return true, suppressed
}
