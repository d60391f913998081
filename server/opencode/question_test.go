package opencode

import (
	"path/filepath"
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
