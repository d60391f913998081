package opencode

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// TestSessionTimesReadLeniently: a session row whose time_created or
// time_updated is REAL or TEXT is listed, its times read as a message's
// are (a REAL cut to its whole milliseconds, a TEXT as none); such a row
// was skipped whole. A message row whose time_updated is REAL counts as
// well.
func TestSessionTimesReadLeniently(t *testing.T) {
	base := fxSession{Dir: "/home/dev/shop", Title: "Odd", Version: "1.2.3", Created: at(-700), Updated: at(130)}
	msgs := func(sid string) []fxMessage {
		return []fxMessage{
			{ID: "msg_" + sid + "1", Role: "user", Created: at(100), Parts: []fxPart{{ID: "prt_" + sid + "1", Type: "text", Text: "go", Created: at(100)}}},
			{ID: "msg_" + sid + "2", Role: "assistant", Created: at(110), Completed: at(120), Input: 10, Cost: 0.5, Model: "m", Finish: "stop"},
		}
	}
	var sessions []fxSession
	for _, id := range []string{"ses_real", "ses_text", "ses_mreal"} {
		s := base
		s.ID, s.Messages = id, msgs(id[4:])
		sessions = append(sessions, s)
	}
	src := dbWith(t, func(db *sql.DB) {
		execSQL(t, db, `UPDATE session SET time_created = ?, time_updated = ? WHERE id = 'ses_real'`, float64(at(-700))+0.5, float64(at(130))+0.25)
		execSQL(t, db, `UPDATE session SET time_created = 'yesterday', time_updated = 'now' WHERE id = 'ses_text'`)
		execSQL(t, db, `UPDATE message SET time_updated = ? WHERE session_id = 'ses_mreal'`, float64(at(125))+0.5)
	}, sessions...)
	list := scan(t, src)
	byID := map[string]shared.Session{}
	for _, s := range list {
		byID[s.ID] = s
	}
	for _, id := range []string{"ses_real", "ses_text", "ses_mreal"} {
		s, ok := byID[id]
		if !ok {
			t.Errorf("%s not listed; sessions %v", id, slices.Sorted(maps.Keys(byID)))
			continue
		}
		if s.MessageCount != 2 || s.CostUSD != 0.5 {
			t.Errorf("%s: %d messages, $%v; want 2 and $0.5", id, s.MessageCount, s.CostUSD)
		}
	}
	if s := byID["ses_real"]; s.CreatedAt != at(-700) {
		t.Errorf("ses_real created at %d, want %d (its REAL time cut to the millisecond)", s.CreatedAt, at(-700))
	}
	if s := byID["ses_text"]; s.CreatedAt != 0 || s.UpdatedAt != at(120) {
		t.Errorf("ses_text created %d, updated %d; want none and its last message's %d", s.CreatedAt, s.UpdatedAt, at(120))
	}
	if sk := src.Status().Skipped; sk != 0 {
		t.Errorf("%d skipped, want none", sk)
	}
}

// TestSkippedCountsWhatIsPassedOverNow: Status.Skipped says how many
// rows and files are passed over now, and each is logged once. It grew
// at every write (each update read the session table again and counted
// its bad row again), and no log line named a row.
func TestSkippedCountsWhatIsPassedOverNow(t *testing.T) {
	dir := t.TempDir()
	db := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
	execSQL(t, db, schemaV12)
	good := fxSession{ID: "ses_good", Dir: "/home/dev/shop", Title: "Good", Version: "1.2.3", Created: at(-700), Updated: at(130),
		Messages: []fxMessage{{ID: "msg_g1", Role: "user", Created: at(100), Parts: []fxPart{{ID: "prt_g1", Type: "text", Text: "go", Created: at(100)}}}}}
	insertSession(t, db, good)
	bad := good
	bad.ID, bad.Messages = "../bad-session", nil
	insertSession(t, db, bad)
	execSQL(t, db, `INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES ('msg_badjson', 'ses_good', ?, ?, 'not json')`, at(101), at(101))
	storage := filepath.Join(dir, "storage")
	writeFile(t, filepath.Join(storage, "session", "4b825dc6", "ses_badfile.json"), "{not json")

	var logs strings.Builder
	src := New(Options{DataDir: dir, Now: func() time.Time { return testNow }, busyTimeout: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer src.Close()
	scan(t, src)
	const want = 3 // the session row, the message row, the session file
	if sk := src.Status().Skipped; sk != want {
		t.Fatalf("after the scan %d skipped, want %d", sk, want)
	}
	for i := range 3 {
		insertMessage(t, db, good.ID, fxMessage{ID: fmt.Sprintf("msg_g%d", i+2), Role: "user", Created: at(int64(200 + i))})
		if _, _, err := src.Update(context.Background(), []string{filepath.Join(dir, "opencode.db-wal"), filepath.Join(storage, "session")}); err != nil {
			t.Fatal(err)
		}
		if sk := src.Status().Skipped; sk != want {
			t.Fatalf("after update %d: %d skipped, want still %d", i+1, sk, want)
		}
	}
	for _, name := range []string{`\"../bad-session\"`, `\"msg_badjson\"`, `session/4b825dc6/ses_badfile.json`} {
		n := 0
		for line := range strings.Lines(logs.String()) {
			if strings.Contains(line, name) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s logged %d times, want once\n%s", name, n, logs.String())
		}
	}

	// Mended, they are passed over no more.
	execSQL(t, db, `DELETE FROM session WHERE id = '../bad-session'`)
	execSQL(t, db, `DELETE FROM message WHERE id = 'msg_badjson'`)
	os.Remove(filepath.Join(storage, "session", "4b825dc6", "ses_badfile.json"))
	if _, _, err := src.Update(context.Background(), []string{filepath.Join(dir, "opencode.db-wal"), filepath.Join(storage, "session")}); err != nil {
		t.Fatal(err)
	}
	if sk := src.Status().Skipped; sk != 0 {
		t.Errorf("mended: %d skipped, want none", sk)
	}
}
