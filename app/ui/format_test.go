package ui

import (
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

func TestRelTime(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) int64 { return now.Add(-d).UnixMilli() }
	tests := []struct {
		ms   int64
		want string
	}{
		{0, "unknown"},
		{ago(-10 * time.Second), "just now"}, // a clock slightly ahead
		{ago(10 * time.Second), "just now"},
		// Whole minutes elapsed, never rounded up (elapsedText).
		{ago(54 * time.Second), "just now"},
		{ago(59 * time.Second), "just now"},
		{ago(60 * time.Second), "1 min ago"},
		{ago(96 * time.Second), "1 min ago"},
		{ago(99 * time.Second), "1 min ago"},
		{ago(119 * time.Second), "1 min ago"},
		{ago(120 * time.Second), "2 min ago"},
		{ago(5 * time.Minute), "5 min ago"},
		{ago(59 * time.Minute), "59 min ago"},
		{ago(59*time.Minute + 59*time.Second), "59 min ago"},
		{ago(time.Hour), "1 h ago"},
		{ago(time.Hour + 59*time.Minute + 59*time.Second), "1 h ago"},
		{ago(3*time.Hour + 40*time.Minute), "3 h ago"},
		{ago(23*time.Hour + 59*time.Minute + 59*time.Second), "23 h ago"},
		{ago(24 * time.Hour), "yesterday"},
		{ago(30 * time.Hour), "yesterday"},
		{ago(4 * 24 * time.Hour), "4 days ago"},
		{time.Date(2026, 1, 2, 12, 0, 0, 0, time.Local).UnixMilli(), "Jan 2"},
		{time.Date(2024, 1, 2, 12, 0, 0, 0, time.Local).UnixMilli(), "Jan 2, 2024"},
	}
	for _, tc := range tests {
		if got := relTime(now, tc.ms); got != tc.want {
			t.Errorf("relTime(%d) = %q, want %q", tc.ms, got, tc.want)
		}
	}
}

// The list's "N min ago", a waiting session's "waiting N min" and the
// session header's "for N min" count the same span the same way: two
// times seconds apart on one screen never read a minute apart the wrong
// way round (96 s read "waiting 1 min", 99 s "2 min ago").
func TestElapsedTimesAgree(t *testing.T) {
	for _, tc := range []struct {
		d           time.Duration
		ago, waited string
	}{
		{0, "just now", "waiting <1 min"},
		{59 * time.Second, "just now", "waiting <1 min"},
		{60 * time.Second, "1 min ago", "waiting 1 min"},
		{96 * time.Second, "1 min ago", "waiting 1 min"},
		{99 * time.Second, "1 min ago", "waiting 1 min"},
		{119 * time.Second, "1 min ago", "waiting 1 min"},
		{120 * time.Second, "2 min ago", "waiting 2 min"},
		{59*time.Minute + 59*time.Second, "59 min ago", "waiting 59 min"},
		{time.Hour, "1 h ago", "waiting 1 h"},
		{time.Hour + 59*time.Minute + 59*time.Second, "1 h ago", "waiting 1 h 59 min"},
		{10*time.Hour + 30*time.Minute, "10 h ago", "waiting 10 h"},
	} {
		at := now.Add(-tc.d).UnixMilli()
		s := shared.Session{Status: shared.StatusWaiting, WaitingSince: at, UpdatedAt: at}
		if ago, waited := relTime(now, at), waitedText(now, &s); ago != tc.ago || waited != tc.waited {
			t.Errorf("%v before now: %q and %q, want %q and %q", tc.d, ago, waited, tc.ago, tc.waited)
		}
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{grouped(0), "0"},
		{grouped(1234567), "1,234,567"},
		{grouped(-1000), "-1,000"},
		{cost(0), "$0"},
		{cost(0.004), "<$0.01"},
		{cost(1.234), "$1.23"},
		{cost(1234.5), "$1,235"},
		{plural(1, "message", "messages"), "1 message"},
		{plural(1200, "message", "messages"), "1,200 messages"},
		{tokensText(shared.Tokens{Input: 1000, Output: 200, CacheRead: 10_000, CacheWrite: 300}), "1.5k tokens · 10k cached"},
		{tokensText(shared.Tokens{Input: 1000, Output: 200}), "1.2k tokens"},
		{tokensTitle(shared.Tokens{Input: 1000, Output: 2, CacheRead: 3, CacheWrite: 4}), "input 1,000 · output 2 · cache read 3 · cache write 4"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
