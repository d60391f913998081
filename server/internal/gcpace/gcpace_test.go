package gcpace

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// retunedNow is the limit the pacer sets from the heap as it is now. Its
// cleanup runs on another goroutine after a collection, and reads the
// heap when it runs: the one pending as this is called may have followed
// a collection from before (one during an allocation, or one that
// waitRetuned forced), and set the limit from that heap. The second
// retune from now follows a collection after it.
func retunedNow(t *testing.T, p *Pacer) int64 {
	t.Helper()
	_, runs := p.Limit()
	waitRetuned(t, p, runs)
	_, runs = p.Limit()
	return waitRetuned(t, p, runs)
}

// waitRetuned waits until the pacer has set its limit more than runs
// times, forcing collections meanwhile.
func waitRetuned(t *testing.T, p *Pacer, runs int) int64 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		limit, n := p.Limit()
		if n > runs {
			return limit
		}
		if time.Now().After(deadline) {
			t.Fatalf("the limit was not set again after a collection (%d runs)", n)
		}
		runtime.GC()
		runtime.Gosched()
	}
}

func TestUsersSettingsStand(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		p := Start(func(k string) string {
			if k == env {
				return "200"
			}
			return ""
		})
		if p != nil {
			p.Stop()
			t.Errorf("with %s set, Start took over the collector", env)
		}
	}
}

var retained [][]byte

func TestLimitFollowsTheLiveHeap(t *testing.T) {
	p := Start(func(string) string { return "" })
	defer p.Stop()
	// GOGC off is what stops the runtime's two-minute collection.
	if old := debug.SetGCPercent(-1); old != -1 {
		t.Fatalf("GOGC is %d under the pacer, want off", old)
	}
	small := retunedNow(t, p)

	const grown = 128 << 20
	for range grown >> 20 {
		retained = append(retained, make([]byte, 1<<20))
	}
	big := retunedNow(t, p)
	// small allowed MinHeap of growth; big allows as much again as is live.
	if want := small - MinHeap + 2*grown; big < want-(8<<20) {
		t.Errorf("limit %d MB after the live heap grew by %d MB, from %d MB: want about %d MB", big>>20, grown>>20, small>>20, want>>20)
	}

	retained = nil
	if shrunk := retunedNow(t, p); shrunk > big-grown {
		t.Errorf("limit %d MB once %d MB was let go, was %d MB", shrunk>>20, grown>>20, big>>20)
	}
}

var sink []byte

func TestAllocatingStillCollects(t *testing.T) {
	p := Start(func(string) string { return "" })
	defer p.Stop()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak uint64
	for i := range 4096 { // 1 GB of garbage, 256 KB at a time
		sink = make([]byte, 256<<10)
		if i%64 == 0 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	runtime.ReadMemStats(&after)
	if after.NumGC == before.NumGC {
		t.Fatal("1 GB allocated and no collection: the heap would grow without end")
	}
	// The limit is soft, and was lower at times than it is now: bounded
	// is what matters, far below what was allocated.
	if peak > 256<<20 {
		t.Errorf("heap in use reached %d MB for 256 KB held at a time", peak>>20)
	}
}

// The garbage of a burst too small to reach the limit is collected once
// things are quiet, not kept until the next burst.
func TestQuietGarbageIsCollected(t *testing.T) {
	p := start(func(string) string { return "" }, 50*time.Millisecond)
	defer p.Stop()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.NumGC
	for range 8 { // 8 MB, below the limit's MinHeap of headroom
		sink = make([]byte, 1<<20)
	}
	sink = nil
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.ReadMemStats(&ms)
		if ms.NumGC > before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("8 MB of garbage left uncollected once allocation stopped")
		}
		runtime.Gosched()
	}
}

// Memory let go without new allocation (work in progress finished) is
// found too: a collection that was not the pacer's own is followed by
// one of its own.
func TestACollectionIsFollowedByASettlingOne(t *testing.T) {
	p := start(func(string) string { return "" }, 50*time.Millisecond)
	defer p.Stop()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.NumGC
	runtime.GC()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.ReadMemStats(&ms)
		if ms.NumGC >= before+2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d collections after one by hand, want the pacer's own after it", ms.NumGC-before)
		}
		runtime.Gosched()
	}
}

