package shared

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones these tests name, on any machine
)

// TestDayStart: a day starts at its midnight, or where the clocks jump
// over midnight, at the jump: never in the day before.
func TestDayStart(t *testing.T) {
	tests := []struct {
		tz      string
		y       int
		m       time.Month
		d       int
		wantUTC string
	}{
		{"UTC", 2026, 11, 1, "2026-11-01T00:00:00Z"},
		{"America/New_York", 2026, 11, 1, "2026-11-01T04:00:00Z"}, // the 25-hour day: its midnight is EDT
		{"Europe/Berlin", 2026, 3, 29, "2026-03-28T23:00:00Z"},    // the 23-hour day: its midnight is CET
		{"America/Santiago", 2026, 9, 6, "2026-09-06T04:00:00Z"},  // 24:00 -04 is 01:00 -03
		{"America/Havana", 2026, 3, 8, "2026-03-08T05:00:00Z"},    // 24:00 CST is 01:00 CDT
		{"America/Santiago", 2026, 8, 37, "2026-09-06T04:00:00Z"}, // normalised as time.Date does
		{"Asia/Beirut", 2026, 3, 29, "2026-03-28T22:00:00Z"},      // 00:00 EET is 01:00 EEST
	}
	for _, tc := range tests {
		loc, err := time.LoadLocation(tc.tz)
		if err != nil {
			t.Fatal(err)
		}
		got := DayStart(tc.y, tc.m, tc.d, loc).UTC().Format(time.RFC3339)
		if got != tc.wantUTC {
			t.Errorf("%s %d-%02d-%02d starts at %s, want %s", tc.tz, tc.y, tc.m, tc.d, got, tc.wantUTC)
		}
	}
}

// TestDayRangeSkippedMidnight: the list filtered to a day of the usage
// page (?day=) keeps the sessions active in that day's hours: in Chile,
// 23:00-23:59 on 2026-09-05 is the 5th's, not the 6th's.
func TestDayRangeSkippedMidnight(t *testing.T) {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ day, start, end string }{
		{"2026-09-05", "2026-09-05T00:00:00-04:00", "2026-09-06T01:00:00-03:00"},
		{"2026-09-06", "2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00"},
	} {
		start, end, ok := Query{Day: tc.day}.dayRange(loc)
		got := time.UnixMilli(start).In(loc).Format(time.RFC3339) + " " + time.UnixMilli(end).In(loc).Format(time.RFC3339)
		if want := tc.start + " " + tc.end; !ok || got != want {
			t.Errorf("day %s is [%s), want [%s)", tc.day, got, want)
		}
	}
}
