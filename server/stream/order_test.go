package stream

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"unsafe"

	"vibecraft.sh/helm/shared"
)

// TestHubOrderFollowsChanges publishes random creations, updates,
// deletions and refreshes, and checks after each that the hub's state is
// what a map of the events would hold, sorted as the list is: the order
// kept one change at a time is the order a full sort would give. A
// state handed to a reader before a change, for good or lent and not yet
// given back, must not move under it. Changes are made in place, or wait
// for a merge (cheapShift lowered: all of them, or all but the smallest
// moves; with more sessions, so that the wait overflows mid-event).
func TestHubOrderFollowsChanges(t *testing.T) {
	// Each step checks the whole list, and under -race the 400 ids' 3,000
	// steps took 13 s of make test's critical path, the default's 3,000 a
	// third of the test's 8 CPU-s: 1,000 steps each, 600 for the 400 ids.
	// Deliberate bugs in order.go (a change in place to a lent list, a
	// change to a waiting session dropped, a merge misplacing or keeping
	// a removed one) failed every case they reach by step 400, most by
	// step 25.
	for _, c := range []struct{ cheap, ids, steps int }{{cheapShift, 60, 1000}, {4, 60, 1000}, {0, 60, 1000}, {2, 400, 600}} {
		t.Run(fmt.Sprintf("cheapShift=%d,ids=%d", c.cheap, c.ids), func(t *testing.T) {
			// Each case has its own hub and generator, and the test is the
			// package's longest: on a free core they overlap.
			t.Parallel()
			testHubOrder(t, c.cheap, c.ids, c.steps)
		})
	}
}

func testHubOrder(t *testing.T, cheap, ids, steps int) {
	h := NewHub(Options{})
	defer h.Close()
	h.cheapShift = cheap
	r := rand.New(rand.NewPCG(7, 9))
	want := map[string]shared.Session{}
	session := func() shared.Session {
		s := shared.Session{ID: "s" + strconv.Itoa(r.IntN(ids)), Source: shared.SourceClaude,
			UpdatedAt: int64(r.IntN(20)), Title: strconv.Itoa(r.IntN(1000))}
		if r.IntN(5) == 0 {
			s.Source = shared.SourceOpenCode
		}
		if r.IntN(7) == 0 {
			s.Remote, s.Host = true, "h"+strconv.Itoa(r.IntN(2))
			// Its machine's clock, which the order counts (ListTime),
			// and which may change alone.
			s.HostClockAheadMs = int32(r.IntN(3)-1) * 7
		}
		return s
	}
	for step := range steps {
		h.mu.Lock()
		lent, release := h.lendLocked()
		if step%2 == 0 {
			release = noRelease // never given back: the list is lent for good
		}
		before := slices.Clone(lent)
		h.mu.Unlock()
		if step%4 == 3 {
			release() // given back before the change: no longer checked
			lent, before = nil, nil
		}

		// Small events are made a session at a time, large ones
		// (manyAtOnce and more) merged in one pass, or a session at a time
		// when they move few (then, with cheapShift lowered and enough
		// sessions, past the wait's bound of 64): all are checked.
		n := 1 + r.IntN(3)
		if r.IntN(3) == 0 {
			n = manyAtOnce + r.IntN(ids/4)
		}
		var batch []shared.Session
		for range n {
			batch = append(batch, session())
		}
		switch op := r.IntN(20); {
		case op == 0:
			clear(want)
			for _, s := range batch {
				want[s.Key()] = s
			}
			h.Publish(shared.EventRefresh, batch)
		case op < 6:
			for i, s := range batch {
				if old, ok := want[s.Key()]; ok {
					batch[i] = old // deleted: the last known state
				}
				delete(want, s.Key())
			}
			h.Publish(shared.EventSessionDeleted, batch)
		default:
			for _, s := range batch {
				want[s.Key()] = s
			}
			h.Publish(shared.EventSessionUpdated, batch)
		}

		if !slices.Equal(lent, before) {
			t.Fatalf("step %d: a state handed out before the change was modified", step)
		}
		release()
		sorted := make([]shared.Session, 0, len(want))
		for _, s := range want {
			sorted = append(sorted, s)
		}
		shared.SortNewestFirst(sorted)
		// Lookups first: they see the changes still waiting for a merge,
		// which Snapshot makes.
		for k, s := range want {
			if got, ok := h.Lookup(k); !ok || got != s {
				t.Fatalf("step %d: Lookup(%q) = %v, %v; want %v", step, k, got, ok, s)
			}
		}
		if _, ok := h.Lookup("claude:absent"); ok {
			t.Fatalf("step %d: Lookup of an absent key found one", step)
		}
		// The count too, before Snapshot merges what waits.
		if n := h.Stats().Sessions; n != len(want) {
			t.Fatalf("step %d: Stats().Sessions = %d, want %d", step, n, len(want))
		}
		if got := h.Snapshot(); !slices.Equal(got, sorted) {
			t.Fatalf("step %d: state\n%v\nwant\n%v", step, got, sorted)
		}
	}
}

