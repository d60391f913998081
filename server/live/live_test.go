package live

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"vibecraft.sh/helm/server/api"
	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
)

// fakeSource serves sessions from a map the test edits. When gate is set,
// Scan and Update announce themselves on entered and wait for gate, as a
// slow read would.
type fakeSource struct {
	mu       sync.Mutex
	sessions map[string]shared.Session
	scans    atomic.Int32
	calls    []string // "scan" or "update", in order
	gate     chan struct{}
	entered  chan string
}

func (f *fakeSource) Kind() shared.Source { return shared.SourceClaude }
func (f *fakeSource) Scan(ctx context.Context) ([]shared.Session, error) {
	f.scans.Add(1)
	if err := f.slow(ctx, "scan"); err != nil {
		return nil, err
	}
	return f.Sessions(), nil
}
func (f *fakeSource) slow(ctx context.Context, what string) error {
	f.mu.Lock()
	f.calls = append(f.calls, what)
	f.mu.Unlock()
	if f.gate == nil {
		return nil
	}
	select {
	case <-f.gate:
		return nil // open: no longer slow
	default:
	}
	f.entered <- what
	select {
	case <-f.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (f *fakeSource) Update(ctx context.Context, paths []string) ([]shared.Session, []string, error) {
	if err := f.slow(ctx, "update"); err != nil {
		return nil, nil, err
	}
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

// start runs a Live over a fake source until the test ends, and checks
// that Run returned and left no goroutine behind.
func start(t *testing.T, src *fakeSource, opts Options) (*Live, *recorder) {
	t.Helper()
	return startWith(t, src, opts)
}

// startWith is start for any Source.
func startWith(t *testing.T, src Source, opts Options) (*Live, *recorder) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	rec := newRecorder()
	l := New(index.New(), rec, []Source{src}, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after its context was cancelled")
		}
	})
	return l, rec
}

func newSource() *fakeSource { return &fakeSource{sessions: map[string]shared.Session{}} }

func TestChangesBecomeTypedEvents(t *testing.T) {
	src := newSource()
	src.set("a", 1)
	l, rec := start(t, src, Options{Debounce: time.Hour}) // first changes after quiet go out at once
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	src.set("b", 1)
	l.Changed([]string{"b"})
	rec.waitFor(t, "created b", func(ev []published) bool { return len(ev) == 2 })
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
	src := newSource()
	src.set("a", 1)
	l, rec := start(t, src, Options{Debounce: time.Millisecond})
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	l.Changed([]string{"a"}) // same state as published
	src.set("z", 1)
	l.Changed([]string{"z"}) // a later, real change marks the end
	ev := rec.waitFor(t, "created z", func(ev []published) bool { return len(ev) >= 2 })
	if len(ev) != 2 || ev[1].t != shared.EventSessionCreated || ev[1].sessions[0].ID != "z" {
		t.Fatalf("events = %+v, want refresh then created z only", ev)
	}
}

func TestBurstIsCoalescedAndEndsWithFinalState(t *testing.T) {
	src := newSource()
	src.set("a", 0)
	l, rec := start(t, src, Options{Debounce: 100 * time.Millisecond})
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })

	begin := time.Now()
	for i := 1; i <= 1000; i++ {
		src.set("a", i)
		l.Changed([]string{"a"})
	}
	burst := time.Since(begin)
	ev := rec.waitFor(t, "final state", func(ev []published) bool {
		last := ev[len(ev)-1]
		return last.sessions[0].MessageCount == 1000
	})
	updates := len(ev) - 1
	// One immediate update, then at most one per 100 ms window of the burst, plus the trailing one.
	if maxUpdates := 2 + int(burst/(100*time.Millisecond)); updates > maxUpdates {
		t.Fatalf("%d updates for a burst of %v, want at most %d", updates, burst, maxUpdates)
	}
	if ev[1].t != shared.EventSessionUpdated || ev[1].sessions[0].MessageCount < 1 {
		t.Fatalf("first change after quiet should go out at once, got %+v", ev[1])
	}
}

