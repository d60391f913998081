package opencode

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// Fixtures: four SQLite sessions shown (one of them also in JSON), one
// archived, and a JSON-only one.
var (
	sesA = fxSession{ID: "ses_aaa", Dir: "/home/dev/webapp", Title: "Fix flaky login test", Version: "1.2.3",
		Created: at(0), Updated: at(60), Messages: []fxMessage{
			{ID: "msg_a1", Role: "user", Created: at(1), Parts: []fxPart{
				{ID: "prt_a1a", Type: "text", Text: "<file>login.test.ts</file>", Synthetic: true, Created: at(1)},
				{ID: "prt_a1b", Type: "text", Text: "  Fix the flaky login test\nin CI  ", Created: at(1)},
				{ID: "prt_a1c", Type: "file", Created: at(1)},
			}},
			{ID: "msg_a2", Role: "assistant", Created: at(2), Completed: at(30), Input: 1200, Output: 340, Reasoning: 60,
				CacheRead: 8000, CacheWrite: 500, Cost: 0.0123, Model: "claude-sonnet-4-5", Finish: "tool-calls"},
			{ID: "msg_a3", Role: "assistant", Created: at(31), Completed: at(55), Input: 100, Output: 20, Reasoning: 10,
				CacheRead: 200, Cost: 0.001, Model: "claude-opus-4-1", Finish: "stop", Parts: []fxPart{
					{ID: "prt_a3a", Type: "text", Text: "Done.", Created: at(31), Updated: at(70)},
				}},
		}}
	sesB = fxSession{ID: "ses_bbb", Dir: "/home/dev/api server", Title: "New session - 2026-01-02T00:09:00.000Z", Version: "1.2.3",
		Created: at(540), Updated: at(541), Messages: []fxMessage{
			{ID: "msg_b1", Role: "user", Created: at(540), Parts: []fxPart{
				{ID: "prt_b1a", Type: "text", Text: "Add   dark mode\nto the settings page", Created: at(540)},
			}},
			{ID: "msg_b2", Role: "assistant", Created: at(545), Input: 10, Model: "gpt-5", Parts: []fxPart{
				{ID: "prt_b2a", Type: "text", Text: "Looking", Created: at(546), Updated: at(570)},
			}},
		}}
	sesArchived = fxSession{ID: "ses_ccc", Dir: "/home/dev/webapp", Title: "Old idea", Version: "1.2.3",
		Created: at(5), Updated: at(100), Archived: at(100), Messages: []fxMessage{
			{ID: "msg_c1", Role: "user", Created: at(5), Parts: []fxPart{{ID: "prt_c1a", Type: "text", Text: "idea", Created: at(5)}}},
		}}
	sesChild = fxSession{ID: "ses_ddd", Dir: "/home/dev/webapp", Title: "Explore the auth module (@explore subagent)",
		Version: "1.2.3", Parent: "ses_aaa", Created: at(10), Updated: at(20), Messages: []fxMessage{
			{ID: "msg_d1", Role: "user", Created: at(10), Parts: []fxPart{{ID: "prt_d1a", Type: "text", Text: "Find where tokens are checked", Created: at(10)}}},
			{ID: "msg_d2", Role: "assistant", Created: at(11), Input: 50, Output: 5, Model: "claude-haiku-4-5", Error: true},
		}}
	sesDupSQL = fxSession{ID: "ses_dup", Dir: "/srv/tool", Title: "Dup from SQLite", Version: "1.2.0",
		Created: at(-3600), Updated: at(-3000), Messages: []fxMessage{
			{ID: "msg_e1", Role: "user", Created: at(-3600), Parts: []fxPart{{ID: "prt_e1a", Type: "text", Text: "hello sqlite", Created: at(-3600)}}},
			{ID: "msg_e2", Role: "assistant", Created: at(-3590), Completed: at(-3580), Input: 1, Output: 2, Model: "m1", Finish: "stop"},
		}}
	sesDupJSON = fxSession{ID: "ses_dup", Dir: "/srv/tool", Title: "Dup from JSON", Version: "1.1.20",
		Created: at(-3600), Updated: at(-3500), Messages: []fxMessage{
			{ID: "msg_e1", Role: "user", Created: at(-3600), Parts: []fxPart{{ID: "prt_e1a", Type: "text", Text: "hello json", Created: at(-3600)}}},
		}}
	sesJSON = fxSession{ID: "ses_jjj", Dir: "/home/dev/legacy", Title: "Legacy refactor", Version: "1.1.20",
		Created: at(-7200), Updated: at(-7000), Messages: []fxMessage{
			{ID: "msg_j1", Role: "user", Created: at(-7200), Parts: []fxPart{
				{ID: "prt_j1a", Type: "text", Text: "Refactor the legacy module", Created: at(-7200)},
			}},
			{ID: "msg_j2", Role: "assistant", Created: at(-7190), Completed: at(-7100), Input: 500, Output: 100, Reasoning: 50,
				CacheWrite: 1000, Cost: 0.05, Model: "claude-sonnet-4-5", Finish: "stop"},
		}}
	sesJSONArchived = fxSession{ID: "ses_jarch", Dir: "/home/dev/legacy", Title: "Archived legacy", Version: "1.1.20",
		Created: at(-9000), Updated: at(-8000), Archived: at(-8000)}
)