// BenchmarkHubUpdate100k is the cost of one change to a published state
// of 100,000 sessions, the session changed being a recent one becoming
// the newest (the usual change), with the state read (a stream's init, a
// list request) after every change or after every hundredth.
func BenchmarkHubUpdate100k(b *testing.B) {
	for _, every := range []int{1, 100} {
		b.Run("read-every-"+strconv.Itoa(every), func(b *testing.B) {
			benchChanges(b, func(h *Hub, _ *view, i int) {
				if i%every == 0 {
					h.mu.Lock()
					h.lendLocked() // a reader that never gives it back
					h.mu.Unlock()
				}
			})
		})
	}
	// A reader done before the next change (a list request, a stream's
	// init): its loan given back, the change works in place.
	b.Run("read-released-every-1", func(b *testing.B) {
		benchChanges(b, func(_ *Hub, v *view, _ int) {
			_, _, _, release, _ := v.StateAt("")
			release()
		})
	})
}

// benchChanges publishes 100,000 sessions, then one change per round,
// calling read after each.
func benchChanges(b *testing.B, read func(h *Hub, v *view, round int)) {
	const n = 100_000
	h, v, all := publishedHub(b, n)
	at := all[n-1].UpdatedAt
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s := all[n-1-i%50]
		at++
		s.UpdatedAt = at
		h.Publish(shared.EventSessionUpdated, []shared.Session{s})
		read(h, v, i)
	}
}

// publishedHub is a hub that has published n realistic sessions, with
// its unfiltered view; closed when tb ends.
func publishedHub(tb testing.TB, n int) (*Hub, *view, []shared.Session) {
	h := NewHub(Options{})
	tb.Cleanup(h.Close)
	all := realisticList(n)
	h.Publish(shared.EventRefresh, all)
	return h, h.Handler(nil).(*view), all
}

