package live

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vibecraft.sh/helm/server/attn"
	"vibecraft.sh/helm/shared"
)

// agingSource is a fakeSource that is an Ager: the test sets when its
// next change is due and counts the calls that would cost work.
type agingSource struct {
	*fakeSource
	mu       sync.Mutex
	next     time.Time
	aged     atomic.Int32
	sessions atomic.Int32 // whole recomputes
	onAged   func()
}

func (a *agingSource) NextChange() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.next
}

func (a *agingSource) setNext(at time.Time) {
	a.mu.Lock()
	a.next = at
	a.mu.Unlock()
}

func (a *agingSource) Aged() ([]shared.Session, []string) {
	a.aged.Add(1)
	a.setNext(time.Time{}) // what was due is done
	if a.onAged != nil {
		a.onAged()
	}
	return nil, nil
}

func (a *agingSource) Sessions() []shared.Session {
	a.sessions.Add(1)
	return a.fakeSource.Sessions()
}

// waitTimers waits until Live's armed timers satisfy cond.
func waitTimers(t *testing.T, l *Live, what string, cond func(Timers) bool) Timers {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		tm := l.Stats().Timers
		if cond(tm) {
			return tm
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; timers %+v", what, tm)
		}
		time.Sleep(time.Millisecond) // polling a condition, not synchronising on time
	}
}

func idle(tm Timers) bool {
	return tm.Waits > 0 && tm.Flush.IsZero() && tm.Age.IsZero() && tm.Save.IsZero()
}

// With nothing changing, Run arms no timer at all: it can only wake on a
// watcher hint, a refresh or a signal, so an idle workspace costs nothing
// whatever its size. Tick and SaveEvery are tiny so that, if any of them
// were still armed as a ticker, it would fire and be counted.
func TestIdleArmsNoTimer(t *testing.T) {
	src := &agingSource{fakeSource: newSource()}
	for i := range 50 {
		src.set(string(rune('a'+i%26))+string(rune('a'+i/26)), i)
	}
	var saves atomic.Int32
	l, rec := startAger(t, src, Options{Tick: time.Millisecond, SaveEvery: time.Millisecond, Save: func() error { saves.Add(1); return nil }})
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	tm := waitTimers(t, l, "no timer armed", idle)
	if tm.Ages != 0 || tm.Saves != 0 || src.aged.Load() != 0 || src.sessions.Load() != 0 {
		t.Errorf("idle after the first scan: %d age wakeups, %d timed saves, %d Aged calls, %d whole recomputes; want none",
			tm.Ages, tm.Saves, src.aged.Load(), src.sessions.Load())
	}
	if n := saves.Load(); n != 1 {
		t.Errorf("%d saves, want 1: after the first scan only", n)
	}
}

// A due change wakes Run once, at its moment, for Aged alone: no whole
// recompute, and nothing armed after it.
func TestAgeWakesOnlyWhenDue(t *testing.T) {
	src := &agingSource{fakeSource: newSource()}
	src.set("a", 1)
	src.setNext(time.Now().Add(20 * time.Millisecond))
	l, rec := startAger(t, src, Options{Tick: time.Hour})
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	tm := waitTimers(t, l, "the due change handled", func(tm Timers) bool { return tm.Ages == 1 && idle(tm) })
	if got := src.aged.Load(); got != 1 {
		t.Errorf("Aged called %d times, want 1", got)
	}
	if got := src.sessions.Load(); got != 0 || tm.Saves != 0 {
		t.Errorf("%d whole recomputes, %d timed saves; want none", got, tm.Saves)
	}
}

// A change arms one save, SaveEvery later; once saved, nothing is armed.
func TestSaveOnlyAfterAChange(t *testing.T) {
	src := &agingSource{fakeSource: newSource()}
	src.set("a", 1)
	var saves atomic.Int32
	l, rec := startAger(t, src, Options{Debounce: time.Millisecond, SaveEvery: 10 * time.Millisecond, Save: func() error { saves.Add(1); return nil }})
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	waitTimers(t, l, "idle after the scan", idle)
	src.set("a", 2)
	l.Changed([]string{"a"})
	tm := waitTimers(t, l, "one timed save, then idle", func(tm Timers) bool { return tm.Saves == 1 && idle(tm) })
	if n := saves.Load(); n != 2 || tm.Saves != 1 {
		t.Errorf("%d saves (%d timed), want 2: after the scan, once after the change", n, tm.Saves)
	}
}

// A non-Ager source keeps the whole recompute every Tick.
func TestNonAgerStillTicks(t *testing.T) {
	src := newSource()
	src.set("a", 1)
	l, rec := start(t, src, Options{Tick: 5 * time.Millisecond})
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	waitTimers(t, l, "ticks", func(tm Timers) bool { return tm.Ages >= 2 && !tm.Age.IsZero() })
}

// startAger is start for an agingSource.
func startAger(t *testing.T, src *agingSource, opts Options) (*Live, *recorder) {
	t.Helper()
	return startWith(t, src, opts)
}

// When a hook's hint expires, its session shows again what its source
// last reported, and only it is published: the source is not recomputed
// whole (at 100,000 sessions that was a full walk for one expiry).
func TestHintExpiryTouchesOnlyItsSession(t *testing.T) {
	src := &agingSource{fakeSource: newSource()}
	for i := range 50 {
		src.set(string(rune('a'+i%26))+string(rune('a'+i/26)), i)
	}
	const ttl = 50 * time.Millisecond
	l, rec := startAger(t, src, Options{Tick: time.Hour, Debounce: time.Millisecond, Attention: attn.NewOverlay(ttl, nil)})
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	l.Signal(attn.Hint{Source: shared.SourceClaude, ID: "ca", Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true})
	// At least: the expiry, ttl later, may be published before the
	// waiter looks (a loaded machine), and the events are never fewer.
	ev := rec.waitFor(t, "the hint", func(ev []published) bool { return len(ev) >= 2 })
	if s := ev[1].sessions; len(s) != 1 || s[0].Status != shared.StatusWaiting {
		t.Fatalf("hint published as %+v", s)
	}
	ev = rec.waitFor(t, "the hint's expiry", func(ev []published) bool { return len(ev) >= 3 })
	s := ev[2].sessions
	if ev[2].t != shared.EventSessionUpdated || len(s) != 1 || s[0].ID != "ca" || s[0].Status != "" || s[0].WaitingFor != "" || s[0].MessageCount != 2 {
		t.Errorf("expiry published as %s %+v, want ca alone, as its source reported it", ev[2].t, s)
	}
	tm := waitTimers(t, l, "idle after the expiry", idle)
	if n := src.sessions.Load(); n != 0 || tm.Ages != 1 {
		t.Errorf("%d whole recomputes, %d age wakeups; want none, one", n, tm.Ages)
	}
	if n := len(rec.snapshot()); n != 3 {
		t.Errorf("%d events, want 3: the refresh, the hint, its expiry", n)
	}
}
