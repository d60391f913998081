package shared

import "strconv"

// CostText writes US dollars the way every Helm surface writes them, the
// page (list, header, usage) and the CLI alike: "$0" for nothing,
// "<$0.01" for less than a cent (never rounded up to a cent that was not
// spent), cents below $100, whole dollars grouped from there ("$1,235").
func CostText(usd float64) string {
	switch {
	case usd <= 0:
		return "$0"
	case usd < 0.01:
		return "<$0.01"
	case usd < 99.995: // above it, cents would round to "$100.00", which the whole dollars say as "$100"
		// Rounded as the usage report rounds (USDCents, half up on the
		// exact figure): %.2f of the float rounded an exact half cent
		// down, so a $0.125 session read "$0.12" in the list and "$0.13"
		// in the usage of its one day.
		if c := USDCents(usd); c < 100_00 {
			return CentsText(c, true)
		}
	}
	return "$" + Grouped(int(usd+0.5))
}

// Grouped writes n with thousands separators: 1,234,567.
func Grouped(n int) string {
	s := strconv.Itoa(n)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}
