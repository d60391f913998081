package opencode

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	spent "vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/shared"
)

// spendFixture is one session whose assistant messages fall on two days
// (UTC) and two models: the first at 23:50 on the 1st, the second at
// 00:02 on the 2nd.
var spendFixture = fxSession{ID: "ses_spend", Dir: "/home/dev/shop", Title: "Spread over midnight", Version: "1.2.3",
	Created: at(-700), Updated: at(130), Messages: []fxMessage{
		{ID: "msg_s1", Role: "user", Created: at(-700), Parts: []fxPart{{ID: "prt_s1", Type: "text", Text: "go", Created: at(-700)}}},
		{ID: "msg_s2", Role: "assistant", Created: at(-600), Completed: at(-590), Input: 100, Output: 10, CacheRead: 1000,
			Cost: 0.25, Model: "claude-sonnet-4-5", Finish: "tool-calls"},
		{ID: "msg_s3", Role: "assistant", Created: at(120), Completed: at(130), Input: 200, Output: 20, Reasoning: 5,
			Cost: 0.5, Model: "claude-opus-4-1", Finish: "stop"},
	}}

// the third message, appended later on the 2nd, on Sonnet: $0.10.
var spendAppend = fxMessage{ID: "msg_s4", Role: "assistant", Created: at(300), Completed: at(310), Input: 7, Output: 3,
	Cost: 0.1, Model: "claude-sonnet-4-5", Finish: "stop"}

// spendBackends writes spendFixture as SQLite rows or as the legacy JSON
// tree, and returns the data folder and a func that appends spendAppend
// and returns the path a watcher would hint.
var spendBackends = []struct {
	name  string
	build func(t *testing.T) (dir string, appendMsg func() string)
}{
	{"sqlite", func(t *testing.T) (string, func() string) {
		dir := t.TempDir()
		db := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
		execSQL(t, db, schemaV12)
		insertSession(t, db, spendFixture)
		return dir, func() string {
			insertMessage(t, db, spendFixture.ID, spendAppend)
			return filepath.Join(dir, "opencode.db-wal")
		}
	}},
	{"json tree", func(t *testing.T) (string, func() string) {
		dir := t.TempDir()
		storage := filepath.Join(dir, "storage")
		writeLegacy(t, storage, spendFixture)
		return dir, func() string {
			writeLegacyMessage(t, storage, spendFixture.ID, spendAppend)
			return filepath.Join(storage, "message", spendFixture.ID, spendAppend.ID+".json")
		}
	}},
}

// cents is a report's buckets in cents, by key.
func reportCents(rep spent.Report) map[string]int64 {
	out := map[string]int64{}
	for _, b := range rep.Buckets {
		out[b.Key] = int64(b.CostUSD*100 + 0.5)
	}
	return out
}

