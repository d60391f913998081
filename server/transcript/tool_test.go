package transcript

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// Each tool call is shown as one line: its name and its main argument,
// the file, command, pattern or URL a reader would look for.
func TestToolLineIsTheMainArgument(t *testing.T) {
	tests := []struct {
		name  string
		input map[string]any
		want  string
	}{
		{"Read", map[string]any{"file_path": "/src/app.go", "offset": 10, "limit": 40}, "/src/app.go"},
		{"Edit", map[string]any{"file_path": "/src/app.go", "old_string": "a", "new_string": "b"}, "/src/app.go"},
		{"Bash", map[string]any{"command": "go test ./...\necho done", "description": "run the tests"}, "go test ./..."},
		// A search names where it looks only as a scope: the pattern
		// is what it looks for.
		{"Grep", map[string]any{"pattern": "TODO\\(", "path": "/src", "output_mode": "content"}, "TODO\\("},
		{"Glob", map[string]any{"pattern": "**/*_test.go", "path": "/src"}, "**/*_test.go"},
		{"LS", map[string]any{"path": "/src"}, "/src"},
		{"WebFetch", map[string]any{"url": "https://go.dev/doc/", "prompt": "summarise"}, "https://go.dev/doc/"},
		{"WebSearch", map[string]any{"query": "go 1.26 release notes"}, "go 1.26 release notes"},
		{"Task", map[string]any{"description": "find the flaky test", "prompt": "Look everywhere.", "subagent_type": "general-purpose"}, "find the flaky test"},
		{"Long", map[string]any{"command": strings.Repeat("x", maxSummary+50)}, strings.Repeat("x", maxSummary-1) + "…"},
		{"Blank", map[string]any{"command": "  \n", "description": "what it does"}, "what it does"},
	}
	var r rec
	recs := []map[string]any{r.prompt("go")}
	for i, tt := range tests {
		recs = append(recs, r.assistant("msg_1", toolUse(fmt.Sprintf("toolu_%02d", i), tt.name, tt.input)))
	}
	page, err := NewFiles(0).Page(tempTranscript(t, jsonl(t, recs...)), Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Messages) != 2 || len(page.Messages[1].Blocks) != len(tests) {
		t.Fatalf("got %q, want one response of %d calls", summaryOf(page.Messages), len(tests))
	}
	for i, tt := range tests {
		b := page.Messages[1].Blocks[i]
		if b.Type != shared.BlockTool || b.Tool.Name != tt.name || b.Tool.Summary != tt.want {
			t.Errorf("%s: line %q, want %q", tt.name, b.Tool.Summary, tt.want)
		}
	}
}

// The detail's question is the waiting row's: the same line, cut and
// cleaned the same way, so the page and the list never disagree.
func TestQuestionIsTheRowsLine(t *testing.T) {
	answer := "\n  \u202eShall I push the branch " + strings.Repeat("and deploy it ", 30) + "?\nIt is ready."
	var r rec
	page, err := NewFiles(0).Page(tempTranscript(t, jsonl(t, r.prompt("ship it"), r.assistant("msg_1", text(answer)))), Query{Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	got, want := Question(page), shared.QuestionLine(answer)
	if got != want {
		t.Fatalf("question %q,\n want the row's %q", got, want)
	}
	if strings.ContainsRune(got, '\u202e') || len([]rune(got)) > shared.MaxQuestion {
		t.Errorf("question %q keeps a bidi control or is longer than %d runes", got, shared.MaxQuestion)
	}
}

// A call's input keeps the order its members were written in, numbers as
// written: an Edit reads file, old, new, not new above old (the order a
// map gives). A member cut for its size is cut in its place.
func TestToolInputKeepsItsOrder(t *testing.T) {
	var r rec
	edit := `{"file_path":"/src/app.go","old_string":"a <b>","new_string":"b","replace_all":false,"n":1.50,"e":1e400,"list":[{"z":1,"a":null}]}`
	long := strings.Repeat("x", blockString+5000)
	write := `{"file_path":"/src/big.go","content":"` + long + `","mode":"w"}`
	recs := []map[string]any{r.prompt("go"), r.assistant("msg_1",
		map[string]any{"type": "tool_use", "id": "toolu_1", "name": "Edit", "input": json.RawMessage(edit)},
		map[string]any{"type": "tool_use", "id": "toolu_2", "name": "Write", "input": json.RawMessage(write)})}
	page, err := NewFiles(0).Page(tempTranscript(t, jsonl(t, recs...)), Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Messages) != 2 || len(page.Messages[1].Blocks) != 2 {
		t.Fatalf("got %q, want one response of two calls", summaryOf(page.Messages))
	}
	got := page.Messages[1].Blocks[0].Tool
	if want := `{"file_path":"/src/app.go","old_string":"a \u003cb\u003e","new_string":"b","replace_all":false,"n":1.50,"e":1e400,"list":[{"z":1,"a":null}]}`; string(got.Input) != want {
		t.Errorf("the Edit's input reads\n%s\nwant\n%s", got.Input, want)
	}
	if got.Summary != "/src/app.go" || got.InputCut != nil {
		t.Errorf("the Edit's line %q, cut %v", got.Summary, got.InputCut)
	}
	w := page.Messages[1].Blocks[1].Tool
	if in := string(w.Input); !strings.HasPrefix(in, `{"file_path":"/src/big.go","content":"xxxx`) || !strings.HasSuffix(in, `xxxx","mode":"w"}`) ||
		w.InputCut == nil || w.InputCut.Bytes < int64(len(long)) || len(in) > blockString+1024 {
		t.Errorf("the Write's input: cut %+v, %d bytes, starts %q, ends %q", w.InputCut, len(w.Input), string(w.Input[:min(60, len(w.Input))]), string(w.Input[max(0, len(w.Input)-20):]))
	}
}
