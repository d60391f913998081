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
	if _, _, want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Date(); t.Day() != want {
		// In the gap: the day starts where the zone before it ends.
		if _, end := t.ZoneBounds(); !end.IsZero() {
			return end
		}
	}
	return t
}
