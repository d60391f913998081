package shared

import "time"

// DayStart is the first instant of day y-m-d (normalised as time.Date
// does: day 0 is the last of the month before) in loc: its midnight, or,
// where the clocks jump over midnight (Chile, Cuba and Paraguay start
// summer time at 24:00), the moment the day begins after the jump.
// time.Date names a midnight that does not exist by the offset before
// the jump, which is an hour early: 23:00 of the day before. A day cut
// there filed that hour under both days, and /api/usage answered one
// bucket per slot of it, each keyed by the day before.
func DayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if utc := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); t.Day() != utc.Day() {
		// In the gap: t is an instant before the jump, and midnight by
		// the offset in force then is the jump itself, where the day
		// begins. (Zone rather than ZoneBounds, which added 5.6 kB to
		// the client.)
		_, off := t.Zone()
		return utc.Add(-time.Duration(off) * time.Second).In(loc)
	}
	return t
}