// TestReleasedListIsNotCopied: a change after a reader has given the
// list back (a list request written, a stream's init encoded) updates it
// in place; while a reader holds it, the change works on a copy.
func TestReleasedListIsNotCopied(t *testing.T) {
	const n = 1_000 // a copy: 300 KB, beside the few KB a change allocates; 10,000 cost 2 CPU-s under -race
	h, v, all := publishedHub(t, n)
	at := all[n-1].UpdatedAt
	change := func() uint64 {
		at++
		s := all[n-1]
		s.UpdatedAt = at
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		h.Publish(shared.EventSessionUpdated, []shared.Session{s})
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc
	}
	held, _, _, release, err := v.StateAt("")
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(held)
	copyBytes := uint64(n) * uint64(unsafe.Sizeof(shared.Session{}))
	if got := change(); got < copyBytes/2 {
		t.Errorf("a change while the list is held allocated %d bytes: no copy of it (%d bytes)?", got, copyBytes)
	}
	if !slices.Equal(held, before) {
		t.Fatal("the held list was modified")
	}
	release()
	_, _, _, release, _ = v.StateAt("")
	release()
	if got := change(); got > copyBytes/4 {
		t.Errorf("a change after the list was given back allocated %d bytes, want no copy", got)
	}
	if got := h.Snapshot(); got[0].UpdatedAt != at {
		t.Errorf("newest after the change: %+v, want the session changed at %d", got[0], at)
	}
	// A full-list view (the original Helm's stream) encodes a frame for
	// every change: once encoded, the list is given back too.
	full := h.FullListHandler(claudeOnly, nil).(*view)
	if _, _, err := full.fullFrame(shared.EventRefresh); err != nil {
		t.Fatal(err)
	}
	if got := change(); got > copyBytes/4 {
		t.Errorf("a change after a full-list frame allocated %d bytes, want no copy", got)
	}
}

// TestUnsentRefresh: a refresh too large for the history, published with
// no client connected, is not encoded; the state is still replaced, a
// later client gets it as init, and a cursor from before it no longer
// resumes (the history could not have held the refresh). With a client
// connected, the same refresh reaches it (long_test.go checks its bytes).
func TestUnsentRefresh(t *testing.T) {
	h := NewHub(Options{HistoryBytes: 4096})
	defer h.Close()
	v := h.Handler(nil).(*view)
	publishN(h, 0, 3)
	before := formatEventID(v.epoch, 2)
	all := realisticList(100)
	h.Publish(shared.EventRefresh, all)
	if st := h.Stats(); st.Published != 4 || st.HistoryEvents != 0 || st.Sessions != len(all) {
		t.Fatalf("after the refresh: published %d, history %d events, %d sessions; want 4, 0, %d",
			st.Published, st.HistoryEvents, st.Sessions, len(all))
	}
	c, st, err := h.subscribe(v, before)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(all)
	shared.SortNewestFirst(want)
	if st.resumed || !slices.Equal(st.state, want) {
		t.Fatalf("a cursor from before the refresh: resumed %v, %d sessions; want init with the %d of the refresh",
			st.resumed, len(st.state), len(want))
	}
	h.Publish(shared.EventRefresh, all[:60])
	recs := c.take(nil)
	if len(recs) != 1 || recs[0].typ != shared.EventRefresh || len(recs[0].sessions) != 60 {
		t.Fatalf("a connected client got %d records; want the refresh", len(recs))
	}
}

// BenchmarkMachineArrives is a fleet hub holding 40,000 sessions taking
// a machine's 20,000, in batches of 500 as its view reports them, their
// times among the others': one op is the whole machine. Put one at a
// time, each moved the sessions after its place (400 bytes each), a cost
// that grows with the square of the list.
func BenchmarkMachineArrives(b *testing.B) {
	const held, arriving, batch = 40_000, 20_000, 500
	all := realisticList(held)
	r := rand.New(rand.NewPCG(1, 2))
	lo, hi := all[0].UpdatedAt, all[0].UpdatedAt
	for _, s := range all {
		lo, hi = min(lo, s.UpdatedAt), max(hi, s.UpdatedAt)
	}
	machine := make([]shared.Session, arriving)
	for i := range machine {
		s := all[r.IntN(held)]
		s.ID, s.Host, s.Remote = "remote-"+strconv.Itoa(i), "m1", true
		s.UpdatedAt = lo + r.Int64N(hi-lo+1)
		machine[i] = s
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		h := NewHub(Options{})
		h.Publish(shared.EventRefresh, slices.Clone(all))
		b.StartTimer()
		for i := 0; i < arriving; i += batch {
			h.Publish(shared.EventSessionCreated, machine[i:i+batch])
		}
		b.StopTimer()
		h.Close()
		b.StartTimer()
	}
}
