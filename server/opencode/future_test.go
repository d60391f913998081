package opencode

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// far is a time OpenCode cannot have written a row at: a clock set years
// ahead, or a corrupt value.
var far = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

// A row stamped far in the future must neither pin its session to the
// top of the list nor move the read mark past now: the mark decides
// which sessions are watched for rows rewritten in place, and a mark
// in 2099 left every real session unwatched.
func TestFutureRowTimes(t *testing.T) {
	dir, w := buildFixture(t, "WAL")
	insertSession(t, w, fxSession{ID: "ses_far", Dir: "/home/dev/far", Title: "From the future", Version: "1.2.4",
		Created: at(100), Updated: far, Messages: []fxMessage{
			{ID: "msg_f1", Role: "user", Created: at(100), Updated: far,
				Parts: []fxPart{{ID: "prt_f1a", Type: "text", Text: "hello", Created: at(100), Updated: far}}},
		}})
	// The same in the legacy JSON tree: a session file updated in 2099,
	// a message written at 200 s and one "completed" in 2099.
	writeLegacy(t, filepath.Join(dir, "storage"), fxSession{ID: "ses_farjson", Dir: "/home/dev/far", Title: "Legacy future",
		Version: "1.1.20", Created: at(150), Updated: far, Messages: []fxMessage{
			{ID: "msg_fj1", Role: "user", Created: at(150)},
			{ID: "msg_fj2", Role: "assistant", Created: at(200), Completed: far, Finish: "stop"},
		}})
	src := newTestSource(dir)
	defer src.Close()
	got, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"ses_far": at(100), "ses_farjson": at(200)}
	for _, s := range got {
		if w, ok := want[s.ID]; ok {
			if s.UpdatedAt != w {
				t.Errorf("%s, with times in 2099: UpdatedAt %d, want its latest believable time %d", s.ID, s.UpdatedAt, w)
			}
			delete(want, s.ID)
		}
	}
	if len(want) > 0 {
		t.Errorf("not listed: %v", want)
	}

	// A streaming part of another session, rewritten in place.
	execSQL(t, w, `UPDATE part SET data = json_set(data, '$.text', 'Looking at settings'), time_updated = ? WHERE id = 'prt_b2a'`, at(580))
	changed, _ := update(t, src, filepath.Join(dir, "opencode.db-wal"))
	b := wantB
	b.UpdatedAt = at(580)
	assertSessions(t, changed, b)
	if got := src.dbMark; got > testNow.Add(time.Hour).UnixMilli() {
		t.Errorf("read mark %s, past now (%s)", time.UnixMilli(got).UTC(), testNow.UTC())
	}
}
