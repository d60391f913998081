package opencode

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

func update(t *testing.T, src *Source, paths ...string) ([]shared.Session, []string) {
	t.Helper()
	changed, removed, err := src.Update(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	return changed, removed
}

func assertRemoved(t *testing.T, got []string, want ...string) {
	t.Helper()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("removed %v, want %v", got, want)
	}
}

// Rows committed by another connection live in the -wal until a
// checkpoint; a hint on the -wal must find them, and only them.
func TestUpdateWAL(t *testing.T) {
	dir, w := buildFixture(t, "WAL")
	dbPath := filepath.Join(dir, "opencode.db")
	wal := dbPath + "-wal"
	src := newTestSource(dir)
	defer src.Close()
	if _, err := src.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	mainBefore := tree(t, dir)["opencode.db"]

	newSes := fxSession{ID: "ses_new", Dir: "/home/dev/new", Title: "Write the changelog", Version: "1.2.4",
		Created: at(590), Updated: at(590), Messages: []fxMessage{
			{ID: "msg_n1", Role: "user", Created: at(590), Parts: []fxPart{{ID: "prt_n1a", Type: "text", Text: "Write the changelog for 2.0", Created: at(590)}}},
		}}
	insertSession(t, w, newSes)
	if tree(t, dir)["opencode.db"] != mainBefore {
		t.Fatal("the main database file changed: a checkpoint ran, the test would not prove WAL reading")
	}
	wantNew := shared.Session{ID: "ses_new", Source: shared.SourceOpenCode, ProjectPath: "/home/dev/new", ProjectName: "new",
		Title: "Write the changelog", FirstPrompt: "Write the changelog for 2.0", MessageCount: 1,
		Status: shared.StatusWorking, Active: true, CreatedAt: at(590), UpdatedAt: at(590), Version: "1.2.4"}

	steps := []struct {
		name    string
		write   func()
		paths   []string
		changed []shared.Session
		removed []string
	}{
		{"new session in the WAL", nil, []string{wal}, []shared.Session{wantNew}, nil},
		{"no new rows", nil, []string{wal}, nil, nil},
		{"shm and foreign paths are ignored", func() {
			insertMessage(t, w, "ses_new", fxMessage{ID: "msg_n2", Role: "assistant", Created: at(591), Completed: at(599),
				Input: 40, Output: 7, Reasoning: 3, CacheRead: 900, CacheWrite: 11, Cost: 0.02, Model: "claude-sonnet-4-5", Finish: "stop"})
		}, []string{dbPath + "-shm", filepath.Join(dir, "auth.json"), "/elsewhere/opencode.db-wal"}, nil, nil},
		{"new assistant message", nil, []string{wal}, []shared.Session{func() shared.Session {
			s := wantNew
			s.MessageCount, s.Model, s.CostUSD = 2, "claude-sonnet-4-5", cost(0, 0.02)
			s.Tokens = shared.Tokens{Input: 40, Output: 10, CacheRead: 900, CacheWrite: 11}
			s.Status, s.UpdatedAt, s.WaitingFor, s.WaitingSince = shared.StatusWaiting, at(599), "input needed", at(599)
			s.WorkMs = at(599) - at(591)
			return s
		}()}, nil},
		{"rewrite with the same content", func() {
			execSQL(t, w, `UPDATE message SET data = data WHERE id = 'msg_n2'`)
		}, []string{wal}, nil, nil},
		{"a streaming part rewritten in place", func() {
			execSQL(t, w, `UPDATE part SET data = json_set(data, '$.text', 'Looking at settings'), time_updated = ? WHERE id = 'prt_b2a'`, at(580))
		}, []string{wal}, []shared.Session{func() shared.Session {
			s := wantB
			s.UpdatedAt = at(580)
			return s
		}()}, nil},
		{"an assistant message completed in place", func() {
			m := sesB.Messages[1]
			m.Completed, m.Output, m.Finish = at(600), 25, "stop"
			execSQL(t, w, `UPDATE message SET data = ?, time_updated = ? WHERE id = ?`, mustJSON(t, m.info("", false)), at(600), m.ID)
		}, []string{wal}, []shared.Session{func() shared.Session {
			s := wantB
			s.UpdatedAt, s.Status, s.Tokens = at(600), shared.StatusWaiting, shared.Tokens{Input: 10, Output: 25}
			s.WaitingFor, s.WaitingSince = "input needed", at(600)
			s.Question = "Looking at settings" // its last text part, now a finished answer
			s.WorkMs = at(600) - at(545)       // counted once the answer completes
			return s
		}()}, nil},
		{"archived", func() {
			execSQL(t, w, `UPDATE session SET time_archived = ?, time_updated = ? WHERE id = 'ses_bbb'`, at(600), at(600))
		}, []string{wal}, nil, []string{"ses_bbb"}},
		{"deleted", func() {
			execSQL(t, w, `DELETE FROM session WHERE id = 'ses_ddd'`)
		}, []string{wal}, nil, []string{"ses_ddd"}},
		{"a checkpoint changes nothing", func() {
			execSQL(t, w, `PRAGMA wal_checkpoint(TRUNCATE)`)
		}, []string{dbPath, wal}, nil, nil},
	}
	for _, st := range steps {
		if st.write != nil {
			st.write()
		}
		changed, removed := update(t, src, st.paths...)
		t.Run(st.name, func(t *testing.T) {
			assertSessions(t, changed, st.changed...)
			assertRemoved(t, removed, st.removed...)
		})
	}
	if st := src.Status(); st.DBState != StateOK || st.SessionsFromDB != 3 { // a, dup, new
		t.Errorf("status %+v", st)
	}
}

