package shared

import "time"

// ClockOffBy is the least offset of a fleet machine's clock from the
// hub's that Helm tells a user of (the page's marks, helmd status): the
// times the page tells as how long ago are corrected for any offset the
// hub measured (Session.OnHubClock), but those the machine wrote, shown
// as clock times, are off by it, and a minute is where that shows.
const ClockOffBy = time.Minute

// ClockOff says how far a machine's clock runs off the hub's, given
// aheadMs (ahead: positive), in the words every Helm surface uses: the
// span ("10 min", "1 h 30 min") and the way ("behind", or "ahead of"
// this one's). Both are "" under ClockOffBy.
func ClockOff(aheadMs int64) (span, way string) {
	d := time.Duration(aheadMs) * time.Millisecond
	switch {
	case d.Abs() < ClockOffBy:
		return "", ""
	case d < 0:
		return SpanText(-d), "behind"
	}
	return SpanText(d), "ahead of"
}
