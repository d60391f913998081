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
	waiting map[string]bool // by key: status was waiting when last published
}

func (w *watcher) init() { w.waiting = make(map[string]bool) }

// observe records the event and returns the sessions that started waiting.
func (w *watcher) observe(t shared.EventType, sessions []shared.Session) []shared.Session {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []shared.Session
	switch t {
	case shared.EventRefresh:
		next := make(map[string]bool, len(sessions))
		for i := range sessions {
			s, k := &sessions[i], sessions[i].Key()
			was := w.waiting[k]
			next[k] = s.Status == shared.StatusWaiting || s.HostOffline && was // as below
			if w.started && !was && shared.NeedsYou(s) {
				out = append(out, *s)
			}
		}
		w.waiting, w.started = next, true // a refresh replaces the state: the map stays bounded
	case shared.EventSessionCreated, shared.EventSessionUpdated:
		for i := range sessions {
			s, k := &sessions[i], sessions[i].Key()
			was := w.waiting[k]
			// A fleet machine gone offline shows its sessions idle; one
			// that waited then is still counted waiting here, so that
			// the machine coming back with the same wait tells nothing.
			w.waiting[k] = s.Status == shared.StatusWaiting || s.HostOffline && was
			if w.started && !was && shared.NeedsYou(s) {
				out = append(out, *s)
			}
		}
	case shared.EventSessionDeleted:
		for i := range sessions {
			delete(w.waiting, sessions[i].Key())
		}
	}
	return out
}
