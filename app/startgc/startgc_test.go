package startgc

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// gogcSample is read again and again by waitGOGC: allocated once, so
// that the wait does not fill the heap and end the start itself.
var gogcSample = []metrics.Sample{{Name: "/gc/gogc:percent"}}

// gogc is the collector's current GOGC, read without changing it.
func gogc() int64 {
	metrics.Read(gogcSample)
	return int64(gogcSample[0].Value.Uint64())
}

// collections is how many collections have run.
func collections() uint32 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.NumGC
}

// fresh resets the package and GOGC for one test, and restores both after.
func fresh(t *testing.T, gc int, late time.Duration) {
	t.Helper()
	mu.Lock()
	current = nil
	mu.Unlock()
	prev := debug.SetGCPercent(gc)
	prevLatest := latest
	latest = late
	t.Cleanup(func() {
		End()
		latest = prevLatest
		debug.SetGCPercent(prev)
	})
}

// waitGOGC waits until GOGC is want: the first collection and the
// fallback timer end the start on goroutines of their own.
func waitGOGC(t *testing.T, want int64, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for gogc() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: GOGC is %d, want %d", what, gogc(), want)
		}
		runtime.Gosched()
	}
}

func TestTheStartEndsWhenThePageSaysSo(t *testing.T) {
	fresh(t, 150, time.Hour)
	End() // before Begin: nothing to end
	if got := gogc(); got != 150 {
		t.Fatalf("End before Begin set GOGC to %d", got)
	}
	Begin()
	if got := gogc(); got != startPercent {
		t.Fatalf("during the start GOGC is %d, want %d", got, startPercent)
	}
	Begin() // a second Begin neither stacks nor forgets the first value
	End()
	if got := gogc(); got != 150 {
		t.Fatalf("after the start GOGC is %d, want the 150 it was before", got)
	}
	debug.SetGCPercent(120) // the page's own later choice
	End()
	if got := gogc(); got != 120 {
		t.Fatalf("a second End changed GOGC to %d", got)
	}
}

func TestTheFirstCollectionEndsTheStart(t *testing.T) {
	fresh(t, 100, time.Hour)
	Begin()
	if got := gogc(); got != startPercent {
		t.Fatalf("during the start GOGC is %d, want %d", got, startPercent)
	}
	// A list so large that the start's goal did not hold it: from its
	// first collection on, the heap is paced as usual.
	runtime.GC()
	waitGOGC(t, 100, "after the first collection")
}

func TestAPageThatNeverSaysEndsLater(t *testing.T) {
	fresh(t, 100, time.Millisecond)
	before := collections()
	Begin()
	waitGOGC(t, 100, "after the latest end")
	if n := collections(); n != before {
		t.Fatalf("%d collections ran meanwhile: the timer's end cannot be told from theirs", n-before)
	}
}