// The watcher's calls only enqueue: while a source read hangs, Changed and
// Rescan return, and what they asked for is done once the read ends.
func TestSlowSourceNeverBlocksTheWatcher(t *testing.T) {
	src := newSource()
	src.gate, src.entered = make(chan struct{}), make(chan string, 16)
	src.set("a", 1)
	l, rec := start(t, src, Options{Debounce: time.Millisecond})
	if what := <-src.entered; what != "scan" {
		t.Fatalf("first call into the source: %s, want scan", what)
	}
	hinted := make(chan struct{})
	go func() {
		defer close(hinted)
		for i := 0; i < 10000; i++ {
			l.Changed([]string{"a", "b"})
		}
		l.Rescan("test")
	}()
	select {
	case <-hinted:
	case <-time.After(5 * time.Second):
		t.Fatal("Changed blocked while the source was busy")
	}
	src.set("b", 2)
	close(src.gate) // every later call goes straight through
	// The first scan may already see b once the gate opens, so wait for
	// the rescan too, not only for b.
	rec.waitFor(t, "b, hinted during the slow scan", func(ev []published) bool {
		_, ok := rec.Lookup(shared.Session{Source: shared.SourceClaude, ID: "b"}.Key())
		return ok
	})
	// The rescan may publish nothing new (b can reach the first scan), so
	// poll for the call itself.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for deadline := time.Now().Add(5 * time.Second); ; <-tick.C {
		src.mu.Lock()
		n := len(src.calls)
		src.mu.Unlock()
		if n >= 2 || time.Now().After(deadline) {
			break
		}
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	// The rescan covers every hinted path: no Update of them besides.
	if got := strings.Join(src.calls, ","); got != "scan,scan" {
		t.Fatalf("calls into the source: %s, want the first scan then one rescan", got)
	}
}

