package live

import (
	"context"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/shared"
)

// fakeSource serves sessions from a map the test edits.
type fakeSource struct {
	mu       sync.Mutex
	sessions map[string]shared.Session
}

func (f *fakeSource) Kind() shared.Source { return shared.SourceClaude }
func (f *fakeSource) Scan(context.Context) ([]shared.Session, error) {
	return f.Sessions(), nil
}
func (f *fakeSource) Update(_ context.Context, paths []string) ([]shared.Session, []string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var changed []shared.Session
	var removed []string
	for _, p := range paths {
		if s, ok := f.sessions[p]; ok {
			changed = append(changed, s)
		} else {
			removed = append(removed, p)
		}
	}
	return changed, removed, nil
}
func (f *fakeSource) Sessions() []shared.Session {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []shared.Session
	for _, s := range f.sessions {
		out = append(out, s)
	}
	return out
}
func (f *fakeSource) set(id string, count int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[id] = shared.Session{ID: id, Source: shared.SourceClaude, MessageCount: count, UpdatedAt: int64(count)}
}
func (f *fakeSource) remove(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.sessions, id)
}

type published struct {
	t        shared.EventType
	sessions []shared.Session
}

// recorder is a Publisher that keeps the state its events imply.
type recorder struct {
	mu     sync.Mutex
	events []published
	state  map[string]shared.Session
	notify chan struct{}
}

func newRecorder() *recorder {
	return &recorder{state: map[string]shared.Session{}, notify: make(chan struct{}, 1024)}
}

func (r *recorder) Publish(t shared.EventType, sessions []shared.Session) {
	r.mu.Lock()
	r.events = append(r.events, published{t, sessions})
	if t == shared.EventRefresh {
		r.state = map[string]shared.Session{}
	}
	for _, s := range sessions {
		if t == shared.EventSessionDeleted {
			delete(r.state, s.Key())
		} else {
			r.state[s.Key()] = s
		}
	}
	r.mu.Unlock()
	r.notify <- struct{}{}
}

func (r *recorder) Lookup(key string) (shared.Session, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.state[key]
	return s, ok
}

func (r *recorder) snapshot() []published {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]published(nil), r.events...)
}

// waitFor waits until cond holds on the recorded events, failing after 5 s.
func (r *recorder) waitFor(t *testing.T, what string, cond func([]published) bool) []published {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if ev := r.snapshot(); cond(ev) {
			return ev
		}
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("timed out waiting for %s; events: %+v", what, r.snapshot())
		}
	}
}

func newTestLive(debounce time.Duration) (*Live, *fakeSource, *recorder) {
	src := &fakeSource{sessions: map[string]shared.Session{}}
	rec := newRecorder()
	return New(index.New(), rec, []Source{src}, Options{Debounce: debounce}), src, rec
}

func TestChangesBecomeTypedEvents(t *testing.T) {
	l, src, rec := newTestLive(time.Hour) // first changes after quiet go out at once
	src.set("a", 1)
	l.Refresh(context.Background())
	src.set("b", 1)
	l.Changed([]string{"b"})
	src.remove("a")
	l.Changed([]string{"a"})

	ev := rec.waitFor(t, "refresh, created, deleted", func(ev []published) bool { return len(ev) == 3 })
	want := []struct {
		t  shared.EventType
		id string
	}{{shared.EventRefresh, "a"}, {shared.EventSessionCreated, "b"}, {shared.EventSessionDeleted, "a"}}
	for i, w := range want {
		if ev[i].t != w.t || len(ev[i].sessions) != 1 || ev[i].sessions[0].ID != w.id {
			t.Fatalf("event %d = %+v, want %s of %s", i, ev[i], w.t, w.id)
		}
	}
}

func TestUnchangedSessionPublishesNothing(t *testing.T) {
	l, src, rec := newTestLive(time.Millisecond)
	src.set("a", 1)
	l.Refresh(context.Background())
	l.Changed([]string{"a"}) // same state as published
	src.set("z", 1)
	l.Changed([]string{"z"}) // a later, real change marks the end
	ev := rec.waitFor(t, "created z", func(ev []published) bool { return len(ev) >= 2 })
	if len(ev) != 2 || ev[1].t != shared.EventSessionCreated || ev[1].sessions[0].ID != "z" {
		t.Fatalf("events = %+v, want refresh then created z only", ev)
	}
}

func TestBurstIsCoalescedAndEndsWithFinalState(t *testing.T) {
	l, src, rec := newTestLive(100 * time.Millisecond)
	src.set("a", 0)
	l.Refresh(context.Background())

	start := time.Now()
	for i := 1; i <= 1000; i++ {
		src.set("a", i)
		l.Changed([]string{"a"})
	}
	burst := time.Since(start)
	ev := rec.waitFor(t, "final state", func(ev []published) bool {
		last := ev[len(ev)-1]
		return last.sessions[0].MessageCount == 1000
	})
	updates := len(ev) - 1
	// One immediate update, then at most one per 100 ms window of the burst, plus the trailing one.
	maxUpdates := 2 + int(burst/(100*time.Millisecond))
	if updates > maxUpdates {
		t.Fatalf("%d updates for a burst of %v, want at most %d", updates, burst, maxUpdates)
	}
	if ev[1].t != shared.EventSessionUpdated || ev[1].sessions[0].MessageCount != 1 {
		t.Fatalf("first change after quiet should go out at once with its state, got %+v", ev[1])
	}
}

func TestCoalescerWindows(t *testing.T) {
	now := time.Unix(0, 0)
	var scheduled []func()
	var delays []time.Duration
	var flushed [][]string
	c := newCoalescer(500*time.Millisecond, func(keys []string) { flushed = append(flushed, keys) })
	c.now = func() time.Time { return now }
	c.after = func(d time.Duration, f func()) { delays = append(delays, d); scheduled = append(scheduled, f) }

	c.touch([]string{"a", "b"})
	if len(flushed) != 1 || len(flushed[0]) != 2 {
		t.Fatalf("quiet keys should flush at once, together: %v", flushed)
	}
	now = now.Add(100 * time.Millisecond)
	c.touch([]string{"a"})
	c.touch([]string{"a"})
	if len(flushed) != 1 || len(scheduled) != 1 || delays[0] != 400*time.Millisecond {
		t.Fatalf("a burst should schedule one flush at the window's end: flushed %v, delays %v", flushed, delays)
	}
	now = now.Add(400 * time.Millisecond)
	scheduled[0]()
	if len(flushed) != 2 || flushed[1][0] != "a" {
		t.Fatalf("scheduled flush missing: %v", flushed)
	}
	now = now.Add(600 * time.Millisecond)
	c.touch([]string{"a"})
	if len(flushed) != 3 {
		t.Fatalf("a change after a quiet window should flush at once: %v", flushed)
	}
}
