package fleet

import (
	"math"
	"testing"
	"time"
)

// A session carries its machine's offset in an int32 of ms: a clock
// further off than that holds (±24 days) is told as that far, never as
// an offset wrapped round to another.
func TestClockMsSaturates(t *testing.T) {
	for d, want := range map[time.Duration]int32{
		-10 * time.Minute:            -600_000,
		90 * time.Second:             90_000,
		30 * 24 * time.Hour:          math.MaxInt32,
		-30 * 24 * time.Hour:         math.MinInt32,
		time.Duration(math.MaxInt64): math.MaxInt32,
	} {
		if got := clockMs(d); got != want {
			t.Errorf("clockMs(%v) = %d, want %d", d, got, want)
		}
	}
}
