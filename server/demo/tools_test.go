package demo

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// realInputs are the inputs Claude Code's tools take: the fields each
// requires and those it may have (its tool schemas).
var realInputs = map[string]struct{ required, optional []string }{
	"Bash":     {[]string{"command"}, []string{"description", "timeout", "run_in_background"}},
	"Read":     {[]string{"file_path"}, []string{"offset", "limit"}},
	"Edit":     {[]string{"file_path", "old_string", "new_string"}, []string{"replace_all"}},
	"Write":    {[]string{"file_path", "content"}, nil},
	"Grep":     {[]string{"pattern"}, []string{"path", "glob", "output_mode", "type", "-i", "-n", "-A", "-B", "-C", "head_limit", "multiline"}},
	"Glob":     {[]string{"pattern"}, []string{"path"}},
	"WebFetch": {[]string{"url", "prompt"}, nil},
	"Agent":    {[]string{"description", "prompt"}, []string{"subagent_type", "model", "run_in_background"}},
}

// TestToolCallsHaveTheRealShape: every tool call the demo writes has the
// input the real tool takes (a Grep has a pattern, not a command), with
// file paths absolute under the session's folder, and its result answers
// that call.
func TestToolCallsHaveTheRealShape(t *testing.T) {
	root := t.TempDir()
	w := &world{root: root}
	for i := range prompts {
		s, err := w.start(i)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.historic(1, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	tools := map[string]bool{}
	for _, s := range w.sessions {
		calls, results := toolRecords(t, s.path)
		if len(calls) != 1 || len(results) != 1 {
			t.Fatalf("%s: %d tool calls, %d results; want one of each", s.topic.title, len(calls), len(results))
		}
		c := calls[0]
		tools[c.Name] = true
		shape, known := realInputs[c.Name]
		if !known {
			t.Errorf("%s: a %s call, a tool this test does not know", s.topic.title, c.Name)
			continue
		}
		for _, k := range shape.required {
			if v, ok := c.Input[k]; !ok || v == "" {
				t.Errorf("%s: %s input %v lacks %q", s.topic.title, c.Name, c.Input, k)
			}
		}
		for k, v := range c.Input {
			if !slices.Contains(shape.required, k) && !slices.Contains(shape.optional, k) {
				t.Errorf("%s: %s input %v has %q, which %s does not take", s.topic.title, c.Name, c.Input, k, c.Name)
			}
			if p, ok := v.(string); ok && (k == "file_path" || k == "path") && !strings.HasPrefix(p, s.cwd+"/") {
				t.Errorf("%s: %s %s %q is not an absolute path in %s", s.topic.title, c.Name, k, p, s.cwd)
			}
		}
		if r := results[0]; r.ToolUseID != c.ID || r.Content == "" {
			t.Errorf("%s: result %+v does not answer call %s", s.topic.title, r, c.ID)
		}
	}
	for _, want := range []string{"Bash", "Edit", "Write", "Grep", "Read", "Glob", "WebFetch", "Agent"} {
		if !tools[want] {
			t.Errorf("no %s call in the demo (calls: %v)", want, tools)
		}
	}
}

type toolCall struct {
	ID    string         `json:"id"`
	Name  string         `json:"name"`
	Input map[string]any `json:"input"`
}

type toolResult struct {
	ToolUseID string `json:"tool_use_id"`
	Content   string `json:"content"`
}

// toolRecords reads the tool_use and tool_result blocks of a transcript.
func toolRecords(t *testing.T, path string) ([]toolCall, []toolResult) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var calls []toolCall
	var results []toolResult
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec struct {
			Message struct {
				Content json.RawMessage `json:"content"`
			} `json:"message"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("%s: %v", filepath.Base(path), err)
		}
		var blocks []struct {
			Type string `json:"type"`
			toolCall
			toolResult
		}
		if json.Unmarshal(rec.Message.Content, &blocks) != nil {
			continue // a prompt: a string
		}
		for _, b := range blocks {
			switch b.Type {
			case "tool_use":
				calls = append(calls, b.toolCall)
			case "tool_result":
				results = append(results, b.toolResult)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return calls, results
}
