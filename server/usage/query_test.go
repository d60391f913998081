package usage

import (
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// FuzzParseQuery: any query string is a Query or ErrBadQuery, never a
// panic, and an accepted one is a range the store can answer.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "from=0&to=1&by=day&tz=UTC", "by=model&tz=Asia%2FKolkata",
		"tz=Local", "from=99999999999999999999", "to=-1", "tz=%00", "by=day&by=week"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := ParseQuery(v, now)
		if err != nil {
			if !errors.Is(err, ErrBadQuery) {
				t.Fatalf("error %v is not ErrBadQuery", err)
			}
			return
		}
		if q.From >= q.To || q.To-q.From > MaxRange.Milliseconds() || q.Loc == nil {
			t.Fatalf("accepted %+v", q)
		}
		switch q.By {
		case ByDay, ByProject, ByModel, BySource:
		default:
			t.Fatalf("accepted by %q", q.By)
		}
		st := NewStore()
		st.Set(sess("k", "/p"), []Cell{{At: SlotOf(q.From), Model: "m", Nano: 1}})
		if rep := st.Query(q); len(rep.Buckets) != 1 || rep.Total.CostUSD != 1e-9 {
			t.Fatalf("a cell at from: %+v", rep)
		}
	})
}

func TestParseQueryDefaults(t *testing.T) {
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	q, err := ParseQuery(url.Values{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if q.To != now.UnixMilli() || q.To-q.From != DefaultRange.Milliseconds() || q.By != ByDay || q.Loc != time.UTC {
		t.Errorf("defaults %+v", q)
	}
}

func TestSlotOf(t *testing.T) {
	tests := []struct{ in, want int64 }{
		{0, 0}, {1, 0}, {899_999, 0}, {900_000, 900_000}, {-1, -900_000}, {-900_000, -900_000},
	}
	for _, tc := range tests {
		if got := SlotOf(tc.in); got != tc.want {
			t.Errorf("SlotOf(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestDayWhoseMidnightIsSkipped: Chile starts summer time at 24:00 on
// 2026-09-05 (23:59 -04 is followed by 01:00 -03). The last hour of the
// 5th is one day, one bucket: it was cut an hour early, at the midnight
// time.Date names by the old offset, and each of its slots became a
// bucket of its own keyed 2026-09-05, which the page kept only one of.
func TestDayWhoseMidnightIsSkipped(t *testing.T) {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	st := NewStore()
	var cells []Cell
	for _, at := range []string{"2026-09-06T02:00:00Z", "2026-09-06T03:10:00Z", "2026-09-06T03:40:00Z", "2026-09-06T04:30:00Z"} {
		ts, _ := time.Parse(time.RFC3339, at)
		cells = append(cells, Cell{At: SlotOf(ts.UnixMilli()), Model: "m", Nano: 4_000_000})
	}
	st.Set(sess("k", "/p"), cells)
	rep := st.Query(Query{From: 0, To: time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC).UnixMilli(), By: ByDay, Loc: loc})
	var got []string
	for _, b := range rep.Buckets {
		got = append(got, b.Key+" "+shared.CostText(b.CostUSD))
	}
	if want := []string{"2026-09-05 $0.01", "2026-09-06 <$0.01"}; !slices.Equal(got, want) {
		t.Errorf("days %q, want %q (22:00, 23:10 and 23:40 on the 5th, 01:30 on the 6th)", got, want)
	}
}
