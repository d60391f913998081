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

// TestDuplicateMessageCountedOnce: in a message table made without its
// primary key, a rewrite of a message adds a row of the same id; the
// message counts once, as its later row says, in a scan and in an
// update alike. Its cost and tokens counted twice.
func TestDuplicateMessageCountedOnce(t *testing.T) {
	for _, tc := range []struct {
		name, table string
		tie         bool // both rows written at the same time: the one inserted last wins
	}{
		{"no key", "CREATE TABLE message (id text, ", true},
		{"without rowid, keyed on session, time written and id", "CREATE TABLE message (id text NOT NULL, ", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			schema := strings.Replace(schemaV12, "CREATE TABLE message (id text PRIMARY KEY, ", tc.table, 1)
			if strings.HasPrefix(tc.name, "without rowid") {
				schema = strings.Replace(schema, "data text NOT NULL);\nCREATE INDEX message_session",
					"data text NOT NULL, PRIMARY KEY (session_id, time_updated, id)) WITHOUT ROWID;\nCREATE INDEX message_session", 1)
			}
			if schema == schemaV12 {
				t.Fatal("the schema was not changed")
			}
			dir := t.TempDir()
			db := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
			execSQL(t, db, schema)
			streaming := fxMessage{ID: "msg_d2", Role: "assistant", Created: at(110), Input: 100, Cost: 0.25, Model: "m"}
			if tc.tie {
				streaming.Updated = at(120)
			}
			s := fxSession{ID: "ses_dup", Dir: "/home/dev/shop", Title: "Dup", Version: "1.2.3", Created: at(-700), Updated: at(130),
				Messages: []fxMessage{
					{ID: "msg_d1", Role: "user", Created: at(100), Parts: []fxPart{{ID: "prt_d1", Type: "text", Text: "go", Created: at(100)}}},
					streaming,
				}}
			insertSession(t, db, s)
			done := streaming
			done.Completed, done.Input, done.Cost, done.Finish = at(120), 300, 0.5, "stop"
			insertMessage(t, db, s.ID, done) // the rewrite, as a second row
			src := newTestSource(dir)
			defer src.Close()
			check := func(when string, got []shared.Session) {
				t.Helper()
				if len(got) != 1 || got[0].MessageCount != 2 || got[0].CostUSD != 0.5 || got[0].Tokens.Input != 300 || got[0].Status != shared.StatusWaiting {
					t.Fatalf("%s: sessions %+v; want one of 2 messages, $0.5, 300 input tokens, waiting (the later row's)", when, got)
				}
			}
			check("scan", scan(t, src))
			again := done
			again.Updated, again.Input, again.Cost = at(130), 400, 0.75 // rewritten once more
			insertMessage(t, db, s.ID, fxMessage{ID: "msg_d3", Role: "user", Created: at(125)})
			insertMessage(t, db, s.ID, again)
			changed, _ := update(t, src, filepath.Join(dir, "opencode.db-wal"))
			if len(changed) != 1 || changed[0].MessageCount != 3 || changed[0].CostUSD != 0.75 || changed[0].Tokens.Input != 400 {
				t.Fatalf("update: %+v; want one session of 3 messages, $0.75, 400 input tokens", changed)
			}
			page, _, err := src.Messages(context.Background(), s.ID, MessagePage{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range page {
				ids = append(ids, m.ID)
			}
			if !slices.Equal(ids, []string{"msg_d1", "msg_d2", "msg_d3"}) {
				t.Errorf("the session page's messages %v, want each once", ids)
			}
		})
	}
}
