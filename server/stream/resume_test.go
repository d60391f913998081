package stream

import (
	"net/url"
	"strconv"
	"sync"
	"testing"

	"vibecraft.sh/helm/shared"
)

// publishN publishes updates first..first+n-1 of session "s<i>", each with
// UpdatedAt i, so event seq i carries UpdatedAt i when seqs start at 1.
func publishN(h *Hub, first, n int) {
	for i := first; i < first+n; i++ {
		h.Publish(shared.EventSessionUpdated, []shared.Session{sess("s"+strconv.Itoa(i), shared.SourceClaude, int64(i))})
	}
}

// expectSeqs reads events and requires seqs from..to, each once, in order.
func expectSeqs(t *testing.T, c *sseClient, epoch string, from, to uint64) {
	t.Helper()
	for want := from; want <= to; want++ {
		f := c.event(t)
		if got := f.seq(t, epoch); got != want {
			t.Fatalf("got event %d, want %d (a gap or a duplicate)", got, want)
		}
		if ev := f.decode(t); f.Event != "session-updated" || len(ev.Sessions) != 1 || ev.Sessions[0].UpdatedAt != int64(want) {
			t.Fatalf("event %d is %s with %+v", want, f.Event, ev.Sessions)
		}
	}
}

func TestResumeReplaysWhatWasMissed(t *testing.T) {
	for _, how := range []string{"header", "query"} {
		t.Run(how, func(t *testing.T) {
			r := newRig(t, Options{})
			publishN(r.hub, 1, 10)
			epoch := r.hub.Epoch()
			var c *sseClient
			if how == "header" {
				c = r.connect(t, "/all", epoch+"-4")
			} else {
				c = r.connect(t, "/all?lastEventId="+url.QueryEscape(epoch+"-4"), "")
			}
			if f := c.next(t); f.Retry != "3000" {
				t.Fatalf("want retry first, got %+v", f)
			}
			expectSeqs(t, c, epoch, 5, 10)
			publishN(r.hub, 11, 2)
			expectSeqs(t, c, epoch, 11, 12)
			if st := r.hub.Stats(); st.Resumed != 1 || st.Inits != 0 {
				t.Errorf("stats: %+v", st)
			}
		})
	}
}

// TestResumeSeam publishes while clients resume: whatever the interleaving,
// each must see every seq after its cursor exactly once, in order.
func TestResumeSeam(t *testing.T) {
	r := newRig(t, Options{})
	publishN(r.hub, 1, 10)
	epoch := r.hub.Epoch()
	const rounds, perRound = 10, 30
	next := 11
	for round := range rounds {
		cursor := next - 1 - round%5 // sometimes nothing missed, sometimes a few
		var wg sync.WaitGroup
		wg.Add(1)
		go func(first int) {
			defer wg.Done()
			publishN(r.hub, first, perRound)
		}(next)
		c := r.connect(t, "/all", epoch+"-"+strconv.Itoa(cursor))
		if f := c.next(t); f.Retry != "3000" {
			t.Fatalf("want retry first, got %+v", f)
		}
		wg.Wait()
		next += perRound
		expectSeqs(t, c, epoch, uint64(cursor+1), uint64(next-1))
		c.close()
	}
}

func TestResumeFallsBackToInit(t *testing.T) {
	other := NewHub(Options{})
	defer other.Close()
	// The history holds 7..10 of 10 events: cursors 6..10 resume.
	tests := []struct {
		name    string
		id      func(epoch string) string
		resumes bool
	}{
		{"oldest resumable", func(e string) string { return e + "-6" }, true},
		{"up to date", func(e string) string { return e + "-10" }, true},
		{"too old", func(e string) string { return e + "-5" }, false},
		{"zero after eviction", func(e string) string { return e + "-0" }, false},
		{"in the future", func(e string) string { return e + "-11" }, false},
		{"other epoch", func(string) string { return other.Epoch() + "-8" }, false},
		{"unknown", func(string) string { return "abc" }, false},
		{"leading zero", func(e string) string { return e + "-08" }, false},
		{"empty epoch", func(string) string { return "-8" }, false},
		{"overflow", func(e string) string { return e + "-18446744073709551616" }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, Options{HistoryCount: 4})
			publishN(r.hub, 1, 10)
			epoch := r.hub.Epoch()
			id := tc.id(epoch)
			c := r.connect(t, "/all", id)
			if f := c.next(t); f.Retry != "3000" {
				t.Fatalf("want retry first, got %+v", f)
			}
			if !tc.resumes {
				f := c.event(t)
				if f.Event != "init" || f.ID != epoch+"-10" || len(f.decode(t).Sessions) != 10 {
					t.Fatalf("want a fresh init at seq 10, got %s %s", f.Event, f.ID)
				}
			} else {
				_, seq, _ := ParseEventID(id)
				expectSeqs(t, c, epoch, seq+1, 10)
			}
			// Either way the stream then goes on live, from the next event.
			publishN(r.hub, 11, 1)
			expectSeqs(t, c, epoch, 11, 11)
			if st := r.hub.Stats(); st.Resumed+st.Inits != 1 || (st.Resumed == 1) != tc.resumes {
				t.Errorf("stats: %+v", st)
			}
		})
	}
}

// A new hub (a restarted server) must not trust ids of the old one, even
// though its own seqs cover the same numbers.
func TestNewEpochAfterRestart(t *testing.T) {
	old := NewHub(Options{})
	publishN(old, 1, 3)
	old.Close()
	r := newRig(t, Options{})
	publishN(r.hub, 1, 5)
	c := r.connect(t, "/all", old.Epoch()+"-3")
	if f := c.opening(t); f.Event != "init" || f.ID != r.hub.Epoch()+"-5" {
		t.Fatalf("want init of the new epoch, got %+v", f)
	}
}
