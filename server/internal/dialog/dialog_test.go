package dialog

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"vibecraft.sh/helm/shared"
)

// TestQuestion: what a question's or a plan's dialog asks, as one line
// of text, from the call's input; nothing of a call that asks a
// permission, or of an input not of the tool's shape.
func TestQuestion(t *testing.T) {
	long := strings.Repeat("why ", 400)
	for _, tc := range []struct {
		name, tool, input, want string
	}{
		{"a question", "AskUserQuestion", `{"questions":[{"question":"Which port?","options":[{"label":"8080"}]}]}`, "Which port?"},
		{"its line breaks", "AskUserQuestion", `{"questions":[{"question":"Which\nport?"}]}`, "Which port?"},
		{"the first question with text", "AskUserQuestion", `{"questions":[{"question":"  "},{"question":7},{"question":"Which port?"}]}`, "Which port?"},
		{"markup and controls, as text", "AskUserQuestion", `{"questions":[{"question":"<img src=x onerror=alert(1)>\u202e\u0007?"}]}`, "<img src=x onerror=alert(1)>?"},
		{"a long question, cut", "AskUserQuestion", `{"questions":[{"question":"` + long + `"}]}`, shared.QuestionText(long)},
		{"a plan's first line", "ExitPlanMode", `{"plan":"Move the cache, then restart.\n\n1. stop"}`, "Move the cache, then restart."},
		{"a command", "Bash", `{"command":"rm -rf /"}`, ""},
		{"a question's input of another shape", "AskUserQuestion", `{"questions":"Which port?"}`, ""},
		{"a plan that is not text", "ExitPlanMode", `{"plan":["a"]}`, ""},
		{"not JSON", "AskUserQuestion", `{"questions":[`, ""},
		{"no input", "AskUserQuestion", ``, ""},
	} {
		if got := Question(tc.tool, json.RawMessage(tc.input)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := Question("AskUserQuestion", json.RawMessage(`{"questions":[{"question":"`+long+`"}]}`)); utf8.RuneCountInString(got) > shared.MaxQuestion {
		t.Errorf("a long question kept %d runes, want at most %d", utf8.RuneCountInString(got), shared.MaxQuestion)
	}
}

// FuzzQuestion: whatever a transcript or a hook holds as a call's input,
// the question is one line of at most MaxQuestion runes of valid UTF-8
// without control characters, and none for a tool that asks a
// permission.
func FuzzQuestion(f *testing.F) {
	f.Add("AskUserQuestion", `{"questions":[{"question":"Which port?"}]}`)
	f.Add("ExitPlanMode", `{"plan":"# Plan\n\nDo it."}`)
	f.Add("AskUserQuestion", `{"questions":[{"question":"a\u202eb\u0000c\n\td"}]}`)
	f.Add("Bash", `{"command":"ls"}`)
	f.Fuzz(func(t *testing.T, tool, input string) {
		got := Question(tool, json.RawMessage(input))
		if shared.DialogReason(tool) == "" && got != "" {
			t.Fatalf("%q asks a permission, yet a question %q", tool, got)
		}
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > shared.MaxQuestion {
			t.Fatalf("not one valid line of at most %d runes: %q", shared.MaxQuestion, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) {
				t.Fatalf("a control character %U in %q", r, got)
			}
		}
	})
}
