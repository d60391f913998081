package live

import (
	"time"

	"vibecraft.sh/helm/server/attn"
	"vibecraft.sh/helm/shared"
)

// maxSignals bounds the hook hints and clears waiting for Run; past it
// new ones are dropped (and counted): hooks fire a few times a turn, so a
// full inbox means Run is stuck, and the sources will tell the state
// when it is not.
const maxSignals = 1024

// Signal is a hook's hint about a session. It never blocks: Run applies
// it as soon as it is free and publishes the result at once, bypassing
// the per-session debounce, because a user waits for exactly this change.
func (l *Live) Signal(h attn.Hint) {
	if h.At.IsZero() {
		h.At = time.Now()
	}
	l.hintMu.Lock()
	if len(l.sigs) >= maxSignals {
		l.dropped++
		l.hintMu.Unlock()
		return
	}
	l.sigs = append(l.sigs, h)
	l.hintMu.Unlock()
	signal(l.wake)
}

// Clear is the user's request that a session leave "Needs you" until it
// changes again. It never blocks; Run applies, persists and publishes it.
// A since other than 0 is the start of the wait the user saw
// (WaitingSince): the clear is of that wait only, and a session that
// waits anew by the time Run applies it is left in "Needs you".
func (l *Live) Clear(src shared.Source, id string, since int64) {
	l.hintMu.Lock()
	if len(l.clears) >= maxSignals {
		l.dropped++
		l.hintMu.Unlock()
		return
	}
	l.clears = append(l.clears, pendingClear{key: string(src) + ":" + id, since: since})
	l.hintMu.Unlock()
	signal(l.wake)
}

// takeSignals applies the hints and clears enqueued since the last call
// and publishes the sessions they changed now.
func (l *Live) takeSignals() {
	l.hintMu.Lock()
	sigs, clears := l.sigs, l.clears
	l.sigs, l.clears = nil, nil
	l.hintMu.Unlock()
	if len(sigs) == 0 && len(clears) == 0 {
		return
	}
	now := time.Now()
	var keys []string
	for _, h := range sigs {
		cur, known := l.index.Get(h.Key())
		s, ok, evicted := l.att.Add(h, cur, known)
		for _, e := range evicted {
			// The hint that made room for h no longer holds: its session
			// shows its source's report again, before the next hint of
			// this batch reads the index. One deleted but not yet
			// published as such stays deleted.
			if _, listed := l.index.Get(e.Key()); listed {
				l.index.Apply(e.Source, []shared.Session{e}, nil)
				keys = append(keys, e.Key())
			}
		}
		if ok {
			l.index.Apply(s.Source, []shared.Session{s}, nil)
			keys = append(keys, s.Key())
		}
		l.log.Debug("hook", "event", h.Event, "session", h.Key(), "status", h.Status, "known", known)
	}
	for _, c := range clears {
		k := c.key
		cur, ok := l.index.Get(k)
		if !ok {
			continue // gone since the request was checked
		}
		if !cur.InWaitSince(c.since) {
			continue // a new wait since the request was checked: the user has not seen it
		}
		s := l.att.Clear(cur, now)
		l.index.Apply(s.Source, []shared.Session{s}, nil)
		keys = append(keys, k)
	}
	l.coal.stamp(now, keys)
	l.publish(keys)
	// After the publish, which the user waits for: hints and clears are
	// kept across a restart; a no-op when none changed.
	l.saveAttention()
}

// forget drops what the coalescer and the overlay hold of deleted keys.
func (l *Live) forget(keys []string) {
	l.coal.forget(keys)
	l.att.Forget(keys)
}

// pruneCleared drops clears of sessions no scan found, after a full scan.
func (l *Live) pruneCleared() {
	l.att.Prune(func(key string) bool {
		_, ok := l.index.Get(key)
		return ok
	})
	l.saveAttention()
}

// saveAttention keeps the clears that changed, and the hints when their
// write is due (Run's save timer writes them then), so that a restart
// shows what the list shows now.
func (l *Live) saveAttention() {
	if err := l.att.Save(time.Now()); err != nil {
		l.noteErr("save attention", err)
	}
}

// pendingClear is a user's clear waiting for Run: the session's key and the
// start of the wait the user saw (0: whatever it waits for).
type pendingClear struct {
	key   string
	since int64
}
