package watch

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"vibecraft.sh/helm/server/internal/logbuf"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitLimit = 5 * time.Second

// recorder is a Handler that keeps every call and wakes waiters.
type recorder struct {
	mu      sync.Mutex
	batches [][]string
	rescans []string
	signal  chan struct{}
}

func newRecorder() *recorder { return &recorder{signal: make(chan struct{}, 1)} }

func (r *recorder) Changed(paths []string) {
	r.mu.Lock()
	r.batches = append(r.batches, slices.Clone(paths))
	r.mu.Unlock()
	r.wake()
}

func (r *recorder) Rescan(reason string) {
	r.mu.Lock()
	r.rescans = append(r.rescans, reason)
	r.mu.Unlock()
	r.wake()
}

func (r *recorder) wake() {
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// mark returns a cursor: waits after it only look at later batches.
func (r *recorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.batches)
}

// since returns the batches delivered after cursor.
func (r *recorder) since(cursor int) [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches[cursor:])
}

func (r *recorder) rescanList() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.rescans)
}

// seen reports whether any batch after cursor holds path.
func (r *recorder) seen(cursor int, path string) bool {
	for _, b := range r.since(cursor) {
		if slices.Contains(b, path) {
			return true
		}
	}
	return false
}

// waitPaths waits until every path appears in a batch after cursor.
func (r *recorder) waitPaths(t *testing.T, cursor int, paths ...string) {
	t.Helper()
	waitUntil(t, r.signal, func() bool {
		for _, p := range paths {
			if !r.seen(cursor, p) {
				return false
			}
		}
		return true
	}, func() string { return "paths " + strings.Join(paths, ", ") + " in " + format(r.since(cursor)) })
}

func format(batches [][]string) string {
	var b strings.Builder
	for _, x := range batches {
		b.WriteString("[" + strings.Join(x, " ") + "]")
	}
	return b.String()
}

// waitUntil checks cond each time signal fires (and every few
// milliseconds, for conditions on Status) until it holds or the deadline
// passes.
func waitUntil(t *testing.T, signal <-chan struct{}, cond func() bool, what func() string) {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	recheck := time.NewTicker(5 * time.Millisecond)
	defer recheck.Stop()
	for !cond() {
		select {
		case <-signal:
		case <-recheck.C:
		case <-deadline.C:
			t.Fatalf("timed out after %s waiting for %s", waitLimit, what())
		}
	}
}

// syncBuffer collects log output written from Run's goroutine.
type syncBuffer = logbuf.Buffer

type harness struct {
	w   *Watcher
	rec *recorder
	log *syncBuffer
}

// prepare builds a Watcher whose logs go to a buffer; tweak may adjust it
// (inject addWatch) before it runs.
func prepare(opts Options) *harness {
	buf := &syncBuffer{}
	opts.Logger = slog.New(slog.NewTextHandler(buf, nil))
	return &harness{w: New(opts), rec: newRecorder(), log: buf}
}

// run starts the watcher, waits for Ready, and stops it at cleanup,
// checking that Run returns nil promptly.
func (h *harness) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.w.Run(ctx, h.rec) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v, want nil", err)
			}
		case <-time.After(waitLimit):
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Errorf("Run did not return within %s of cancel\n%s", waitLimit, buf[:n])
		}
	})
	select {
	case <-h.w.Ready():
	case err := <-done:
		t.Fatalf("Run returned %v before Ready", err)
	case <-time.After(waitLimit):
		t.Fatalf("not Ready within %s", waitLimit)
	}
}

func start(t *testing.T, opts Options) *harness {
	t.Helper()
	h := prepare(opts)
	h.run(t)
	return h
}

// waitStatus waits until cond holds for the watcher's Status.
func (h *harness) waitStatus(t *testing.T, what string, cond func(Status) bool) Status {
	t.Helper()
	var st Status
	waitUntil(t, nil, func() bool { st = h.w.Status(); return cond(st) },
		func() string { return what + "; status " + formatStatus(h.w.Status()) })
	return st
}

func formatStatus(st Status) string { return fmt.Sprintf("%+v", st) }

func mkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

// touch creates an empty file: a single Create event.
func touch(t *testing.T, p string) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// appendTo writes to an existing file: a single Write event.
func appendTo(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func join(parts ...string) string { return filepath.Join(parts...) }
