package feed

import "sync"

// serial runs functions one at a time in call order. A function that
// calls do again (a callback that feeds the machine) is queued rather
// than run re-entrantly, so the machine's state is never seen half-updated
// and no lock is ever taken twice.
type serial struct {
	mu      sync.Mutex
	queue   []func()
	running bool
}

func (s *serial) do(f func()) {
	s.mu.Lock()
	s.queue = append(s.queue, f)
	if s.running {
		s.mu.Unlock()
		return
	}
	s.running = true
	for len(s.queue) > 0 {
		next := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		next()
		s.mu.Lock()
	}
	s.running = false
	s.mu.Unlock()
}