// Changes to the legacy tree re-read the session they belong to.
func TestUpdateJSON(t *testing.T) {
	dir, w := buildFixture(t, "WAL")
	storage := filepath.Join(dir, "storage")
	src := newTestSource(dir)
	defer src.Close()
	if _, err := src.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	jsonFile := filepath.Join(storage, "session", "4b825dc6", "ses_jjj.json")
	steps := []struct {
		name    string
		write   func() []string // returns the paths to hint
		changed []shared.Session
		removed []string
	}{
		{"new message", func() []string {
			m := fxMessage{ID: "msg_j3", Role: "user", Created: at(-6000), Parts: []fxPart{{ID: "prt_j3a", Type: "text", Text: "and tests", Created: at(-6000)}}}
			writeLegacyMessage(t, storage, "ses_jjj", m)
			return []string{filepath.Join(storage, "message", "ses_jjj", "msg_j3.json"), filepath.Join(storage, "part", "msg_j3", "prt_j3a.json")}
		}, []shared.Session{func() shared.Session {
			s := wantJSON
			s.MessageCount, s.UpdatedAt = 3, at(-6000)
			return s
		}()}, nil},
		{"temp files and other folders are ignored", func() []string {
			return []string{filepath.Join(storage, "message", "ses_jjj", ".oc-msg_j4.json.1.2.tmp"), filepath.Join(storage, "todo", "ses_jjj.json")}
		}, nil, nil},
		{"a JSON change to a session SQLite has is not shown", func() []string {
			writeLegacyMessage(t, storage, "ses_dup", fxMessage{ID: "msg_e9", Role: "user", Created: at(-3000)})
			return []string{filepath.Join(storage, "message", "ses_dup", "msg_e9.json")}
		}, nil, nil},
		{"new session file", func() []string {
			s := fxSession{ID: "ses_kkk", Dir: "/k", Title: "Kilo", Version: "1.1.20", Created: at(-100), Updated: at(-100)}
			writeLegacy(t, storage, s)
			return []string{filepath.Join(storage, "session", "4b825dc6", "ses_kkk.json")}
		}, []shared.Session{{ID: "ses_kkk", Source: shared.SourceOpenCode, ProjectPath: "/k", ProjectName: "k", Title: "Kilo",
			Status: shared.StatusIdle, CreatedAt: at(-100), UpdatedAt: at(-100), Version: "1.1.20"}}, nil},
		{"session archived", func() []string {
			s := sesJSON
			s.Archived, s.Messages = at(-50), nil
			writeLegacy(t, storage, s)
			return []string{jsonFile}
		}, nil, []string{"ses_jjj"}},
		{"session file removed", func() []string {
			os.Remove(filepath.Join(storage, "session", "4b825dc6", "ses_kkk.json"))
			return []string{filepath.Join(storage, "session", "4b825dc6", "ses_kkk.json")}
		}, nil, []string{"ses_kkk"}},
		{"SQLite loses a session the JSON tree has: the JSON copy shows", func() []string {
			execSQL(t, w, `DELETE FROM session WHERE id = 'ses_dup'`)
			return []string{filepath.Join(dir, "opencode.db-wal")}
		}, []shared.Session{func() shared.Session {
			s := wantDupJSON // with the message added above
			s.MessageCount, s.UpdatedAt = 2, at(-3000)
			return s
		}()}, nil},
	}
	for _, st := range steps {
		changed, removed := update(t, src, st.write()...)
		t.Run(st.name, func(t *testing.T) {
			assertSessions(t, changed, st.changed...)
			assertRemoved(t, removed, st.removed...)
		})
	}
}

// Without rowids, new rows cannot be told by rowid: every update scans
// the table by time, and so sees a rewrite in any session.
func TestUpdateWithoutRowid(t *testing.T) {
	dir := t.TempDir()
	w := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
	execSQL(t, w, strings.Replace(schemaV12, "time_updated integer NOT NULL, data text NOT NULL);\nCREATE INDEX part_message_id_id_idx",
		"time_updated integer NOT NULL, data text NOT NULL) WITHOUT ROWID;\nCREATE INDEX part_message_id_id_idx", 1))
	for _, s := range []fxSession{sesB, sesDupSQL} {
		insertSession(t, w, s)
	}
	src := newTestSource(dir)
	defer src.Close()
	assertSessions(t, scan(t, src), wantB, wantDup)
	// ses_dup is an hour old: not hot.
	execSQL(t, w, `UPDATE part SET time_updated = ? WHERE id = 'prt_e1a'`, at(600))
	changed, removed := update(t, src, filepath.Join(dir, "opencode.db-wal"))
	want := wantDup
	want.UpdatedAt, want.Status, want.Active = at(600), shared.StatusWaiting, true
	want.WaitingFor, want.WaitingSince = "input needed", at(600)
	assertSessions(t, changed, want)
	assertRemoved(t, removed)
}
