package main

import (
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// TestBurstIsCoalescedEndToEnd: 1,000 appends to one session as fast as
// the disk takes them yield a handful of events, and the last one carries
// the final state.
func TestBurstIsCoalescedEndToEnd(t *testing.T) {
	const sid = "b0b0b0b0-0000-4000-8000-00000000c0a1"
	path, c := oneSessionStream(t, sid, "/home/dev/burst", "500ms")

	start := time.Now()
	for range 1000 {
		fixture.Append(t, path, fixture.User(sid, "/home/dev/burst", "more", time.Now()))
	}
	burst := time.Since(start)
	events := 0
	c.Wait(t, 10*time.Second, "the final state", func(ev ssetest.Event) bool {
		s, ok := ev.Has(sid)
		if ok {
			events++
		}
		return ok && s.MessageCount == 1001
	})
	// The first change goes out at once, then at most one per 500 ms window
	// of the burst, then the trailing one.
	if limit := 2 + int(burst/(500*time.Millisecond)); events > limit {
		t.Fatalf("%d events for a %v burst, want at most %d", events, burst, limit)
	}
	t.Logf("FIGURE 1,000 appends in %v → %d events", burst.Round(time.Millisecond), events)
}

// TestIsolatedAppendDoesNotWaitForTheWindow: with an hour-long debounce,
// an isolated change still goes out at once.
func TestIsolatedAppendDoesNotWaitForTheWindow(t *testing.T) {
	const sid = "15014ed0-0000-4000-8000-000000000001"
	path, c := oneSessionStream(t, sid, "/home/dev/iso", "1h")
	fixture.Append(t, path, fixture.Assistant(sid, "/home/dev/iso", "msg_1", "end_turn", time.Now()))
	c.Wait(t, 5*time.Second, "the isolated update", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.MessageCount == 2 }))
}

// oneSessionStream starts helmd with the given debounce over a root with
// one session, and returns its transcript and a stream past its init.
func oneSessionStream(t *testing.T, sid, cwd, debounce string) (string, *ssetest.Client) {
	t.Helper()
	root := t.TempDir()
	path := fixture.Path(root, cwd, sid)
	fixture.Append(t, path, fixture.User(sid, cwd, "start", time.Now()))
	srv := startHelmd(t, root, "--debounce", debounce)
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	c.Next(t, 5*time.Second)
	return path, c
}
