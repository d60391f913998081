// Package tail tells the open session pages that their transcript may
// have changed, as soon as the watcher says so.
//
// The session list goes through live's per-session debounce (500 ms),
// which is right for a list and too slow for a page that shows each
// message as it is written (≤ 100 ms). So the watcher's raw path hints
// are fanned out (Tee) to live and to a Hub, which maps each changed path,
// and every folder above it, to the page streams subscribed to it and
// pokes them. A poke carries nothing: the stream re-reads its page from
// its cursor, so hints may be coalesced or spurious without harm.
package tail

import (
	"errors"
	"path/filepath"
	"sync"
)

// DefaultMax is how many page streams a Hub serves at once.
const DefaultMax = 64

var (
	// ErrFull is a subscription refused because Max streams are open.
	ErrFull = errors.New("too many open session pages")
	// ErrClosed is a subscription refused because the Hub is closed.
	ErrClosed = errors.New("shutting down")
)

// Hub is the set of open page streams and the paths each one follows.
// Changed and Rescan never block, so the watcher is never held up by a
// page. It is safe for concurrent use.
type Hub struct {
	max int

	mu     sync.Mutex
	byPath map[string]map[*Sub]struct{}
	all    map[*Sub]struct{}
	closed bool
	quit   chan struct{} // closed by Close
	subs   sync.WaitGroup
}

// New returns a Hub that serves at most max streams (0: DefaultMax).
func New(max int) *Hub {
	if max <= 0 {
		max = DefaultMax
	}
	return &Hub{max: max, byPath: map[string]map[*Sub]struct{}{}, all: map[*Sub]struct{}{}, quit: make(chan struct{})}
}

// Sub is one page stream's subscription. Its owner selects on C and Done
// and calls Close when it ends.
type Sub struct {
	// C gets a value when a followed path may have changed: one slot, so
	// a burst of hints while the page is read coalesces into one.
	C     chan struct{}
	h     *Hub
	paths []string
	once  sync.Once
}

// Subscribe follows paths: files, or folders whose every descendant
// counts. It fails with ErrFull or ErrClosed.
func (h *Hub) Subscribe(paths ...string) (*Sub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	if len(h.all) >= h.max {
		return nil, ErrFull
	}
	s := &Sub{C: make(chan struct{}, 1), h: h}
	for _, p := range paths {
		p = filepath.Clean(p)
		m := h.byPath[p]
		if m == nil {
			m = map[*Sub]struct{}{}
			h.byPath[p] = m
		}
		m[s] = struct{}{}
		s.paths = append(s.paths, p)
	}
	h.all[s] = struct{}{}
	h.subs.Add(1)
	return s, nil
}

// Done is closed when the Hub closes: the stream must end.
func (s *Sub) Done() <-chan struct{} { return s.h.quit }

// Close ends the subscription; it may be called more than once.
func (s *Sub) Close() {
	s.once.Do(func() {
		h := s.h
		h.mu.Lock()
		for _, p := range s.paths {
			if m := h.byPath[p]; m != nil {
				delete(m, s)
				if len(m) == 0 {
					delete(h.byPath, p)
				}
			}
		}
		delete(h.all, s)
		h.mu.Unlock()
		h.subs.Done()
	})
}

func (s *Sub) poke() {
	select {
	case s.C <- struct{}{}:
	default: // one is pending: the read it causes sees this change too
	}
}

// Changed pokes the streams following any of paths or a folder above one.
func (h *Hub) Changed(paths []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.all) == 0 {
		return // no page is open: the common case costs one lock
	}
	for _, p := range paths {
		for p = filepath.Clean(p); ; {
			for s := range h.byPath[p] {
				s.poke()
			}
			up := filepath.Dir(p)
			if up == p {
				break
			}
			p = up
		}
	}
}

// Rescan pokes every stream: after an overflow the watcher cannot say
// what changed.
func (h *Hub) Rescan(string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.all {
		s.poke()
	}
}

// Len is the number of open streams.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.all)
}

// Close refuses new subscriptions, tells every stream to end, and waits
// until each has closed its subscription: a stream's writes are bounded
// by its write deadline, so this wait is too.
func (h *Hub) Close() {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		close(h.quit)
	}
	h.mu.Unlock()
	h.subs.Wait()
}
