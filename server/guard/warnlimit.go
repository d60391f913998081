package guard

import (
	"sync"
	"time"
)

// warnLimit lets through at most one log line per period and counts the
// ones it held back, so the next line can say how many there were.
type warnLimit struct {
	every time.Duration
	now   func() time.Time

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func newWarnLimit(every time.Duration, now func() time.Time) *warnLimit {
	return &warnLimit{every: every, now: now}
}

// allow reports whether to log now, and how many were held back since
// the last line logged.
func (l *warnLimit) allow() (ok bool, suppressed int) {
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
