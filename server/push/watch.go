package push

import (
	"sync"

	"vibecraft.sh/helm/shared"
)

// watcher tells, from the published events, which sessions start waiting:
// status becomes waiting, not cleared. Nothing is reported before the
// first refresh (helmd's first scan): what already waited when helmd
// started was either told before or is not news.
type watcher struct {
	mu      sync.Mutex
	started bool
	// waiting holds, by key, the sessions whose status was waiting when
	// last published, and no other: a refresh at 100,000 sessions made a
	// key string for each and kept a map of them all, ~10 MB, to say
	// "not waiting" of nearly every one.
	waiting map[string]bool
}

func (w *watcher) init() { w.waiting = make(map[string]bool) }

// observe records the event and returns the sessions that started waiting.
func (w *watcher) observe(t shared.EventType, sessions []shared.Session) []shared.Session {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []shared.Session
	var buf [128]byte
	switch t {
	case shared.EventRefresh:
		next := make(map[string]bool, len(w.waiting))
		for i := range sessions {
			s := &sessions[i]
			kb := shared.AppendKey(buf[:0], s)
			// A map index by string(bytes) allocates nothing; the rule
			// is the one below.
			was := w.waiting[string(kb)]
			if s.Status == shared.StatusWaiting || s.HostOffline && was {
				next[string(kb)] = true
			}
			if w.started && !was && shared.NeedsYou(s) {
				out = append(out, *s)
			}
		}
		w.waiting, w.started = next, true // a refresh replaces the state: the map stays bounded
	case shared.EventSessionCreated, shared.EventSessionUpdated:
		for i := range sessions {
			s := &sessions[i]
			kb := shared.AppendKey(buf[:0], s)
			was := w.waiting[string(kb)]
			// A fleet machine gone offline shows its sessions idle; one
			// that waited then is still counted waiting here, so that
			// the machine coming back with the same wait tells nothing.
			if s.Status == shared.StatusWaiting || s.HostOffline && was {
				w.waiting[string(kb)] = true
			} else {
				delete(w.waiting, string(kb))
			}
			if w.started && !was && shared.NeedsYou(s) {
				out = append(out, *s)
			}
		}
	case shared.EventSessionDeleted:
		for i := range sessions {
			delete(w.waiting, string(shared.AppendKey(buf[:0], &sessions[i])))
		}
	}
	return out
}
