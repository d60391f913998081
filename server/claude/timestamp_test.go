package claude

import (
	"testing"
	"time"
)

// The fast path must read every timestamp exactly as time.Parse does, and
// refuse the dates that do not exist.
func TestParseTimestamp(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // RFC 3339 in UTC; "" = not a timestamp
	}{
		{"2026-03-02T09:15:01.120Z", "2026-03-02T09:15:01.12Z"},
		{"1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z"},
		{"1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"},
		{"2024-02-29T12:00:00.000Z", "2024-02-29T12:00:00Z"},
		{"2000-02-29T00:00:00.000Z", "2000-02-29T00:00:00Z"},
		{"2100-02-28T23:59:59.001Z", "2100-02-28T23:59:59.001Z"},
		{"2026-12-31T23:59:59.999Z", "2026-12-31T23:59:59.999Z"},
		{"2026-02-29T00:00:00.000Z", ""}, // not a leap year
		{"2100-02-29T00:00:00.000Z", ""}, // a century, not a leap year
		{"2026-04-31T00:00:00.000Z", ""},
		{"2026-13-01T00:00:00.000Z", ""},
		{"2026-00-10T00:00:00.000Z", ""},
		{"2026-03-02T24:00:00.000Z", ""},
		{"2026-03-02T09:15:01Z", "2026-03-02T09:15:01Z"},          // another shape: time.Parse
		{"2026-03-02T10:15:01.5+01:00", "2026-03-02T09:15:01.5Z"}, // an offset
		{"2026-03-0xT09:15:01.120Z", ""},
		{"yesterday", ""},
	} {
		got, ok := parseTimestamp([]byte(tc.in))
		if tc.want == "" {
			if ok {
				t.Errorf("%s: read as %d, want refused", tc.in, got)
			}
			continue
		}
		want, err := time.Parse(time.RFC3339Nano, tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || got != want.UnixMilli() {
			t.Errorf("%s: %d %v, want %d", tc.in, got, ok, want.UnixMilli())
		}
	}
}

// Every day from 1900 to 2200 reads as time.Parse reads it.
func TestFastTimestampEveryDay(t *testing.T) {
	end := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := time.Date(1900, 1, 1, 13, 7, 9, 42e6, time.UTC); d.Before(end); d = d.AddDate(0, 0, 1) {
		s := d.Format("2006-01-02T15:04:05.000Z")
		got, ok := fastTimestamp([]byte(s))
		if !ok || got != d.UnixMilli() {
			t.Fatalf("%s: %d %v, want %d", s, got, ok, d.UnixMilli())
		}
	}
}

func FuzzTimestamp(f *testing.F) {
	for _, s := range []string{"2026-03-02T09:15:01.120Z", "2024-02-29T12:00:00.000Z", "2026-02-29T00:00:00.000Z", "0000-01-01T00:00:00.000Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := fastTimestamp([]byte(s))
		if !ok {
			return
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || want.UnixMilli() != got {
			t.Fatalf("%q: fast %d, time.Parse %d %v", s, got, want.UnixMilli(), err)
		}
	})
}

// A run of timestamps read through one minuteCache reads each exactly as
// parseTimestamp does, whatever the one before it was: the same minute,
// another, or not a timestamp at all.
func FuzzMinuteCache(f *testing.F) {
	for _, p := range [][2]string{
		{"2026-03-02T09:15:01.120Z", "2026-03-02T09:15:59.999Z"},
		{"2026-03-02T09:15:01.120Z", "2026-03-02T09:15:60.000Z"},
		{"2026-03-02T09:15:01.120Z", "2026-03-02T09:15:0x.000Z"},
		{"2026-03-02T09:15:01.120Z", "2026-03-02T09:16:00.000Z"},
		{"0000-01-01T00:00:07.001Z", "0000-01-01T00:00:00.999Z"},
		{"2026-03-02T09:15:01.120Z", "2026-03-02T09:15:01+01:00"},
	} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var c minuteCache
		for _, s := range []string{a, b, a} {
			got, gotOK := c.parse([]byte(s))
			want, wantOK := parseTimestamp([]byte(s))
			if got != want || gotOK != wantOK {
				t.Fatalf("after %q: %q read as %d %v, parseTimestamp says %d %v", a, s, got, gotOK, want, wantOK)
			}
		}
	})
}
