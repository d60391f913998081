package opencode

import (
	"context"
	"path/filepath"
	"testing"
)

// taskParts are tool parts as OpenCode's task tool writes them (the child
// session in state.metadata.sessionId), and shapes that name none.
var taskParts = []struct {
	id   string
	data map[string]any
	want string
}{
	{"prt_01", map[string]any{"type": "tool", "tool": "task", "callID": "c1", "state": map[string]any{"status": "completed",
		"input": map[string]any{"description": "explore", "prompt": "look", "subagent_type": "general"}, "output": "done",
		"metadata": map[string]any{"parentSessionId": "ses_parent", "sessionId": "ses_child1"}}}, "ses_child1"},
	{"prt_02", map[string]any{"type": "tool", "tool": "bash", "callID": "c2", "state": map[string]any{"status": "completed",
		"input": map[string]any{"command": "ls"}, "output": "a", "metadata": map[string]any{"exit": 0}}}, ""},
	{"prt_03", map[string]any{"type": "tool", "tool": "task", "callID": "c3", "state": map[string]any{"status": "running",
		"input": map[string]any{"description": "odd"}, "metadata": map[string]any{"sessionId": 42}}}, ""},
	{"prt_04", map[string]any{"type": "tool", "tool": "task", "callID": "c4", "state": map[string]any{"status": "running",
		"input": map[string]any{"description": "odder"}, "metadata": "not an object"}}, ""},
}

func checkChildren(t *testing.T, src *Source, sid string) {
	t.Helper()
	got, _, err := src.Messages(context.Background(), sid, MessagePage{Limit: 5})
	if err != nil || len(got) != 1 {
		t.Fatalf("messages: %+v, %v", got, err)
	}
	if len(got[0].Parts) != len(taskParts) {
		t.Fatalf("%d parts, want %d: a metadata shape cost a part", len(got[0].Parts), len(taskParts))
	}
	for i, p := range got[0].Parts {
		if p.ChildSession != taskParts[i].want {
			t.Errorf("%s: child session %q, want %q", taskParts[i].id, p.ChildSession, taskParts[i].want)
		}
	}
}

// A task call names the child session its subagent ran in, read from the
// database and from the legacy JSON tree alike.
func TestTaskCallNamesItsChildSession(t *testing.T) {
	t.Run("database", func(t *testing.T) {
		dir := t.TempDir()
		db := openWriter(t, filepath.Join(dir, "opencode.db"), "wal")
		execSQL(t, db, schemaV12)
		insertSession(t, db, fxSession{ID: "ses_parent", Dir: "/home/dev/webapp", Title: "t", Version: "1.2.0", Created: at(0), Updated: at(10),
			Messages: []fxMessage{{ID: "msg_01", Role: "assistant", Created: at(1), Model: "m1"}}})
		for _, p := range taskParts {
			execSQL(t, db, `INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, 'msg_01', 'ses_parent', ?, ?, ?)`,
				p.id, at(1), at(1), mustJSON(t, p.data))
		}
		src := newTestSource(dir)
		defer src.Close()
		if _, err := src.Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		checkChildren(t, src, "ses_parent")
	})
	t.Run("legacy tree", func(t *testing.T) {
		dir := t.TempDir()
		storage := filepath.Join(dir, "storage")
		writeLegacy(t, storage, fxSession{ID: "ses_parent", Dir: "/home/dev/old", Title: "t", Version: "1.1.0", Created: at(0), Updated: at(10),
			Messages: []fxMessage{{ID: "msg_01", Role: "assistant", Created: at(1), Model: "m1"}}})
		for _, p := range taskParts {
			data := map[string]any{"id": p.id, "sessionID": "ses_parent", "messageID": "msg_01"}
			for k, v := range p.data {
				data[k] = v
			}
			writeFile(t, filepath.Join(storage, "part", "msg_01", p.id+".json"), mustJSON(t, data))
		}
		src := newTestSource(dir)
		defer src.Close()
		if _, err := src.Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		checkChildren(t, src, "ses_parent")
	})
}
