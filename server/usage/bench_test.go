package usage

import (
	"fmt"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/cputime"
	"vibecraft.sh/helm/shared"
)

// yearStore is a year of use: 5,000 sessions, one every ~105 minutes,
// each active for three hours on two models, over 50 projects.
func yearStore(b *testing.B) (*Store, time.Time) {
	b.Helper()
	st := NewStore()
	end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	start := end.Add(-365 * 24 * time.Hour)
	step := (365 * 24 * time.Hour) / 5000
	models := []string{"claude-sonnet-4-5-20250929", "claude-opus-4-6", "claude-haiku-4-5"}
	for i := range 5000 {
		at := start.Add(time.Duration(i) * step).UnixMilli()
		cells := make([]Cell, 0, 24)
		for s := range 12 {
			for m := range 2 {
				cells = append(cells, Cell{At: SlotOf(at) + int64(s)*Slot.Milliseconds(), Model: models[(i+m)%3],
					Tokens: shared.Tokens{Input: 1000, Output: 200, CacheRead: 50_000}, Nano: 12_345_678})
			}
		}
		st.Set(&shared.Session{ID: fmt.Sprint(i), Source: shared.SourceClaude, ProjectPath: fmt.Sprintf("/home/dev/p%d", i%50)}, cells)
	}
	return st, end
}

// BenchmarkQueryYear is GET /api/usage's work for a year of data over
// 5,000 sessions, in each grouping (the target: 50 ms).
func BenchmarkQueryYear(b *testing.B) {
	st, end := yearStore(b)
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	for _, by := range []string{ByDay, ByProject, ByModel, BySource} {
		b.Run(by, func(b *testing.B) {
			q := Query{From: end.Add(-366 * 24 * time.Hour).UnixMilli(), To: end.UnixMilli(), By: by, Loc: loc}
			cpu0, n := cputime.Process(), 0
			for b.Loop() {
				if rep := st.Query(q); len(rep.Buckets) == 0 {
					b.Fatal("empty report")
				}
				n++
			}
			// CPU time per query: wall time on a shared machine says more
			// about the neighbours than about the query.
			b.ReportMetric((cputime.Process()-cpu0)*1e3/float64(n), "cpu-ms/op")
		})
	}
}

// BenchmarkAppend is what a response appended to a session costs the
// store: its cells set again.
func BenchmarkAppend(b *testing.B) {
	st, _ := yearStore(b)
	s := &shared.Session{ID: "42", Source: shared.SourceClaude, ProjectPath: "/home/dev/p42"}
	cells := make([]Cell, 0, 25)
	for i := range 25 {
		cells = append(cells, Cell{At: int64(i) * Slot.Milliseconds(), Model: "claude-opus-4-6", Nano: 1})
	}
	for b.Loop() {
		st.Set(s, cells)
	}
}

// BenchmarkBlock is GET /api/usage/block over the same year.
func BenchmarkBlock(b *testing.B) {
	st, end := yearStore(b)
	for b.Loop() {
		st.Block(end)
	}
}
