package stream

import "vibecraft.sh/helm/shared"

// Watch tells of changes to one session, for a reader that follows a
// single session (the session page's stream) and has no use for the
// list's events: each Publish that concerns key, or a refresh, which may
// concern any, signals the channel. The signal carries nothing, and
// several coalesce into one: the reader looks the session up (Lookup)
// when it gets to it. cancel stops the signals; call it once done.
func (h *Hub) Watch(key string) (changed <-chan struct{}, cancel func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.watchers == nil {
		h.watchers = map[string]map[chan struct{}]struct{}{}
	}
	if h.watchers[key] == nil {
		h.watchers[key] = map[chan struct{}]struct{}{}
	}
	h.watchers[key][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if w := h.watchers[key]; w != nil {
			delete(w, ch)
			if len(w) == 0 {
				delete(h.watchers, key)
			}
		}
	}
}

// signalLocked signals the watchers of the sessions of an event (all of
// them for a refresh), never blocking: a signal not yet taken stands for
// this one too.
func (h *Hub) signalLocked(refresh bool, own []shared.Session) {
	if len(h.watchers) == 0 {
		return // the usual case: no session page open
	}
	poke := func(w map[chan struct{}]struct{}) {
		for ch := range w {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
	if refresh {
		for _, w := range h.watchers {
			poke(w)
		}
		return
	}
	for _, s := range own {
		if w := h.watchers[s.Key()]; w != nil {
			poke(w)
		}
	}
}
