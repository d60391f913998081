package stream

import (
	"testing"

	"vibecraft.sh/helm/shared"
)

// signalled reports whether ch holds a signal, taking it.
func signalled(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// A session page's stream hears of its own session's changes (the hook
// that makes it wait writes no transcript line), not of others'; once it
// cancels, of nothing.
func TestWatchSignalsOneSession(t *testing.T) {
	h := NewHub(Options{})
	defer h.Close()
	a, b := sess("a", shared.SourceClaude, 1), sess("b", shared.SourceClaude, 2)
	h.Publish(shared.EventRefresh, []shared.Session{a, b})
	ch, cancel := h.Watch(a.Key())
	if signalled(ch) {
		t.Fatal("a signal before any change")
	}

	h.Publish(shared.EventSessionUpdated, []shared.Session{b})
	if signalled(ch) {
		t.Error("another session's change signalled")
	}
	a.Status = shared.StatusWaiting
	h.Publish(shared.EventSessionUpdated, []shared.Session{a})
	h.Publish(shared.EventSessionUpdated, []shared.Session{a}) // two before it reads: one signal
	if !signalled(ch) {
		t.Fatal("the session's change did not signal")
	}
	if signalled(ch) {
		t.Error("two changes left two signals; the reader reads the state once")
	}
	if got, _ := h.Lookup(a.Key()); got.Status != shared.StatusWaiting {
		t.Errorf("at the signal, Lookup has status %q", got.Status)
	}
	h.Publish(shared.EventRefresh, []shared.Session{b}) // a refresh may drop it
	if !signalled(ch) {
		t.Error("a refresh did not signal")
	}
	h.Publish(shared.EventSessionDeleted, []shared.Session{a})
	if !signalled(ch) {
		t.Error("its deletion did not signal")
	}

	cancel()
	h.Publish(shared.EventSessionUpdated, []shared.Session{a})
	if signalled(ch) {
		t.Error("a signal after cancel")
	}
	h.mu.Lock()
	left := len(h.watchers)
	h.mu.Unlock()
	if left != 0 {
		t.Errorf("%d keys still watched after cancel", left)
	}
}