func TestStopRestoresTheDefaults(t *testing.T) {
	p := Start(func(string) string { return "" })
	p.Stop()
	if old := debug.SetGCPercent(100); old != 100 {
		t.Errorf("GOGC %d after Stop, want 100", old)
	}
	if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
		t.Errorf("memory limit %d after Stop, want none", limit)
	}
}

// Under Hold, garbage is collected once it reaches the headroom, not once
// it equals the live heap (a refresh's 170 MB over a live heap of 230 MB
// raised RSS by all of it); released, the limit follows the live heap
// again.
func TestHoldBoundsTheHeap(t *testing.T) {
	p := Start(func(string) string { return "" })
	defer p.Stop()
	const live = 96 << 20
	for range live >> 20 {
		retained = append(retained, make([]byte, 1<<20))
	}
	defer func() { retained = nil }()
	before := retunedNow(t, p)

	release := Hold(10)
	if held, _ := p.Limit(); held > before-live/2 {
		t.Fatalf("limit %d MB under Hold, was %d MB over %d MB live: not lowered", held>>20, before>>20, live>>20)
	}
	peak := garbagePeak(2048) // 512 MB
	// The limit is soft, and counts the runtime's own memory besides the
	// heap: bounded well below twice live.
	if peak > live*3/2 {
		t.Errorf("heap in use reached %d MB under Hold(10) over %d MB live", peak>>20, live>>20)
	}
	release()
	release() // a second call does nothing
	if after, _ := p.Limit(); after < 2*live {
		t.Errorf("limit %d MB once released, want at least twice the %d MB live", after>>20, live>>20)
	}
}

func TestHoldWithoutPacerDoesNothing(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	release := Hold(10)
	if now := debug.SetMemoryLimit(-1); now != before {
		t.Errorf("Hold without a pacer set the limit to %d, was %d", now, before)
	}
	release()
}

// Grow bounds the garbage to a share of the live heap as the heap is
// built: the limit rises with what is live, and stays well under twice it.
func TestGrowBoundsAGrowingHeap(t *testing.T) {
	p := Start(func(string) string { return "" })
	defer p.Stop()
	defer func() { retained = nil }()
	release := Grow(25)
	var limits []int64
	for _, live := range []int{64 << 20, 128 << 20} {
		for len(retained) < live>>20 {
			retained = append(retained, make([]byte, 1<<20))
		}
		limit := retunedNow(t, p)
		limits = append(limits, limit)
		if limit > int64(live)*8/5 {
			t.Errorf("limit %d MB under Grow(25) over %d MB live, want about %d MB", limit>>20, live>>20, live*5/4>>20)
		}
		peak := garbagePeak(1024) // 256 MB
		if peak > uint64(live)*8/5 {
			t.Errorf("heap in use reached %d MB under Grow(25) over %d MB live", peak>>20, live>>20)
		}
	}
	if limits[1] < limits[0]+48<<20 {
		t.Errorf("limit %d MB with twice the live heap, was %d MB: it did not rise with the heap", limits[1]>>20, limits[0]>>20)
	}
	release()
	release() // a second call does nothing
	if after, _ := p.Limit(); after < 2*128<<20 {
		t.Errorf("limit %d MB once released, want at least twice the 128 MB live", after>>20)
	}
}

func TestGrowWithoutPacerDoesNothing(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	release := Grow(10)
	if now := debug.SetMemoryLimit(-1); now != before {
		t.Errorf("Grow without a pacer set the limit to %d, was %d", now, before)
	}
	release()
}

// garbagePeak makes n pieces of garbage of 256 KB each and returns the
// most heap in use seen meanwhile.
func garbagePeak(n int) uint64 {
	var peak uint64
	for i := range n {
		sink = make([]byte, 256<<10)
		if i%16 == 0 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	sink = nil
	return peak
}
