package live

import (
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"vibecraft.sh/helm/server/attn"
	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/shared"
)

// TestSignalBypassesTheDebounce: a session just published (so inside its
// debounce window of an hour) still gets a hook's hint out at once, and
// a clear too; a later source report keeps both while it has no newer
// evidence.
func TestSignalBypassesTheDebounce(t *testing.T) {
	src := newSource()
	src.set("a", 1)
	l, rec := start(t, src, Options{Debounce: time.Hour})
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	src.set("a", 2)
	l.Changed([]string{"a"})
	rec.waitFor(t, "the first change, at once", func(ev []published) bool { return len(ev) == 2 })

	l.Signal(attn.Hint{Source: shared.SourceClaude, ID: "a", Event: "PermissionRequest", Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true})
	ev := rec.waitFor(t, "the hint, inside the debounce window", func(ev []published) bool { return len(ev) == 3 })
	if s := ev[2].sessions[0]; ev[2].t != shared.EventSessionUpdated || s.Status != shared.StatusWaiting || s.WaitingFor != "permission: Bash" {
		t.Fatalf("hint published as %s %+v", ev[2].t, s)
	}
	l.Clear(shared.SourceClaude, "a", 0)
	ev = rec.waitFor(t, "the clear", func(ev []published) bool { return len(ev) == 4 })
	if s := ev[3].sessions[0]; s.ClearedAt == 0 || s.WaitingFor != "permission: Bash" {
		t.Fatalf("clear published as %+v", s)
	}
}

// BenchmarkSignalToPublish measures a hook's hint from Signal to the
// publisher, through Run's goroutine: the server's share of the ≤ 50 ms
// from hook to stream.
func BenchmarkSignalToPublish(b *testing.B) {
	src := newSource()
	src.set("a", 1)
	rec := newRecorder()
	rec.notify = make(chan struct{}, 1)
	l := New(index.New(), rec, []Source{src}, Options{Debounce: time.Hour, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx := b.Context()
	go func() { _ = l.Run(ctx) }()
	<-rec.notify // the first scan
	statuses := []shared.Status{shared.StatusWaiting, shared.StatusWorking}
	b.ResetTimer()
	for i := range b.N {
		l.Signal(attn.Hint{Source: shared.SourceClaude, ID: "a", Status: statuses[i%2], Active: true, At: time.Now()})
		<-rec.notify
	}
}

// TestSignalInboxIsBounded: when Run is not taking signals, the inbox
// stops at maxSignals and counts what it refused; Signal never blocks.
func TestSignalInboxIsBounded(t *testing.T) {
	l := New(index.New(), newRecorder(), nil, Options{})
	for range maxSignals + 76 {
		l.Signal(attn.Hint{Source: shared.SourceClaude, ID: "a", Status: shared.StatusWaiting})
	}
	for range 4 {
		l.Clear(shared.SourceClaude, "a", 0)
	}
	if got := l.Stats().SignalsDropped; got != 76 {
		t.Errorf("dropped %d, want 76", got)
	}
}

// TestEvictedHintShowsTheSourceAgain: past the overlay's bound of 4,096
// hints the oldest goes, and its session is published as its source
// reports it, not left showing the evicted wait with nothing to end it.
func TestEvictedHintShowsTheSourceAgain(t *testing.T) {
	const n = 4096 + 1
	src := newSource()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "s" + strconv.Itoa(i)
		src.set(ids[i], 1)
	}
	l, rec := start(t, src, Options{Debounce: time.Hour})
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	key := func(id string) string { return string(shared.SourceClaude) + ":" + id }
	waiting := func(id string) func([]published) bool {
		return func([]published) bool { s, _ := rec.Lookup(key(id)); return s.Status == shared.StatusWaiting }
	}
	at := time.Now()
	for from := 0; from < n; from += maxSignals { // the inbox holds maxSignals
		to := min(from+maxSignals, n)
		for i := from; i < to; i++ {
			l.Signal(attn.Hint{Source: shared.SourceClaude, ID: ids[i], Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true, At: at.Add(time.Duration(i) * time.Microsecond)})
		}
		rec.waitFor(t, "hint "+ids[to-1], waiting(ids[to-1])) // Run takes them in order
	}
	if s, _ := rec.Lookup(key(ids[0])); s.Status != "" || s.WaitingFor != "" || s.MessageCount != 1 {
		t.Errorf("after its hint was evicted %s is published as %s %q, want its source's report", ids[0], s.Status, s.WaitingFor)
	}
	if s, _ := rec.Lookup(key(ids[1])); s.Status != shared.StatusWaiting {
		t.Errorf("%s lost its hint: %+v", ids[1], s)
	}
}

// A session whose transcript goes while its deletion is held by the
// debounce window, and whose hint expires meanwhile, is published as
// deleted: the expiry does not bring back what its source last reported.
func TestExpiredHintOfADeletedSessionStaysDeleted(t *testing.T) {
	src := newSource()
	src.set("a", 1)
	src.set("b", 1)
	l, rec := start(t, src, Options{Tick: time.Hour, Debounce: 400 * time.Millisecond, Attention: attn.NewOverlay(50*time.Millisecond, nil)})
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	key := string(shared.SourceClaude) + ":a"
	l.Signal(attn.Hint{Source: shared.SourceClaude, ID: "a", Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true})
	rec.waitFor(t, "the hint", func([]published) bool { s, _ := rec.Lookup(key); return s.Status == shared.StatusWaiting })
	src.remove("a")
	l.Changed([]string{"a"})
	rec.waitFor(t, "a deleted", func([]published) bool { _, ok := rec.Lookup(key); return !ok })
	for _, ev := range rec.snapshot()[2:] {
		if ev.t != shared.EventSessionDeleted {
			t.Errorf("after the hint, %s %+v; want only the deletion", ev.t, ev.sessions)
		}
	}
}

// TestClearOfAnotherWaitIsDropped: a clear names the wait its user saw;
// applied after the session began another (the request checked against
// the list just before), it leaves the session in "Needs you".
func TestClearOfAnotherWaitIsDropped(t *testing.T) {
	src := newSource()
	src.set("a", 1)
	src.set("b", 1)
	l, rec := start(t, src, Options{Debounce: time.Hour})
	rec.waitFor(t, "the first scan's refresh", func(ev []published) bool { return len(ev) == 1 })
	at := time.Now()
	l.Signal(attn.Hint{Source: shared.SourceClaude, ID: "a", Event: "PermissionRequest", Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true, At: at})
	rec.waitFor(t, "a's wait", func(ev []published) bool { s, _ := rec.Lookup("claude:a"); return s.Status == shared.StatusWaiting })

	l.Clear(shared.SourceClaude, "a", at.UnixMilli()-5000) // the wait before this one
	// b's hint goes after the clear: once it is out, so is what the clear did.
	l.Signal(attn.Hint{Source: shared.SourceClaude, ID: "b", Event: "Stop", Status: shared.StatusWaiting, WaitingFor: "input needed", Active: true, At: at})
	rec.waitFor(t, "b's wait", func(ev []published) bool { s, _ := rec.Lookup("claude:b"); return s.Status == shared.StatusWaiting })
	if s, _ := rec.Lookup("claude:a"); s.ClearedAt != 0 {
		t.Fatalf("a clear of the wait before cleared this one: clearedAt %d", s.ClearedAt)
	}

	l.Clear(shared.SourceClaude, "a", at.UnixMilli())
	rec.waitFor(t, "the clear of the wait shown", func(ev []published) bool { s, _ := rec.Lookup("claude:a"); return s.ClearedAt > 0 })
}
