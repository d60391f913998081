package shared

import (
	"fmt"
	"testing"
	"time"
)

// filterCorpus is n sessions over a week, of models named several ways.
func filterCorpus(n int) []Session {
	models := []string{"claude-opus-4-5-20251101", "Claude-Sonnet-4.5", "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"claude-sonnet-4-5", "GPT-5.1-Codex", "anthropic/claude-haiku-4.5", ""}
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.Local).UnixMilli()
	out := make([]Session, n)
	for i := range out {
		upd := day + int64(i)*37*int64(time.Minute/time.Millisecond)
		out[i] = Session{ID: fmt.Sprint(i), Source: SourceClaude, Model: models[i%len(models)], Status: StatusIdle,
			UpdatedAt: upd, CreatedAt: upd - int64(i%5)*int64(time.Hour/time.Millisecond)*10}
		if i%9 == 0 {
			out[i].CreatedAt = 0
		}
	}
	return out
}

// A list filtered by day or by model (the usage page's links) costs no
// allocation per session: the day was parsed for every session, and a
// model named otherwise than the filter's was lower-cased (ModelKey),
// in helmd's pass over 100,000 sessions and in the client's.
func TestDayAndModelFiltersAllocatePerQuery(t *testing.T) {
	all := filterCorpus(1000)
	for _, q := range []Query{{Day: "2026-12-03"}, {Model: "claude-sonnet-4-5"}, {Model: "CLAUDE-SONNET-4.5", Day: "2026-12-02"}} {
		// The result's slices grow by doubling: a dozen allocations.
		if n := testing.AllocsPerRun(3, func() { q.Apply(all) }); n > 50 {
			t.Errorf("Apply %+v over %d sessions: %.0f allocations", q, len(all), n)
		}
		match := q.Matcher()
		if n := testing.AllocsPerRun(3, func() {
			for i := range all {
				match(&all[i], "")
			}
		}); n > 0 {
			t.Errorf("Matcher %+v over %d sessions: %.0f allocations", q, len(all), n)
		}
	}
}

// oldFilters is how Match filtered before its filters were made ready
// once: the reference the prepared filters must agree with.
func oldFilters(q Query, s *Session) bool {
	if q.Source != "" && s.Source != q.Source {
		return false
	}
	if q.Project != "" && s.ProjectPath != q.Project {
		return false
	}
	if q.Model != "" && s.Model != q.Model && ModelKey(s.Model) != ModelKey(q.Model) {
		return false
	}
	if q.Host != "" && s.Host != q.Host {
		return false
	}
	if q.Day != "" {
		start, end, ok := q.dayRange(time.Local)
		created := s.CreatedAt
		if created == 0 {
			created = s.UpdatedAt
		}
		if !ok || !(created < end && s.UpdatedAt >= start) {
			return false
		}
	}
	switch q.Status {
	case "":
	case StatusActive:
		return s.Active
	default:
		return string(s.Status) == q.Status
	}
	return true
}

// Made ready once, the filters keep what they kept: for every day and
// model (unparsable days, models named every way, past the 64 models
// whose keys a pass remembers), Match, MatchFunc and Matcher agree with
// the old filters.
func TestPreparedFiltersMatchAsBefore(t *testing.T) {
	all := filterCorpus(300)
	for i := range 100 { // more models than a pass remembers
		all = append(all, Session{ID: fmt.Sprint("m", i), Model: fmt.Sprintf("Made-Up-%d-20250101", i%70), UpdatedAt: all[i].UpdatedAt})
	}
	days := []string{"", "2026-12-01", "2026-12-03", "2026-12-09", "2026-13-01", "yesterday", "2026-2-1"}
	models := []string{"", "claude-sonnet-4-5", "CLAUDE-SONNET-4.5", "claude-sonnet-4-5-20250929", "gpt-5.1-codex", "claude-haiku-4-5",
		"made-up-3", "Made-Up-68-20250101", "nothing"}
	for _, day := range days {
		for _, model := range models {
			q := Query{Day: day, Model: model}
			pass, match := MatchFunc(q), q.Matcher()
			for i := range all {
				s := &all[i]
				want := oldFilters(q, s)
				if got := q.Match(s); got != want {
					t.Fatalf("day %q model %q, session %q of %q: Match %v, before %v", day, model, s.ID, s.Model, got, want)
				}
				if got := pass(s); got != want {
					t.Fatalf("day %q model %q, session %q of %q: MatchFunc %v, before %v", day, model, s.ID, s.Model, got, want)
				}
				if got := match(s, ""); got != want {
					t.Fatalf("day %q model %q, session %q of %q: Matcher %v, before %v", day, model, s.ID, s.Model, got, want)
				}
			}
		}
	}
}

// Match alone, for one session at a time (the client counts its facets
// with it over the whole list), allocates nothing for filters it need
// not prepare.
func TestMatchAllocatesNothing(t *testing.T) {
	q := Query{Source: SourceClaude, Status: "idle", Host: "box"}
	s := &Session{Source: SourceClaude, Status: StatusIdle, Host: "box"}
	if n := testing.AllocsPerRun(100, func() {
		if !q.Match(s) {
			t.Fatal("no match")
		}
	}); n != 0 {
		t.Errorf("Match allocated %v times a call, want 0", n)
	}
}