func cost(cs ...float64) float64 {
	var sum int64 // in nano-dollars, as the session's cost is summed
	for _, c := range cs {
		sum += nanoOf(c)
	}
	return float64(sum) / 1e9
}

// Expected sessions, by hand from the fixtures above.
var (
	wantA = shared.Session{ID: "ses_aaa", Source: shared.SourceOpenCode, ProjectPath: "/home/dev/webapp", ProjectName: "webapp",
		Title: "Fix flaky login test", FirstPrompt: "Fix the flaky login test\nin CI", Model: "claude-opus-4-1", MessageCount: 3,
		Tokens:  shared.Tokens{Input: 1300, Output: 430, CacheRead: 8200, CacheWrite: 500}, // reasoning counts as output
		CostUSD: cost(0, 0.0123, 0.001), Status: shared.StatusWaiting, WaitingFor: "input needed", WaitingSince: at(70), Active: false, Question: "Done.",
		CreatedAt: at(0), UpdatedAt: at(70), Version: "1.2.3", // a part written at 70 s
		WorkMs: (at(30) - at(2)) + (at(55) - at(31))} // each answer from created to completed

	wantB = shared.Session{ID: "ses_bbb", Source: shared.SourceOpenCode, ProjectPath: "/home/dev/api server", ProjectName: "api server",
		Title: "Add dark mode to the settings page", FirstPrompt: "Add   dark mode\nto the settings page", Model: "gpt-5",
		MessageCount: 2, Tokens: shared.Tokens{Input: 10}, Status: shared.StatusWorking, Active: true,
		CreatedAt: at(540), UpdatedAt: at(570), Version: "1.2.3"}
	wantChild = shared.Session{ID: "ses_ddd", Source: shared.SourceOpenCode, ProjectPath: "/home/dev/webapp", ProjectName: "webapp",
		Title: "Explore the auth module (@explore subagent)", FirstPrompt: "Find where tokens are checked", Model: "claude-haiku-4-5",
		MessageCount: 2, Tokens: shared.Tokens{Input: 50, Output: 5}, Status: shared.StatusIdle,
		CreatedAt: at(10), UpdatedAt: at(20), Version: "1.2.3", ParentID: "ses_aaa"}
	wantDup = shared.Session{ID: "ses_dup", Source: shared.SourceOpenCode, ProjectPath: "/srv/tool", ProjectName: "tool",
		Title: "Dup from SQLite", FirstPrompt: "hello sqlite", Model: "m1", MessageCount: 2, Tokens: shared.Tokens{Input: 1, Output: 2},
		Status: shared.StatusIdle, CreatedAt: at(-3600), UpdatedAt: at(-3000), Version: "1.2.0", WorkMs: at(-3580) - at(-3590)}
	wantDupJSON = shared.Session{ID: "ses_dup", Source: shared.SourceOpenCode, ProjectPath: "/srv/tool", ProjectName: "tool",
		Title: "Dup from JSON", FirstPrompt: "hello json", MessageCount: 1, Status: shared.StatusIdle,
		CreatedAt: at(-3600), UpdatedAt: at(-3500), Version: "1.1.20"}
	wantJSON = shared.Session{ID: "ses_jjj", Source: shared.SourceOpenCode, ProjectPath: "/home/dev/legacy", ProjectName: "legacy",
		Title: "Legacy refactor", FirstPrompt: "Refactor the legacy module", Model: "claude-sonnet-4-5", MessageCount: 2,
		Tokens: shared.Tokens{Input: 500, Output: 150, CacheWrite: 1000}, CostUSD: cost(0, 0.05), Status: shared.StatusIdle,
		CreatedAt: at(-7200), UpdatedAt: at(-7000), Version: "1.1.20", WorkMs: at(-7100) - at(-7190)}
)

// buildFixture writes the full fixture into a new data folder and returns
// the folder and a writer connection to its database, still open.
func buildFixture(t *testing.T, journal string) (string, *sql.DB) {
	t.Helper()
	dir := t.TempDir()
	db := openWriter(t, filepath.Join(dir, "opencode.db"), journal)
	execSQL(t, db, schemaV12)
	for _, s := range []fxSession{sesA, sesB, sesArchived, sesChild, sesDupSQL} {
		insertSession(t, db, s)
	}
	// A message row that is not JSON: skipped and counted.
	execSQL(t, db, `INSERT INTO message VALUES ('msg_a0', 'ses_aaa', ?, ?, '{not json')`, at(0), at(0))
	storage := filepath.Join(dir, "storage")
	for _, s := range []fxSession{sesDupJSON, sesJSON, sesJSONArchived} {
		writeLegacy(t, storage, s)
	}
	writeFile(t, filepath.Join(storage, "session", "global", "ses_broken.json"), `{"id": "ses_broken", "time": `)
	writeFile(t, filepath.Join(storage, "session", "global", ".oc-ses_x.json.123.456.tmp"), `{}`)
	return dir, db
}

