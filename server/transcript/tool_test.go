package transcript

import (
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
		{"Long", map[string]any{"command": strings.Repeat("x", maxSummary+50)}, strings.Repeat("x", maxSummary) + "…"},
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
