package stream

import (
	"sync"
	"time"
)

// reusedFrame is an encoded frame that clients share for initFresh after it
// was encoded and that is let go once that has passed: the clients woken by
// one event, or reconnecting after a restart, take it within milliseconds,
// while one kept until the next encoding held a whole list (85 MB at
// 100,000 sessions) through any quiet stretch. Its owner's lock guards it;
// the writers that took data hold it only while they write it.
type reusedFrame struct {
	data []byte // nil until the first encoding, and once let go
	at   time.Time
	drop *time.Timer
}

// keep holds data, encoded at now, and lets it go initFresh later by
// clock (the hub's, which tests set) unless it was replaced meanwhile. mu
// is the owner's lock, held by the caller.
func (f *reusedFrame) keep(data []byte, now time.Time, mu *sync.Mutex, clock func() time.Time) {
	f.data, f.at = data, now
	if f.drop != nil {
		f.drop.Reset(initFresh)
		return
	}
	f.drop = time.AfterFunc(initFresh, func() {
		mu.Lock()
		defer mu.Unlock()
		if clock().Sub(f.at) >= initFresh {
			f.data = nil
		}
	})
}

// fresh says whether data may still be reused at now.
func (f *reusedFrame) fresh(now time.Time) bool {
	return f.data != nil && now.Sub(f.at) < initFresh
}
