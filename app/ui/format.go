package ui

import (
	"fmt"
	"time"

	"vibecraft.sh/helm/shared"
)

// elapsedText says how long d, a span up to now, has lasted, by the one
// rule of every "N min ago", "waiting N min" and "for N min" the client
// writes: whole units elapsed, never rounded up (shared.SpanText's count,
// which the session's durations and the CLI use too). 59 s is "<1 min",
// 60 s to 119 s "1 min", 120 s "2 min", 59 min 59 s "59 min", 3 h 5 min
// 59 s "3 h 5 min". One rule, so that times on one screen agree: 96 s
// read "waiting 1 min" beside 99 s "2 min ago" when "ago" was rounded to
// the nearest minute. From minutesUntil on, the hours go without their
// minutes ("11 h").
func elapsedText(d, minutesUntil time.Duration) string {
	if d < time.Minute {
		return "<1 min"
	}
	if d >= minutesUntil {
		d = d.Truncate(time.Hour)
	}
	return shared.SpanText(d)
}

// sameDay reports whether a and b fall on one day of the browser's
// calendar.
func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Local().Date()
	by, bm, bd := b.Local().Date()
	return ay == by && am == bm && ad == bd
}

// relTime says how long before now the epoch-millisecond t was, the way
// a list of activity reads best: "just now", "5 min ago", "3 h ago",
// "yesterday", "4 days ago", then a date. Minutes and hours are whole
// ones elapsed (elapsedText).
func relTime(now time.Time, ms int64) string {
	if ms <= 0 {
		return "unknown"
	}
	t := time.UnixMilli(ms)
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now" // also absorbs small clock skew into the future
	case d < 24*time.Hour:
		return elapsedText(d, time.Hour) + " ago"
	case d < 48*time.Hour:
		return "yesterday"
	case d < 7*24*time.Hour:
		return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
	case t.Year() == now.Year():
		return t.Local().Format("Jan 2")
	}
	return t.Local().Format("Jan 2, 2006")
}

// absTime is the full local time, for tooltips.
func absTime(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).Local().Format("2006-01-02 15:04:05")
}

// isoTime is the datetime attribute of <time>.
func isoTime(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

// grouped writes n with thousands separators: 1,234,567 (shared.Grouped).
func grouped(n int) string { return shared.Grouped(n) }

// tokensText counts the tokens a session sent and received, cache writes
// included, and the cache reads apart: they are most of a long session's
// total and cost a tenth as much, so one sum would mislead.
func tokensText(t shared.Tokens) string {
	s := shared.CountText(t.Total()-t.CacheRead) + " tokens"
	if t.CacheRead > 0 {
		s += " · " + shared.CountText(t.CacheRead) + " cached"
	}
	return s
}

func tokensTitle(t shared.Tokens) string {
	return fmt.Sprintf("input %s · output %s · cache read %s · cache write %s",
		grouped(t.Input), grouped(t.Output), grouped(t.CacheRead), grouped(t.CacheWrite))
}

// cost writes US dollars as every Helm surface does, helmd ls and
// helmd usage included (shared.CostText): "<$0.01" below a cent, cents
// below $100, whole dollars above.
func cost(usd float64) string { return shared.CostText(usd) }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return grouped(n) + " " + many
}

// ageText is how old a cached list is, for #cache-age.
func ageText(now time.Time, ms int64) string {
	r := relTime(now, ms)
	if r == "just now" {
		return "less than a minute ago"
	}
	return r
}
