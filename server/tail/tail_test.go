package tail

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// poked reports whether s has a poke pending, and takes it.
func poked(s *Sub) bool {
	select {
	case <-s.C:
		return true
	default:
		return false
	}
}

func TestChangedPokesFollowers(t *testing.T) {
	cases := []struct {
		name    string
		follow  []string
		changed []string
		want    bool
	}{
		{"the file itself", []string{"/r/projects/p/s.jsonl"}, []string{"/r/projects/p/s.jsonl"}, true},
		{"an unclean path", []string{"/r/projects/p/s.jsonl"}, []string{"/r/projects//p/./s.jsonl"}, true},
		{"another file in the folder", []string{"/r/projects/p/s.jsonl"}, []string{"/r/projects/p/t.jsonl"}, false},
		{"the folder of the file", []string{"/r/projects/p/s.jsonl"}, []string{"/r/projects/p"}, false},
		{"a file under a followed folder", []string{"/oc"}, []string{"/oc/storage/message/ses_1/msg_1.json"}, true},
		{"the WAL beside the database", []string{"/oc"}, []string{"/oc/opencode.db-wal"}, true},
		{"a sibling whose name extends the folder's", []string{"/oc"}, []string{"/oc2/opencode.db-wal"}, false},
		{"one of several paths", []string{"/a/x.jsonl", "/b"}, []string{"/c/y", "/b/z"}, true},
		{"nothing changed", []string{"/a/x.jsonl"}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := New(0)
			s, err := h.Subscribe(tc.follow...)
			if err != nil {
				t.Fatal(err)
			}
			h.Changed(tc.changed)
			if got := poked(s); got != tc.want {
				t.Errorf("poked %v, want %v", got, tc.want)
			}
			s.Close()
			h.Close()
		})
	}
}

// A burst of hints while a page is being read is one poke: the read
// that follows sees every change.
func TestPokesCoalesce(t *testing.T) {
	h := New(0)
	defer h.Close()
	s, _ := h.Subscribe("/a/x.jsonl")
	defer s.Close()
	for range 100 {
		h.Changed([]string{"/a/x.jsonl"})
	}
	if !poked(s) || poked(s) {
		t.Fatal("want exactly one pending poke after a burst")
	}
	h.Rescan("overflow")
	if !poked(s) {
		t.Fatal("a rescan does not poke")
	}
}

func TestCapAndClose(t *testing.T) {
	h := New(2)
	a, _ := h.Subscribe("/a")
	b, _ := h.Subscribe("/b")
	if _, err := h.Subscribe("/c"); !errors.Is(err, ErrFull) {
		t.Fatalf("third subscription: %v, want ErrFull", err)
	}
	a.Close()
	a.Close() // twice is harmless
	c, err := h.Subscribe("/c")
	if err != nil || h.Len() != 2 {
		t.Fatalf("after a close: %v, %d open", err, h.Len())
	}
	h.Changed([]string{"/a"})
	if poked(a) {
		t.Fatal("a closed subscription was poked")
	}

	// Close tells streams to end and returns once they have.
	var ended atomic.Bool
	closed := make(chan struct{})
	go func() {
		h.Close()
		if !ended.Load() {
			t.Error("Close returned while a stream was still open")
		}
		close(closed)
	}()
	for _, s := range []*Sub{b, c} {
		select {
		case <-s.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("Done not closed by Close")
		}
	}
	b.Close()
	ended.Store(true)
	c.Close()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return once every stream ended")
	}
	if _, err := h.Subscribe("/d"); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

// Hints from the watcher's goroutine, subscriptions and closes from
// handlers: run under -race.
func TestConcurrentUse(t *testing.T) {
	h := New(0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 2000 {
			h.Changed([]string{"/a/x.jsonl", "/b/y"})
		}
	}()
	for range 200 {
		s, err := h.Subscribe("/a/x.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		poked(s)
		s.Close()
	}
	<-done
	h.Close()
}

// BenchmarkChangedNoPages is what every watcher batch costs when no page
// is open: it must stay near nothing.
func BenchmarkChangedNoPages(b *testing.B) {
	h := New(0)
	defer h.Close()
	paths := []string{"/home/u/.claude/projects/-home-u-app/0f0e.jsonl"}
	for b.Loop() {
		h.Changed(paths)
	}
}

// BenchmarkChangedWithPages: a batch of one path with 64 pages open, each
// on its own transcript.
func BenchmarkChangedWithPages(b *testing.B) {
	h := New(0)
	defer h.Close()
	for i := range DefaultMax {
		s, _ := h.Subscribe("/home/u/.claude/projects/-home-u-app/" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".jsonl")
		defer s.Close()
	}
	paths := []string{"/home/u/.claude/projects/-home-u-app/aa.jsonl"}
	for b.Loop() {
		h.Changed(paths)
	}
}
