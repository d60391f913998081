package cli

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/shared"
)

// realUsage is a helmd's GET /api/usage over st, for runCmd's clock.
func realUsage(t *testing.T, st *usage.Store) string {
	t.Helper()
	mux := http.NewServeMux()
	usage.Install(mux, st, func() time.Time { return time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC) }, nil)
	return fakeHelmd(t, "", mux.ServeHTTP)
}

// spentAt is a store where one session spent each of costs (dollars) at
// the times given.
func spentAt(costs map[time.Time]float64) *usage.Store {
	st := usage.NewStore()
	var cells []usage.Cell
	for at, usd := range costs {
		cells = append(cells, usage.Cell{At: usage.SlotOf(at.UnixMilli()), Model: "claude-sonnet-4-5", Nano: int64(usd * 1e9)})
	}
	st.Set(&shared.Session{Source: shared.SourceClaude, ID: "s1", ProjectPath: "/p"}, cells)
	return st
}

// rowOf is the line of table that starts with key.
func rowOf(table, key string) string {
	for _, l := range strings.Split(table, "\n") {
		if strings.HasPrefix(l, key+" ") {
			return l
		}
	}
	return ""
}

// `helmd usage --since 7d` is asked at noon: the first day of its table
// is the day 7 days back, and its row says what that whole day cost. It
// said only what was spent after noon ($3 of a $43 day), under the
// day's date.
func TestUsageSinceDaysShowsWholeDays(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	port := realUsage(t, spentAt(map[time.Time]float64{
		time.Date(2026, 12, 1, 8, 0, 0, 0, paris):  40,
		time.Date(2026, 12, 1, 20, 0, 0, 0, paris): 3,
		time.Date(2026, 12, 8, 9, 0, 0, 0, paris):  1,
	}))
	env := map[string]string{"PORT": port, "TZ": "Europe/Paris"}
	for _, by := range []string{"day", "project"} {
		stdout, stderr, err := runCmd(context.Background(), env, "usage", "--since", "7d", "--by", by)
		if err != nil {
			t.Fatalf("--by %s: %v %s", by, err, stderr)
		}
		if by == "day" && !strings.Contains(rowOf(stdout, "2026-12-01"), "$43.00") {
			t.Errorf("--by day: Dec 1 does not read $43.00:\n%s", stdout)
		}
		if !strings.Contains(rowOf(stdout, "TOTAL"), "$44.00") {
			t.Errorf("--by %s: TOTAL is not $44.00:\n%s", by, stdout)
		}
	}
	// Hours are hours: 12h back is 01:00 in Paris, after Dec 1.
	stdout, _, err := runCmd(context.Background(), env, "usage", "--since", "12h")
	if err != nil || rowOf(stdout, "2026-12-01") != "" || !strings.Contains(rowOf(stdout, "TOTAL"), "$1.00") {
		t.Errorf("--since 12h: %v\n%s", err, stdout)
	}
}

// --tz Local is this shell's zone (TZ), as the flag's default is: helmd
// refused the name with a 400, and the command failed.
func TestUsageTZLocal(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	port := realUsage(t, spentAt(map[time.Time]float64{time.Date(2026, 12, 8, 1, 0, 0, 0, tokyo): 2}))
	stdout, stderr, err := runCmd(context.Background(), map[string]string{"PORT": port, "TZ": "Asia/Tokyo"},
		"usage", "--tz", "Local")
	if err != nil {
		t.Fatalf("--tz Local: %v %s", err, stderr)
	}
	// 01:00 in Tokyo is Dec 7 in UTC: the row is Tokyo's day.
	if !strings.Contains(rowOf(stdout, "2026-12-08"), "$2.00") {
		t.Errorf("--tz Local did not cut days in TZ's zone:\n%s", stdout)
	}
}

// `helmd usage --since 7d` in Chile a week after its summer time began at
// 24:00 (2026-09-05 23:59 -04, then 01:00 -03): the table starts with the
// 6th, not with the last hour of the 5th, which time.Date names as the
// 6th's midnight.
func TestSinceFromSkippedMidnight(t *testing.T) {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 9, 13, 12, 0, 0, 0, loc)
	from := sinceFrom(now, 7*24*time.Hour, "7d", loc)
	if got := from.In(loc).Format(time.DateTime); got != "2026-09-06 01:00:00" {
		t.Errorf("--since 7d starts at %s, want 2026-09-06 01:00:00 (the 6th's first instant)", got)
	}
}
