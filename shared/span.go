package shared

import (
	"strconv"
	"time"
)

// SpanText says how long d is the way every Helm surface writes it, the
// page and the CLI alike: "45 s", "12 min", "3 h 5 min", "3 h", "2 d 4 h".
// Each unit counts whole ones elapsed, never rounded up: 119 s is
// "1 min", 59 min 59 s "59 min". The page's "N min ago" and "waiting
// N min" count by it too.
func SpanText(d time.Duration) string {
	itoa := strconv.Itoa
	switch {
	case d < time.Minute:
		return itoa(int(d/time.Second)) + " s"
	case d < time.Hour:
		return itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		h, m := itoa(int(d/time.Hour)), int(d/time.Minute)%60
		if m == 0 {
			return h + " h"
		}
		return h + " h " + itoa(m) + " min"
	}
	return itoa(int(d/(24*time.Hour))) + " d " + itoa(int(d/time.Hour)%24) + " h"
}
