package shared

import (
	"testing"
	"time"
)

func TestSpanText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0 s", 45 * time.Second: "45 s", 12 * time.Minute: "12 min", 3*time.Hour + 5*time.Minute: "3 h 5 min",
		3 * time.Hour: "3 h", 47*time.Hour + 59*time.Minute: "47 h 59 min", 52 * time.Hour: "2 d 4 h",
		// Whole units elapsed, never rounded up.
		59 * time.Second: "59 s", 60 * time.Second: "1 min", 119 * time.Second: "1 min", 120 * time.Second: "2 min",
		59*time.Minute + 59*time.Second: "59 min", time.Hour: "1 h", time.Hour + 59*time.Minute + 59*time.Second: "1 h 59 min",
	} {
		if got := SpanText(d); got != want {
			t.Errorf("SpanText(%v) = %q, want %q", d, got, want)
		}
	}
}
