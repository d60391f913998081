package opencode

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestQuestionFromLegacyTree: a session of the legacy JSON tree whose
// newest message is a finished answer asks the first line of that
// answer's last text part that OpenCode did not inject; otherwise none.
func TestQuestionFromLegacyTree(t *testing.T) {
	answer := fxMessage{ID: "msg_q2", Role: "assistant", Created: at(100), Completed: at(110), Finish: "stop", Parts: []fxPart{
		{ID: "prt_q2a", Type: "text", Text: "Built it.", Created: at(100)},
		{ID: "prt_q2b", Type: "text", Text: "\n<b>Ship</b> it\u202E now?\nor wait", Created: at(105)},
		{ID: "prt_q2c", Type: "text", Text: "synthetic note", Synthetic: true, Created: at(109)},
	}}
	prompt := fxMessage{ID: "msg_q1", Role: "user", Created: at(90), Parts: []fxPart{{ID: "prt_q1a", Type: "text", Text: "ship it", Created: at(90)}}}
	cases := []struct {
		name string
		msgs []fxMessage
		want string
	}{
		{"a finished answer", []fxMessage{prompt, answer}, "<b>Ship</b> it now?"},
		{"an answer still streaming", []fxMessage{prompt, func() fxMessage { m := answer; m.Completed, m.Finish = 0, ""; return m }()}, ""},
		{"a prompt after the answer", []fxMessage{prompt, answer, {ID: "msg_q3", Role: "user", Created: at(200), Parts: []fxPart{{ID: "prt_q3a", Type: "text", Text: "yes", Created: at(200)}}}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeLegacy(t, filepath.Join(dir, "storage"), fxSession{ID: "ses_qqq", Dir: "/q", Title: "Q", Version: "1.1.20",
				Created: at(90), Updated: at(200), Messages: tc.msgs})
			src := newTestSource(dir)
			defer src.Close()
			got := scan(t, src)
			if len(got) != 1 || got[0].Question != tc.want {
				t.Fatalf("sessions %+v, want question %q", got, tc.want)
			}
		})
	}
}

// TestLongAnswerReadInPart: a waiting session's question line is looked
// for in the start of its answer only: a 30 MB answer came out of SQLite
// (and a 12 MB part file out of the JSON tree) whole, at every read of its
// session, for a line of 200 runes. The Go heap a scan allocates stays
// well under the answer's size, and the question is its first line.
func TestLongAnswerReadInPart(t *testing.T) {
	// 4 MiB, where the answer that was read whole was 30 MB: a whole read
	// is still over the bound (half the answer and a megabyte; a scan
	// allocates a few hundred KB), and storing 30 MB in SQLite under
	// -race took 11 CPU-s.
	text := "\n\n  Shall I ship it?\n" + strings.Repeat("All tests pass. ", 4<<20/16)
	answer := fxMessage{ID: "msg_l2", Role: "assistant", Created: at(100), Completed: at(110), Finish: "stop",
		Parts: []fxPart{{ID: "prt_l2", Type: "text", Text: text, Created: at(100)}}}
	s := fxSession{ID: "ses_long", Dir: "/l", Title: "L", Version: "1.2.3", Created: at(90), Updated: at(110), Messages: []fxMessage{
		{ID: "msg_l1", Role: "user", Created: at(90), Parts: []fxPart{{ID: "prt_l1", Type: "text", Text: "ship it", Created: at(90)}}},
		answer,
	}}
	for _, tc := range []struct {
		name  string
		size  int // the answer's size in its store
		build func(t *testing.T, dir string)
	}{
		{"sqlite", len(text), func(t *testing.T, dir string) {
			db := openWriter(t, filepath.Join(dir, "opencode.db"), "WAL")
			execSQL(t, db, schemaV12)
			insertSession(t, db, s)
		}},
		{"json tree", 4 << 20, func(t *testing.T, dir string) {
			js := s
			js.Messages = slices.Clone(s.Messages)
			js.Messages[1].Parts = []fxPart{{ID: "prt_l2", Type: "text", Text: text[:4<<20], Created: at(100)}}
			writeLegacy(t, filepath.Join(dir, "storage"), js)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.build(t, dir)
			src := newTestSource(dir)
			defer src.Close()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got := scan(t, src)
			runtime.ReadMemStats(&after)
			if len(got) != 1 || got[0].Question != "Shall I ship it?" {
				t.Fatalf("sessions %+v, want the question %q", got, "Shall I ship it?")
			}
			// The JSON tree's part file too: it was read whole into a
			// buffer of its size (skimPart).
			limit := uint64(tc.size)/2 + 1<<20
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("the scan allocated %d KB", alloc>>10)
			if alloc > limit {
				t.Errorf("the scan allocated %d MB for an answer of %d MB; want at most %d MB", alloc>>20, tc.size>>20, limit>>20)
			}
		})
	}
}