func byID(ss []shared.Session) []shared.Session {
	out := slices.Clone(ss)
	slices.SortFunc(out, func(a, b shared.Session) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func assertSessions(t *testing.T, got []shared.Session, want ...shared.Session) {
	t.Helper()
	got, want = byID(got), byID(want)
	if len(got) != len(want) {
		t.Fatalf("got %d sessions %v, want %d", len(got), ids(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("session %s:\n got %+v\nwant %+v", want[i].ID, got[i], want[i])
		}
	}
}

func ids(ss []shared.Session) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return out
}

func TestScan(t *testing.T) {
	for _, journal := range []string{"WAL", "DELETE"} {
		t.Run(journal, func(t *testing.T) {
			dir, _ := buildFixture(t, journal)
			src := newTestSource(dir)
			defer src.Close()
			got, err := src.Scan(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			assertSessions(t, got, wantA, wantB, wantChild, wantDup, wantJSON)
			st := src.Status()
			want := Status{Roots: []string{dir}, DataDir: dir, DBPath: filepath.Join(dir, "opencode.db"), DBState: StateOK,
				SessionsFromDB: 4, SessionsFromJSON: 1, Skipped: 2}
			if !reflect.DeepEqual(st, want) {
				t.Errorf("status %+v, want %+v", st, want)
			}
			// Sessions recomputes from memory and agrees with Scan.
			assertSessions(t, src.Sessions(), wantA, wantB, wantChild, wantDup, wantJSON)
		})
	}
}

// Status and active age with the clock, without I/O.
func TestSessionsAge(t *testing.T) {
	dir, _ := buildFixture(t, "WAL")
	now := testNow
	src := New(Options{DataDir: dir, Now: func() time.Time { return now }, WaitingWindow: fixtureWaiting})
	defer src.Close()
	if _, err := src.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		now     time.Time
		a, b    shared.Status
		bActive bool
	}{
		{"at scan", testNow, shared.StatusWaiting, shared.StatusWorking, true},
		{"3 min later", testNow.Add(3 * time.Minute), shared.StatusWaiting, shared.StatusIdle, false},
		{"1 h later", testNow.Add(time.Hour), shared.StatusIdle, shared.StatusIdle, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.now
			got := map[string]shared.Session{}
			for _, s := range src.Sessions() {
				got[s.ID] = s
			}
			if got["ses_aaa"].Status != tc.a || got["ses_bbb"].Status != tc.b || got["ses_bbb"].Active != tc.bActive {
				t.Errorf("a %s, b %s active %v; want %s, %s, %v", got["ses_aaa"].Status, got["ses_bbb"].Status,
					got["ses_bbb"].Active, tc.a, tc.b, tc.bActive)
			}
		})
	}
}

// TestWaitingTTL: by default a finished turn waits for a working day, not
// half an hour (a user back from lunch still sees it waiting), and stops
// waiting at the TTL.
func TestWaitingTTL(t *testing.T) {
	dir, _ := buildFixture(t, "WAL")
	now := testNow
	src := New(Options{DataDir: dir, Now: func() time.Time { return now }})
	defer src.Close()
	if _, err := src.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	lastWrite := time.UnixMilli(at(70)) // ses_aaa's last write
	for _, tc := range []struct {
		after  time.Duration
		status shared.Status
		reason string
	}{
		{31 * time.Minute, shared.StatusWaiting, "input needed"},
		{11 * time.Hour, shared.StatusWaiting, "input needed"},
		{12*time.Hour + time.Second, shared.StatusIdle, ""},
	} {
		now = lastWrite.Add(tc.after)
		for _, s := range src.Sessions() {
			if s.ID == "ses_aaa" && (s.Status != tc.status || s.WaitingFor != tc.reason) {
				t.Errorf("+%v: %s %q, want %s %q", tc.after, s.Status, s.WaitingFor, tc.status, tc.reason)
			}
		}
	}
}

// TestModelsOfEachSession: the session page's models are those that
// answered, sorted, for a session in the database and one only in the
// legacy JSON tree alike (the header of such a session showed none).
func TestModelsOfEachSession(t *testing.T) {
	dir, _ := buildFixture(t, "WAL")
	src := newTestSource(dir)
	defer src.Close()
	if _, err := src.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	for sid, want := range map[string]string{
		"ses_aaa": "claude-opus-4-1,claude-sonnet-4-5", // two answers, two models
		"ses_jjj": "claude-sonnet-4-5",                 // from the JSON tree
		"ses_bbb": "gpt-5",                             // still streaming: it answers
	} {
		if got, err := src.Models(sid); err != nil || strings.Join(got, ",") != want {
			t.Errorf("%s: models %v, %v; want %s", sid, got, err, want)
		}
	}
	if _, err := src.Models("ses_unknown"); !errors.Is(err, ErrNotInDB) {
		t.Errorf("an unknown session: %v", err)
	}
}
