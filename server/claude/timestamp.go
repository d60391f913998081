package claude

import "time"

// parseTimestamp reads a record's ISO 8601 timestamp as epoch
// milliseconds. Claude Code writes one shape, 2026-03-02T09:15:01.120Z,
// read here without allocating; anything else goes through time.Parse.
func parseTimestamp(b []byte) (int64, bool) {
	if ms, ok := fastTimestamp(b); ok {
		return ms, true
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, false
	}
	return t.UnixMilli(), true
}

func fastTimestamp(b []byte) (int64, bool) {
	// 2006-01-02T15:04:05.000Z
	if len(b) != 24 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != '.' || b[23] != 'Z' {
		return 0, false
	}
	num := func(i, n int) (int, bool) { return digits(b[i : i+n]) }
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	s, ok6 := num(17, 2)
	ms, ok7 := num(20, 3)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 {
		return 0, false
	}
	if d > daysIn(y, mo) { // 31 February
		return 0, false
	}
	secs := daysSinceEpoch(y, mo, d)*86400 + int64(h*3600+mi*60+s)
	return secs*1000 + int64(ms), true
}

// daysIn is the number of days of month mo (1–12) of year y.
func daysIn(y, mo int) int {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysSinceEpoch counts the days from 1970-01-01 to a date of the
// proleptic Gregorian calendar, by arithmetic: time.Date per record was a
// visible part of a scan of many small records. The year is shifted to
// start in March, so that the leap day is the last day of its year and
// the days before a month are a linear formula of the month.
func daysSinceEpoch(y, mo, d int) int64 {
	if mo <= 2 {
		y--
	}
	era := y / 400
	if y < 0 { // January or February of year 0: round the era down
		era = (y - 399) / 400
	}
	yoe := y - era*400
	m := (mo + 9) % 12 // March = 0 … February = 11
	doy := (153*m+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// minuteCache parses the timestamps of consecutive records, which
// nearly always share their minute: once a minute's prefix
// (2026-03-02T09:15:) has been read in full, a timestamp with the same
// prefix costs only its seconds and milliseconds. One reader's records
// use one cache (record.at), so it needs no lock.
type minuteCache struct {
	prefix [17]byte // the minute, as written: 2006-01-02T15:04:
	secs   int64    // that minute's first second, since the epoch
	ok     bool
}

// parse is parseTimestamp, with the minute of the last timestamp of
// fastTimestamp's shape remembered.
func (c *minuteCache) parse(b []byte) (int64, bool) {
	if c.ok && len(b) == 24 && string(b[:17]) == string(c.prefix[:]) && b[19] == '.' && b[23] == 'Z' {
		s, ok1 := digits(b[17:19])
		ms, ok2 := digits(b[20:23])
		if ok1 && ok2 && s <= 59 {
			return (c.secs+int64(s))*1000 + int64(ms), true
		}
		return parseTimestamp(b)
	}
	if ms, ok := fastTimestamp(b); ok {
		s, _ := digits(b[17:19])
		copy(c.prefix[:], b[:17])
		c.secs, c.ok = floorDiv(ms, 1000)-int64(s), true
		return ms, true
	}
	return parseTimestamp(b)
}

// digits reads b as a decimal number of ASCII digits only.
func digits(b []byte) (int, bool) {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// floorDiv is a/b rounded down, for times before the epoch too.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