// Refresh requests made while a scan runs join the next scan: ten POSTs
// give one more, not ten, and each answers at once.
func TestRefreshRequestsCoalesce(t *testing.T) {
	src := newSource()
	src.gate, src.entered = make(chan struct{}), make(chan string, 16)
	l, rec := start(t, src, Options{})
	hub := stream.NewHub(stream.Options{})
	defer hub.Close()
	mux := http.NewServeMux()
	api.New(api.Deps{Refresh: l, Stream: hub, Status: func() any { return nil }}).Install(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	<-src.entered // the first scan is under way, and stays there
	for i := 0; i < 10; i++ {
		resp, err := http.Post(srv.URL+"/api/sessions/refresh", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("POST refresh: %d, want 202", resp.StatusCode)
		}
	}
	close(src.gate)
	rec.waitFor(t, "two refreshes", func(ev []published) bool { return len(ev) == 2 })
	if n := len(l.refresh); n != 0 {
		t.Fatalf("%d refresh requests still pending after the second scan", n)
	}
	// A hint after the second scan is handled after it: when it is
	// published, any third scan would have happened.
	src.set("z", 1)
	l.Changed([]string{"z"})
	rec.waitFor(t, "created z", func(ev []published) bool { return len(ev) == 3 })
	if n := src.scans.Load(); n != 2 {
		t.Fatalf("%d scans for ten requests during the first, want 2", n)
	}
}

// Run persists: after each full scan and once more when it stops.
func TestRunSaves(t *testing.T) {
	src := newSource()
	var saves atomic.Int32
	opts := Options{Save: func() error { saves.Add(1); return nil }}
	rec := newRecorder()
	l := New(index.New(), rec, []Source{src}, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := saves.Load(); n != 2 {
		t.Fatalf("%d saves, want 2: after the scan and at the end", n)
	}
}

func TestCoalescerWindows(t *testing.T) {
	t0 := time.Unix(0, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	c := newCoalescer(500 * time.Millisecond)
	if got := c.touch(ms(0), []string{"a", "b"}); len(got) != 2 {
		t.Fatalf("quiet keys should flush at once, together: %v", got)
	}
	if got := c.touch(ms(100), []string{"a"}); len(got) != 0 {
		t.Fatalf("a change inside the window went out at once: %v", got)
	}
	c.touch(ms(200), []string{"a"})
	if at, ok := c.next(); !ok || !at.Equal(ms(500)) {
		t.Fatalf("next = %v, %v; want the window's end, 500 ms", at, ok)
	}
	if got := c.due(ms(499)); len(got) != 0 {
		t.Fatalf("due before the deadline: %v", got)
	}
	if got := c.due(ms(500)); len(got) != 1 || got[0] != "a" {
		t.Fatalf("due at the deadline: %v, want [a]", got)
	}
	if _, ok := c.next(); ok {
		t.Fatal("a deadline is left after every key was flushed")
	}
	if got := c.touch(ms(700), []string{"a"}); len(got) != 0 {
		t.Fatalf("a change 200 ms after a flush went out at once: %v", got)
	}
	c.due(ms(1000))
	if got := c.touch(ms(1600), []string{"a"}); len(got) != 1 {
		t.Fatalf("a change after a quiet window should flush at once: %v", got)
	}
	c.forget([]string{"a", "b"})
	if len(c.last) != 0 || len(c.pending) != 0 {
		t.Fatalf("forget left %v %v", c.last, c.pending)
	}
}

// A flood of distinct paths while a read hangs is bounded: past maxHints
// the queue turns into one rescan, which covers every path.
func TestHintFloodBecomesARescan(t *testing.T) {
	src := newSource()
	src.gate, src.entered = make(chan struct{}), make(chan string, 16)
	l, rec := start(t, src, Options{Debounce: time.Millisecond})
	<-src.entered // the first scan hangs
	for i := 0; i <= maxHints; i++ {
		l.Changed([]string{"p" + strconv.Itoa(i)})
	}
	l.hintMu.Lock()
	queued, reason := len(l.hints), l.rescan
	l.hintMu.Unlock()
	if queued != 0 || reason == "" {
		t.Fatalf("%d paths queued, rescan %q: want none queued and a rescan", queued, reason)
	}
	src.set("late", 1)
	close(src.gate)
	rec.waitFor(t, "the session the rescan found", func([]published) bool {
		_, ok := rec.Lookup(shared.Session{Source: shared.SourceClaude, ID: "late"}.Key())
		return ok
	})
}

// FirstScan is closed once the first scan is published, not before: what
// serves lists waits on it, and a list served before it would be the
// empty one a start begins with.
func TestFirstScanClosesOncePublished(t *testing.T) {
	src := &fakeSource{sessions: map[string]shared.Session{}, gate: make(chan struct{}), entered: make(chan string, 4)}
	src.set("a", 1)
	l, rec := start(t, src, Options{})
	if what := <-src.entered; what != "scan" {
		t.Fatalf("entered %q, want the first scan", what)
	}
	select {
	case <-l.FirstScan():
		t.Fatal("FirstScan closed while the first scan reads")
	default:
	}
	close(src.gate)
	<-l.FirstScan()
	if ev := rec.snapshot(); len(ev) == 0 || ev[0].t != shared.EventRefresh || len(ev[0].sessions) != 1 {
		t.Fatalf("FirstScan closed before the scan was published: %+v", ev)
	}
}

// A stop during the first scan cuts it: what it found is not published
// as the list (an empty one, or a part) nor counted as a scan done, which
// helmd logged as "scan done sessions=0".
func TestStopDuringTheFirstScanPublishesNothing(t *testing.T) {
	src := &fakeSource{sessions: map[string]shared.Session{}, gate: make(chan struct{}), entered: make(chan string, 4)}
	src.set("a", 1)
	rec := newRecorder()
	l := New(index.New(), rec, []Source{src}, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	if what := <-src.entered; what != "scan" {
		t.Fatalf("entered %q, want the first scan", what)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ev := rec.snapshot(); len(ev) != 0 {
		t.Errorf("a cut first scan published %+v", ev)
	}
	if st := l.Stats(); st.Scans != 0 {
		t.Errorf("a cut first scan counted: %d scans", st.Scans)
	}
}

// listSource scans to list itself, the same slice each time.
type listSource struct {
	kind shared.Source
	list []shared.Session
}

func (s *listSource) Kind() shared.Source                            { return s.kind }
func (s *listSource) Scan(context.Context) ([]shared.Session, error) { return s.list, nil }
func (s *listSource) Sessions() []shared.Session                     { return s.list }
func (s *listSource) Update(context.Context, []string) ([]shared.Session, []string, error) {
	return nil, nil, nil
}

// TestRefreshPublishesTheScansList checks the list a full scan publishes:
// the scan's own slice, newest first, not a copy of the index (40 MB more
// at 100,000 sessions); the lists of two sources joined without writing
// into the first one's; and the index's own list when a source lists a
// session twice.
func TestRefreshPublishesTheScansList(t *testing.T) {
	sess := func(src shared.Source, id string, at int64) shared.Session {
		return shared.Session{Source: src, ID: id, UpdatedAt: at}
	}
	ids := func(ss []shared.Session) string {
		var b strings.Builder
		for _, s := range ss {
			b.WriteString(s.Key() + " ")
		}
		return b.String()
	}
	refresh := func(t *testing.T, sources ...Source) []shared.Session {
		t.Helper()
		rec := newRecorder()
		New(index.New(), rec, sources, Options{}).fullScan(t.Context())
		ev := rec.snapshot()
		if len(ev) != 1 || ev[0].t != shared.EventRefresh {
			t.Fatalf("published %+v, want one refresh", ev)
		}
		return ev[0].sessions
	}

	t.Run("one source", func(t *testing.T) {
		src := &listSource{kind: shared.SourceClaude, list: []shared.Session{
			sess(shared.SourceClaude, "a", 1), sess(shared.SourceClaude, "b", 2)}}
		got := refresh(t, src)
		if want := "claude:b claude:a "; ids(got) != want {
			t.Errorf("published %q, want %q", ids(got), want)
		}
		if &got[0] != &src.list[0] {
			t.Error("the refresh published a copy of the scan's list")
		}
	})
	t.Run("handed over to a publisher that takes it", func(t *testing.T) {
		src := &listSource{kind: shared.SourceClaude, list: []shared.Session{sess(shared.SourceClaude, "a", 1)}}
		pub := &handoffRecorder{recorder: newRecorder()}
		New(index.New(), pub, []Source{src}, Options{}).fullScan(t.Context())
		if len(pub.owned) != 1 || &pub.owned[0][0] != &src.list[0] || len(pub.snapshot()) != 0 {
			t.Errorf("handed over %d lists, published %d; want the scan's list handed over", len(pub.owned), len(pub.snapshot()))
		}
	})
	t.Run("two sources", func(t *testing.T) {
		backing := []shared.Session{sess(shared.SourceClaude, "a", 1), sess(shared.SourceClaude, "spare", 9)}
		one := &listSource{kind: shared.SourceClaude, list: backing[:1]}
		two := &listSource{kind: shared.SourceOpenCode, list: []shared.Session{sess(shared.SourceOpenCode, "c", 3)}}
		got := refresh(t, one, two)
		if want := "opencode:c claude:a "; ids(got) != want {
			t.Errorf("published %q, want %q", ids(got), want)
		}
		if backing[1].ID != "spare" {
			t.Errorf("the first source's slice was written past its length: %+v", backing[1])
		}
	})
	t.Run("a session listed twice", func(t *testing.T) {
		src := &listSource{kind: shared.SourceClaude, list: []shared.Session{
			sess(shared.SourceClaude, "a", 1), sess(shared.SourceClaude, "a", 2), sess(shared.SourceClaude, "b", 3)}}
		if got, want := ids(refresh(t, src)), "claude:b claude:a "; got != want {
			t.Errorf("published %q, want %q", got, want)
		}
	})
}

// handoffRecorder is a recorder that also takes lists (Handoff).
type handoffRecorder struct {
	*recorder
	owned [][]shared.Session
}

func (r *handoffRecorder) PublishOwned(_ shared.EventType, ss []shared.Session) {
	r.owned = append(r.owned, ss)
}

// A refresh, not the first scan, runs under Options.Hold (helmd bounds
// the heap meanwhile), and lets it go once the scan is published: a hold
// left on would keep collecting a heap that no longer grows.
func TestRefreshRunsUnderHold(t *testing.T) {
	src := newSource()
	src.set("a", 1)
	type holdAt struct{ scans, events int }
	held, released := make(chan holdAt, 4), make(chan holdAt, 4)
	var rec *recorder
	opts := Options{Hold: func() func() {
		held <- holdAt{int(src.scans.Load()), len(rec.snapshot())}
		return func() { released <- holdAt{int(src.scans.Load()), len(rec.snapshot())} }
	}}
	rec = newRecorder()
	l := New(index.New(), rec, []Source{src}, opts)
	running(t, l)

	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	l.RequestRefresh()
	wait := func(ch chan holdAt, what string) holdAt {
		select {
		case at := <-ch:
			return at
		case <-time.After(5 * time.Second):
			t.Fatalf("the refresh was never %s", what)
			return holdAt{}
		}
	}
	h, r := wait(held, "held"), wait(released, "released")
	if h.scans != 1 || h.events != 1 {
		t.Errorf("held after %d scans and %d events, want as the second scan starts (1, 1): the first scan must not be held", h.scans, h.events)
	}
	if r.scans != 2 || r.events != 2 {
		t.Errorf("released after %d scans and %d events, want once the refresh is published (2, 2)", r.scans, r.events)
	}
	if s := l.Stats().Scans; s != 2 {
		t.Errorf("%d scans counted once the hold was released, want 2", s)
	}
	if len(held) != 0 {
		t.Error("held more than once for one refresh")
	}
}

// The first scan, which builds helmd's heap, runs under Options.Build
// (helmd bounds its garbage as the heap grows), released once the scan
// is published; a refresh runs under Hold, not Build.
func TestFirstScanRunsUnderBuild(t *testing.T) {
	src := newSource()
	src.set("a", 1)
	type at struct{ scans, events int }
	built, released, held := make(chan at, 4), make(chan at, 4), make(chan at, 4)
	var rec *recorder
	opts := Options{
		Build: func() func() {
			built <- at{int(src.scans.Load()), len(rec.snapshot())}
			return func() { released <- at{int(src.scans.Load()), len(rec.snapshot())} }
		},
		Hold: func() func() {
			held <- at{int(src.scans.Load()), len(rec.snapshot())}
			return func() {}
		},
	}
	rec = newRecorder()
	l := New(index.New(), rec, []Source{src}, opts)
	running(t, l)

	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	l.RequestRefresh()
	select {
	case <-held:
	case <-time.After(5 * time.Second):
		t.Fatal("the refresh was never held")
	}
	if len(built) != 1 || len(released) != 1 {
		t.Fatalf("first scan built %d and released %d times, want once each", len(built), len(released))
	}
	if b := <-built; b.scans != 0 || b.events != 0 {
		t.Errorf("built after %d scans and %d events, want as the first scan starts (0, 0)", b.scans, b.events)
	}
	if r := <-released; r.scans != 1 || r.events != 1 {
		t.Errorf("released after %d scans and %d events, want once the first scan is published (1, 1)", r.scans, r.events)
	}
}

// running runs l until the test ends.
func running(t *testing.T, l *Live) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}