// TestSpendPlacedPerMessage: each assistant message's cost and tokens
// land in the day and model of that message, not all at the session's
// last update; the report's totals are the session's own cost and
// tokens; and an appended message moves exactly one bucket, from either
// store OpenCode writes.
func TestSpendPlacedPerMessage(t *testing.T) {
	for _, be := range spendBackends {
		t.Run(be.name, func(t *testing.T) {
			dir, appendMsg := be.build(t)
			src := newTestSource(dir)
			defer src.Close()
			st := spent.NewStore()
			tracked := spent.Track(src, src, st)
			list, err := tracked.Scan(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			query := func(by string) spent.Report {
				return st.Query(spent.Query{From: 0, To: at(86400 * 3), By: by, Loc: time.UTC})
			}
			checkTotals := func(list []shared.Session) {
				t.Helper()
				if len(list) != 1 {
					t.Fatalf("%d sessions, want 1", len(list))
				}
				rep := query(spent.ByDay)
				if rep.Total.CostUSD != list[0].CostUSD || rep.Total.Tokens != list[0].Tokens {
					t.Errorf("report total $%v %+v, session $%v %+v", rep.Total.CostUSD, rep.Total.Tokens, list[0].CostUSD, list[0].Tokens)
				}
			}
			checkTotals(list)
			days := reportCents(query(spent.ByDay))
			if want := map[string]int64{"2026-01-01": 25, "2026-01-02": 50}; !maps.Equal(days, want) {
				t.Errorf("by day %v, want %v", days, want)
			}
			models := reportCents(query(spent.ByModel))
			if want := map[string]int64{"claude-sonnet-4-5": 25, "claude-opus-4-1": 50}; !maps.Equal(models, want) {
				t.Errorf("by model %v, want %v", models, want)
			}
			for _, b := range query(spent.ByDay).Buckets {
				if b.Key == "2026-01-02" && b.Tokens.Output != 25 { // reasoning is billed as output
					t.Errorf("the 2nd: %d output tokens, want 25", b.Tokens.Output)
				}
			}

			before := map[string]map[string]int64{}
			groupings := []string{spent.ByDay, spent.ByModel, spent.ByProject, spent.BySource}
			for _, by := range groupings {
				before[by] = reportCents(query(by))
			}
			changed, _, err := tracked.Update(context.Background(), []string{appendMsg()})
			if err != nil {
				t.Fatal(err)
			}
			if len(changed) != 1 {
				t.Fatalf("update reported %d sessions, want the one appended to", len(changed))
			}
			checkTotals(src.Sessions())
			wantMoved := map[string]string{spent.ByDay: "2026-01-02", spent.ByModel: "claude-sonnet-4-5",
				spent.ByProject: "/home/dev/shop", spent.BySource: "opencode"}
			for _, by := range groupings {
				now := reportCents(query(by))
				var moved []string
				for k := range now {
					if now[k] != before[by][k] {
						moved = append(moved, k)
					}
				}
				if len(moved) != 1 || moved[0] != wantMoved[by] || now[moved[0]]-before[by][moved[0]] != 10 || len(now) != len(before[by]) {
					t.Errorf("by %s: %v became %v; want only %s up 10 cents", by, before[by], now, wantMoved[by])
				}
			}
		})
	}
}

// TestNanoOf: costs are summed in nano-dollars; what no message can cost
// (negative, absurd, NaN) counts as nothing instead of overflowing.
func TestNanoOf(t *testing.T) {
	tests := []struct {
		usd  float64
		want int64
	}{
		{0, 0}, {0.0123, 12_300_000}, {1e-10, 0}, {2.5e-9, 3}, {-1, 0}, {1e300, 0}, {1e3, 1e12}, {1e6, 0},
	}
	for _, tc := range tests {
		if got := nanoOf(tc.usd); got != tc.want {
			t.Errorf("nanoOf(%v) = %d, want %d", tc.usd, got, tc.want)
		}
	}
}

// FuzzSpendMatchesSession: whatever messages a session holds (any JSON a
// local program may write), its usage cells add up exactly to its own
// tokens and cost, and each sits on a slot boundary.
func FuzzSpendMatchesSession(f *testing.F) {
	for _, s := range []string{
		`{"role":"assistant","time":{"created":1767312000000},"modelID":"m","cost":0.0123,"tokens":{"input":1,"output":2,"reasoning":3,"cache":{"read":4,"write":5}}}`,
		`{"role":"user","cost":1e300}` + "\n" + `{"role":"assistant","cost":-5,"tokens":{"input":-7}}`,
		`{"role":"assistant","time":{"created":-1,"completed":9e15},"model":{"modelID":"<b>x</b>"},"cost":1e-12}`,
		`{"role":"tool","cost":3}` + "\n" + `not json`,
		`{"role":"assistant","tokens":{"input":5}}` + "\n" + `{"role":"assistant","tokens":{"input":-5}}`,
		`{"role":"assistant","cost":"0.5","tokens":{"input":{},"output":true}}` + "\n" + `{"role":"assistant","cost":null}`,
		`{"role":"assistant","cost":0.5,"tokens":"x"}` + "\n" + `{"role":"assistant","cost":0.25,"tokens":{"input":3,"cache":5}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lines string) {
		fx := facts{id: "ses_f", createdAt: t0}
		for _, line := range strings.Split(lines, "\n") {
			var m messageInfo
			if json.Unmarshal([]byte(line), &m) != nil {
				continue
			}
			fx.add(&m, 0) // 0: every time believed, as the fuzzer writes any
		}
		var tokens shared.Tokens
		var nano int64
		if fx.spent != nil {
			for _, c := range fx.spent.cells {
				if c.At != spent.SlotOf(c.At) {
					t.Fatalf("cell at %d is not a slot start", c.At)
				}
				if c.Nano == 0 && c.Tokens == (shared.Tokens{}) {
					t.Fatalf("an empty cell: %+v", c)
				}
				tokens, nano = tokens.Add(c.Tokens), nano+c.Nano
			}
		}
		if tokens != fx.tokens || nano != fx.nano {
			t.Fatalf("cells sum to %+v, %d nano; the session has %+v, %d nano", tokens, nano, fx.tokens, fx.nano)
		}
	})
}

// dbWith is a source over a new database holding sessions, to which
// more (if not nil) adds rows of its own; closed at the test's end.
func dbWith(t *testing.T, more func(db *sql.DB), sessions ...fxSession) *Source {
	t.Helper()
	dir := t.TempDir()
	db := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
	execSQL(t, db, schemaV12)
	for _, s := range sessions {
		insertSession(t, db, s)
	}
	if more != nil {
		more(db)
	}
	src := newTestSource(dir)
	t.Cleanup(func() { src.Close() })
	return src
}

// TestHugeTokenCountsRefused: a count past any request's is no count,
// and Status says how many were refused: two messages claiming 9e18
// input tokens summed past int64 (a negative count), and cut to the
// bound each still added 134M tokens and $400 of Sonnet input.
func TestHugeTokenCountsRefused(t *testing.T) {
	huge := fxSession{ID: "ses_huge", Dir: "/home/dev/shop", Title: "Huge counts", Version: "1.2.3",
		Created: at(-700), Updated: at(130), Messages: []fxMessage{
			{ID: "msg_h1", Role: "user", Created: at(-700), Parts: []fxPart{{ID: "prt_h1", Type: "text", Text: "go", Created: at(-700)}}},
			{ID: "msg_h2", Role: "assistant", Created: at(-600), Completed: at(-590), Input: 9_000_000_000_000_000_000, Output: 10,
				Cost: 0.25, Model: "claude-sonnet-4-5", Finish: "tool-calls"},
			{ID: "msg_h3", Role: "assistant", Created: at(120), Completed: at(130), Input: 9_000_000_000_000_000_000, Output: 20,
				Cost: 0.5, Model: "claude-sonnet-4-5", Finish: "stop"},
		}}
	src := dbWith(t, nil, huge)
	list := scan(t, src)
	if len(list) != 1 || list[0].Tokens.Input != 0 || list[0].Tokens.Output != 30 || list[0].CostUSD != 0.75 {
		t.Fatalf("sessions %+v, want one of 0 input tokens (both refused), 30 output, $0.75", list)
	}
	if odd := src.Status().OddCounts; odd != 2 {
		t.Errorf("status oddCounts %d, want 2", odd)
	}
}

// TestLongStringsCut: a session's title, folder and version are cut
// where the session is built: an 8 MB title went whole into every list,
// and the page's seed, which stops at a session over its budget, came
// out empty.
func TestLongStringsCut(t *testing.T) {
	long := fxSession{ID: "ses_long", Dir: "/home/" + strings.Repeat("d", 100_000), Title: strings.Repeat("é", 1<<20),
		Version: strings.Repeat("9", 10_000), Created: at(-700), Updated: at(130), Messages: []fxMessage{
			{ID: "msg_l1", Role: "user", Created: at(-700), Parts: []fxPart{{ID: "prt_l1", Type: "text", Text: "go", Created: at(-700)}}},
		}}
	list := scan(t, dbWith(t, nil, long))
	if len(list) != 1 {
		t.Fatalf("%d sessions, want 1", len(list))
	}
	s := list[0]
	if n := len([]rune(s.Title)); n != maxTitleRunes || !strings.HasPrefix(s.Title, "éé") {
		t.Errorf("title of %d runes, want %d", n, maxTitleRunes)
	}
	if n := len([]rune(s.ProjectPath)); n != maxPathRunes || !strings.HasPrefix(s.ProjectPath, "/home/d") {
		t.Errorf("folder of %d runes, want %d", n, maxPathRunes)
	}
	if n := len([]rune(s.Version)); n != maxVersionRunes {
		t.Errorf("version of %d runes, want %d", n, maxVersionRunes)
	}
}

// TestUnbelievableTimesAndIDs: a row's times before 1970, or after the
// read, are no times: its spend lands at a time a usage query covers (it
// was filed in 1969, or in the year 3000, outside every query, while the
// session's cost counted it), and the session's start is not shown as
// the year 3000. A row whose id could name no session (a path, none) is
// skipped and counted, as the legacy tree's are.
func TestUnbelievableTimesAndIDs(t *testing.T) {
	const y3000 = 32503680000000
	odd := fxSession{ID: "ses_odd", Dir: "/home/dev/shop", Title: "Odd times", Version: "1.2.3",
		Created: y3000, Updated: at(130), Messages: []fxMessage{
			{ID: "msg_o1", Role: "user", Created: at(100), Parts: []fxPart{{ID: "prt_o1", Type: "text", Text: "go", Created: at(100)}}},
			{ID: "msg_o2", Role: "assistant", Created: -1_000_000, Input: 100, Output: 10, Cost: 0.25, Model: "claude-sonnet-4-5", Finish: "stop"},
		}}
	var bad []fxSession
	for _, id := range []string{"../../etc", ""} {
		b := odd
		b.ID, b.Messages = id, nil
		bad = append(bad, b)
	}
	src := dbWith(t, nil, append(bad, odd)...)
	st := spent.NewStore()
	list, err := spent.Track(src, src, st).Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != "ses_odd" || list[0].CreatedAt >= y3000 {
		t.Fatalf("sessions %+v, want ses_odd alone, its start not in the year 3000", list)
	}
	if sk := src.Status().Skipped; sk < 2 {
		t.Errorf("%d skipped, want the two rows whose ids name no session", sk)
	}
	rep := st.Query(spent.Query{From: 0, To: at(86400), By: spent.ByDay, Loc: time.UTC})
	if rep.Total.CostUSD != list[0].CostUSD || list[0].CostUSD != 0.25 {
		t.Errorf("usage from 1970 to the fixture's next day: $%v; the session costs $%v, want $0.25 in both", rep.Total.CostUSD, list[0].CostUSD)
	}
}

// TestFirstPromptFromTextOnly: a text part whose text is no string (an
// object) is no prompt (it became the title as its JSON), and a long
// prompt comes out of SQLite cut to what is kept.
func TestFirstPromptFromTextOnly(t *testing.T) {
	s := fxSession{ID: "ses_prompt", Dir: "/home/dev/shop", Title: "New session - 2026-03-01T10:00:00.000Z", Version: "1.2.3",
		Created: at(-700), Updated: at(130), Messages: []fxMessage{
			{ID: "msg_p1", Role: "user", Created: at(100)},
		}}
	long := "\n\t  " + strings.Repeat("word ", 100_000)
	list := scan(t, dbWith(t, func(db *sql.DB) {
		for i, data := range []string{`{"type":"text","text":{"nested":[1,2,3]}}`, `{"type":"text","text":` + strconv.Quote(long) + `}`} {
			execSQL(t, db, `INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)`,
				fmt.Sprintf("prt_p%d", i), "msg_p1", s.ID, at(100), at(100), data)
		}
	}, s))
	if len(list) != 1 {
		t.Fatalf("%d sessions, want 1", len(list))
	}
	want := strings.TrimSpace(strings.Repeat("word ", firstPromptRunes/5))
	if got := list[0].FirstPrompt; !strings.HasPrefix(got, "word word") || len([]rune(got)) > firstPromptRunes || strings.Contains(got, "nested") {
		t.Errorf("first prompt %q, want the long text's start (%q…)", got, want[:20])
	}
	if got := list[0].Title; strings.Contains(got, "nested") || !strings.HasPrefix(got, "word word") {
		t.Errorf("title %q, want the long prompt's start", got)
	}
}

// TestOddlyTypedFieldsKeepTheMessage: a count that is no int (12.5,
// 1e30), a cost that is no number ("0.1"), a time written as a float:
// the message is read with what can be read, its cost and status kept.
// One such field failed the message whole: 0.75 of $2.50 showed.
func TestOddlyTypedFieldsKeepTheMessage(t *testing.T) {
	s := fxSession{ID: "ses_typed", Dir: "/home/dev/shop", Title: "Typed", Version: "1.2.3",
		Created: at(-700), Updated: at(130), Messages: []fxMessage{
			{ID: "msg_t0", Role: "user", Created: at(-700), Parts: []fxPart{{ID: "prt_t0", Type: "text", Text: "go", Created: at(-700)}}},
		}}
	src := dbWith(t, func(db *sql.DB) {
		for i, data := range []string{
			`{"role":"assistant","time":{"created":%d,"completed":%d},"cost":0.25,"tokens":{"input":12.5,"output":10}}`,
			`{"role":"assistant","time":{"created":%d,"completed":%d},"cost":0.5,"tokens":{"input":1e30,"output":10}}`,
			`{"role":"assistant","time":{"created":%d,"completed":%d},"cost":"0.1","tokens":{"input":"7","output":10}}`,
			`{"role":"assistant","time":{"created":%d.0,"completed":%d.0},"cost":1.75,"tokens":{"input":100,"output":10},"finish":"stop"}`,
		} {
			insertAnswer(t, db, s.ID, fmt.Sprintf("msg_t%d", i+1), at(int64(10*(i+1))), data)
		}
	}, s)
	list := scan(t, src)
	if len(list) != 1 {
		t.Fatalf("%d sessions, want 1", len(list))
	}
	got := list[0]
	// 12.5, 1e30 and "7" are no counts (shared.TokenCount): only 100 is.
	if got.CostUSD != 2.5 || got.MessageCount != 5 || got.Tokens.Input != 100 || got.Status != shared.StatusWaiting {
		t.Errorf("cost $%v, %d messages, %d input tokens, %s; want $2.5 (the string cost as none), 5 messages, 100 input tokens, waiting",
			got.CostUSD, got.MessageCount, got.Tokens.Input, got.Status)
	}
	if odd := src.Status().OddCounts; odd != 4 {
		t.Errorf("status oddCounts %d, want 4 (12.5, 1e30, \"7\" and the cost \"0.1\")", odd)
	}
}

// TestCostsThatAreNoNumberCounted: a cost or a token count that is no
// number (a string, an object, true), or tokens that are no object, is
// read as none and counted in Status.OddCounts, the message and the rest
// of it kept; a null is a figure not given, not counted. A string cost
// showed as $0 with no sign that anything was read as none, and
// "tokens":"x" lost the message, its $0.50 with it.
func TestCostsThatAreNoNumberCounted(t *testing.T) {
	s := fxSession{ID: "ses_nonum", Dir: "/home/dev/shop", Title: "No numbers", Version: "1.2.3",
		Created: at(-700), Updated: at(130), Messages: []fxMessage{
			{ID: "msg_n0", Role: "user", Created: at(-700), Parts: []fxPart{{ID: "prt_n0", Type: "text", Text: "go", Created: at(-700)}}},
		}}
	src := dbWith(t, func(db *sql.DB) {
		for i, data := range []string{
			`{"role":"assistant","time":{"created":%d,"completed":%d},"cost":"0.5","tokens":{"input":10,"output":1}}`,
			`{"role":"assistant","time":{"created":%d,"completed":%d},"cost":{"usd":0.5},"tokens":{"input":10,"output":{"n":5}}}`,
			`{"role":"assistant","time":{"created":%d,"completed":%d},"cost":true,"tokens":{"input":true,"output":1,"reasoning":"3","cache":{"read":[1],"write":null}}}`,
			`{"role":"assistant","time":{"created":%d,"completed":%d},"cost":null,"tokens":{"input":10,"output":null}}`,
			`{"role":"assistant","time":{"created":%d,"completed":%d},"cost":0.5,"tokens":"x"}`,
			`{"role":"assistant","time":{"created":%d,"completed":%d},"cost":0.25,"tokens":{"input":10,"cache":5}}`,
			`{"role":"assistant","time":{"created":%d,"completed":%d},"cost":0.25,"tokens":{"input":10,"output":1},"finish":"stop"}`,
		} {
			insertAnswer(t, db, s.ID, fmt.Sprintf("msg_n%d", i+1), at(int64(10*(i+1))), data)
		}
	}, s)
	list := scan(t, src)
	if len(list) != 1 {
		t.Fatalf("%d sessions, want 1", len(list))
	}
	got := list[0]
	if got.CostUSD != 1 || got.MessageCount != 8 || got.Tokens.Input != 50 || got.Tokens.Output != 3 || got.Status != shared.StatusWaiting {
		t.Errorf("cost $%v, %d messages, %+v, %s; want $1, 8 messages, 50 input and 3 output tokens, waiting",
			got.CostUSD, got.MessageCount, got.Tokens, got.Status)
	}
	// Three costs ("0.5", {}, true), four counts ({}, true, "3", [1])
	// and two groups of counts ("x", 5); the nulls are not.
	if odd := src.Status().OddCounts; odd != 9 {
		t.Errorf("status oddCounts %d, want 9", odd)
	}
}

// insertAnswer stores an assistant message of session sid, made at created
// and done a second later; data is its JSON with two %d for those times.
func insertAnswer(t *testing.T, db *sql.DB, sid, id string, created int64, data string) {
	t.Helper()
	execSQL(t, db, `INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)`,
		id, sid, created, created+1000, fmt.Sprintf(data, created, created+1000))
}
