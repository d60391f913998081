package shared

import (
	"math"
	"testing"
)

func TestClockOff(t *testing.T) {
	for _, tc := range []struct {
		ms        int64
		span, way string
	}{
		{0, "", ""},
		{59_999, "", ""},
		{-59_999, "", ""},
		{60_000, "1 min", "ahead of"},
		{-600_000, "10 min", "behind"},
		{(2*60 + 5) * 60_000, "2 h 5 min", "ahead of"},
		{math.MinInt32, "24 d 20 h", "behind"}, // the most a session carries
	} {
		if span, way := ClockOff(tc.ms); span != tc.span || way != tc.way {
			t.Errorf("ClockOff(%d) = %q, %q; want %q, %q", tc.ms, span, way, tc.span, tc.way)
		}
	}
}
