package usage

import (
	"errors"
	"net/url"
	"testing"
	"time"
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
