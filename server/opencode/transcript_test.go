package opencode

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestMessagesPages(t *testing.T) {
	dir := t.TempDir()
	db := openWriter(t, filepath.Join(dir, "opencode.db"), "wal")
	execSQL(t, db, schemaV12)
	s := fxSession{ID: "ses_page", Dir: "/home/dev/webapp", Title: "t", Version: "1.2.0", Created: at(0), Updated: at(100)}
	for i := range 5 {
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		s.Messages = append(s.Messages, fxMessage{ID: fmt.Sprintf("msg_%02d", i), Role: role, Created: at(int64(i)), Model: "m1",
			Parts: []fxPart{{ID: fmt.Sprintf("prt_%02d", i), Type: "text", Text: fmt.Sprintf("text %d", i), Created: at(int64(i))}}})
	}
	insertSession(t, db, s)
	big := strings.Repeat("x", MaxPartText+10)
	execSQL(t, db, `INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)`,
		"prt_03b", "msg_03", "ses_page", at(3), at(3), mustJSON(t, map[string]any{"type": "tool", "tool": "bash", "callID": "c1",
			"state": map[string]any{"status": "completed", "input": map[string]any{"command": "ls"}, "output": big}}))
	execSQL(t, db, `INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)`,
		"prt_03c", "msg_03", "ses_page", at(3), at(3), mustJSON(t, map[string]any{"type": "file", "mime": "image/png", "url": "data:image/png;base64," + big}))

	src := newTestSource(dir)
	defer src.Close()
	ctx := context.Background()
	if _, err := src.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	ids := func(ms []Message) string {
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name     string
		q        MessagePage
		want     string
		wantMore bool
	}{
		{"last page", MessagePage{Limit: 2}, "msg_03,msg_04", true},
		{"before", MessagePage{Before: "msg_03", Limit: 2}, "msg_01,msg_02", true},
		{"first page", MessagePage{Before: "msg_01", Limit: 2}, "msg_00", false},
		{"after, with the cursor's message again", MessagePage{After: "msg_02", Limit: 1}, "msg_02,msg_03", true},
		{"after, to the end", MessagePage{After: "msg_03", Limit: 5}, "msg_03,msg_04", false},
		{"a cursor whose message was reverted", MessagePage{Before: "msg_02x", Limit: 1}, "msg_02", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, more, err := src.Messages(ctx, "ses_page", tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if ids(got) != tt.want || more != tt.wantMore {
				t.Fatalf("got %s more=%v, want %s more=%v", ids(got), more, tt.want, tt.wantMore)
			}
		})
	}
	got, _, err := src.Messages(ctx, "ses_page", MessagePage{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	parts := got[0].Parts
	if len(parts) != 3 || parts[1].Tool != "bash" || parts[1].OutputLen != int64(len(big)) || len(parts[1].Output) != MaxPartText {
		t.Fatalf("parts of msg_03 = %+v", parts)
	}
	if parts[2].URLLen != int64(len(big)+len("data:image/png;base64,")) || parts[2].Mime != "image/png" {
		t.Errorf("file part = %+v, want its size and type only", parts[2])
	}
	if got[0].Model != "m1" {
		t.Errorf("model = %q", got[0].Model)
	}
	if _, _, err := src.Messages(ctx, "ses_unknown", MessagePage{Limit: 2}); !errors.Is(err, ErrNotInDB) {
		t.Errorf("unknown session: %v", err)
	}
	if models, err := src.Models("ses_page"); err != nil || strings.Join(models, ",") != "m1" {
		t.Errorf("models = %v, %v", models, err)
	}
	if out, err := src.PartText(ctx, "ses_page", "msg_03", "prt_03b", "output"); err != nil || out != big {
		t.Errorf("whole output: %d characters, %v; want %d", len(out), err, len(big))
	}
	for _, q := range [][4]string{
		{"ses_page", "msg_02", "prt_03b", "output"}, // another message's
		{"ses_other", "msg_03", "prt_03b", "output"},
		{"ses_page", "msg_03", "prt_03b", "data"},
		{"ses_page", "msg_03", "prt_03b", "text"}, // a tool part has no text field
	} {
		if _, err := src.PartText(ctx, q[0], q[1], q[2], q[3]); err == nil {
			t.Errorf("PartText%v: no error", q)
		}
	}
}

func TestMessagesFromLegacyTree(t *testing.T) {
	dir := t.TempDir()
	storage := filepath.Join(dir, "storage")
	s := fxSession{ID: "ses_legacy", Dir: "/home/dev/old", Title: "t", Version: "1.1.0", Created: at(0), Updated: at(10)}
	for i := range 3 {
		s.Messages = append(s.Messages, fxMessage{ID: fmt.Sprintf("msg_%02d", i), Role: "user", Created: at(int64(i)),
			Parts: []fxPart{{ID: fmt.Sprintf("prt_%02d", i), Type: "text", Text: fmt.Sprintf("old %d", i)}}})
	}
	writeLegacy(t, storage, s)
	src := newTestSource(dir)
	defer src.Close()
	ctx := context.Background()
	if _, err := src.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	got, more, err := src.Messages(ctx, "ses_legacy", MessagePage{Limit: 2})
	if err != nil || !more || len(got) != 2 || got[0].ID != "msg_01" || got[1].Parts[0].Text != "old 2" {
		t.Fatalf("last page: %+v more=%v %v", got, more, err)
	}
	got, more, err = src.Messages(ctx, "ses_legacy", MessagePage{Before: "msg_01", Limit: 2})
	if err != nil || more || len(got) != 1 || got[0].ID != "msg_00" {
		t.Fatalf("first page: %+v more=%v %v", got, more, err)
	}
	got, more, err = src.Messages(ctx, "ses_legacy", MessagePage{After: "msg_01", Limit: 5})
	if err != nil || more || len(got) != 2 || got[0].ID != "msg_01" {
		t.Fatalf("after page: %+v more=%v %v", got, more, err)
	}
	if text, err := src.PartText(ctx, "ses_legacy", "msg_01", "prt_01", "text"); err != nil || text != "old 1" {
		t.Errorf("legacy part text: %q, %v", text, err)
	}
	if _, err := src.PartText(ctx, "ses_legacy", "msg_01", "../prt_01", "text"); !errors.Is(err, ErrNoPart) {
		t.Errorf("a part id with a path: %v", err)
	}
	if _, err := src.PartText(ctx, "ses_legacy", "msg_01", "prt_01", "output"); !errors.Is(err, ErrNoPart) {
		t.Errorf("a text part's output: %v, want ErrNoPart", err)
	}
}

// An answer a crash left (neither completed nor failed) with a later
// answer in the session is not running, on a page that ends with it as
// on one that reaches the end: an older window's last answer showed its
// calls running for good. The answer OpenCode writes now, prompts typed
// meanwhile after it, still runs.
func TestCrashedAnswerIsOverOnAnOlderPage(t *testing.T) {
	s := fxSession{ID: "ses_crash", Dir: "/home/dev/webapp", Title: "t", Version: "1.2.0", Created: at(0), Updated: at(100)}
	for i, m := range []struct {
		role      string
		completed int64
	}{{"user", 0}, {"assistant", 0}, {"user", 0}, {"assistant", at(4)}, {"user", 0}, {"assistant", 0}, {"user", 0}} {
		// msg_01 was left by a crash; msg_05 is being written, msg_06
		// typed meanwhile.
		s.Messages = append(s.Messages, fxMessage{ID: fmt.Sprintf("msg_%02d", i), Role: m.role, Created: at(int64(i)), Completed: m.completed, Model: "m1",
			Parts: []fxPart{{ID: fmt.Sprintf("prt_%02d", i), Type: "text", Text: fmt.Sprintf("text %d", i), Created: at(int64(i))}}})
	}
	running := func(t *testing.T, src *Source, sid string) {
		ctx := context.Background()
		for _, tc := range []struct {
			name string
			q    MessagePage
			last string // the page's last message, for the fixture's sake
			want bool   // its Running
		}{
			{"before, ending with the crashed answer", MessagePage{Before: "msg_02", Limit: 2}, "msg_01", false},
			{"from the start, ending with it", MessagePage{After: "msg_00", Limit: 1}, "msg_01", false},
			{"before, ending after it", MessagePage{Before: "msg_03", Limit: 3}, "msg_02", false},
			{"the end, its answer being written", MessagePage{Limit: 3}, "msg_06", true},
		} {
			got, _, err := src.Messages(ctx, sid, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || got[len(got)-1].ID != tc.last {
				t.Fatalf("%s: a page of %d ending %+v, want it to end with %s", tc.name, len(got), got, tc.last)
			}
			for _, m := range got {
				if m.ID == "msg_01" && m.Running {
					t.Errorf("%s: the answer a crash left runs", tc.name)
				}
				if m.ID == "msg_05" && m.Running != tc.want {
					t.Errorf("%s: the answer being written runs = %v, want %v", tc.name, m.Running, tc.want)
				}
			}
		}
	}
	t.Run("database", func(t *testing.T) {
		dir := t.TempDir()
		db := openWriter(t, filepath.Join(dir, "opencode.db"), "wal")
		execSQL(t, db, schemaV12)
		insertSession(t, db, s)
		src := newTestSource(dir)
		defer src.Close()
		if _, err := src.Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		running(t, src, s.ID)
	})
	t.Run("legacy tree", func(t *testing.T) {
		dir := t.TempDir()
		writeLegacy(t, filepath.Join(dir, "storage"), s)
		src := newTestSource(dir)
		defer src.Close()
		if _, err := src.Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		running(t, src, s.ID)
	})
}

// An older page of a legacy session learns whether an answer follows it
// from a few files, however many prompts were typed after the answer a
// crash left: it read every message file after the page, whole, up to
// the next answer (with 5,000 messages, 0.5 s at each page request).
// An answer written since the list last read the tree is still seen.
func TestOlderLegacyPageReadsFewFilesAfterIt(t *testing.T) {
	const n = 40 // messages: a prompt, the answer a crash left, prompts, maybe an answer
	for _, answered := range []bool{true, false} {
		t.Run(fmt.Sprintf("answered=%v", answered), func(t *testing.T) {
			dir := t.TempDir()
			legacyQueued(t, dir, n, answered)
			src := newTestSource(dir)
			defer src.Close()
			if _, err := src.Scan(context.Background()); err != nil {
				t.Fatal(err)
			}
			var opened []string
			src.json.opened = func(p string) {
				if strings.Contains(filepath.ToSlash(p), "/message/") {
					opened = append(opened, filepath.Base(p))
				}
			}
			msgs, more, err := src.Messages(context.Background(), "ses_long", MessagePage{After: "msg_00000", Limit: 1})
			if err != nil || len(msgs) != 2 || !more {
				t.Fatalf("page %+v, more %v, err %v", msgs, more, err)
			}
			if msgs[1].Running == answered {
				t.Errorf("the answer a crash left runs = %v with an answer after it %v", msgs[1].Running, answered)
			}
			if most := 2 + maxAnswerLook; len(opened) > most {
				t.Errorf("the page opened %d message files, want at most %d (its own 2 and %d after it)", len(opened), most, maxAnswerLook)
			}
		})
	}
	t.Run("answered since the list read", func(t *testing.T) {
		dir := t.TempDir()
		legacyQueued(t, dir, 6, false)
		src := newTestSource(dir)
		defer src.Close()
		if _, err := src.Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		writeLegacyMessage(t, filepath.Join(dir, "storage"), "ses_long",
			fxMessage{ID: "msg_00006", Role: "assistant", Created: at(6), Completed: at(7), Model: "m", Finish: "stop"})
		msgs, _, err := src.Messages(context.Background(), "ses_long", MessagePage{After: "msg_00000", Limit: 1})
		if err != nil || len(msgs) != 2 || msgs[1].Running {
			t.Fatalf("page %+v, err %v: want the answer a crash left over, an answer being written after it", msgs, err)
		}
	})
}
