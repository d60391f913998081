package shared

import "testing"

// TestShowsRunning: a message shows a call running while one of its calls
// has neither a result here nor one further down; a result standing on
// its own (no call name), an answered call, a killed one (helmd's error
// result) or none at all is not one.
func TestShowsRunning(t *testing.T) {
	call := func(name string, result *ToolResult, later bool) Block {
		return Block{Type: BlockTool, Tool: &Tool{ID: "toolu_1", Name: name, Result: result, Later: later}}
	}
	for _, tc := range []struct {
		name   string
		blocks []Block
		want   bool
	}{
		{"a call without its result", []Block{{Type: BlockText, Text: "running the tests"}, call("Bash", nil, false)}, true},
		{"one of two parallel calls answered", []Block{call("Read", &ToolResult{Text: "ok"}, false), call("Bash", nil, false)}, true},
		{"answered", []Block{call("Bash", &ToolResult{Text: "ok"}, false)}, false},
		{"answered further down", []Block{call("Bash", nil, true)}, false},
		{"killed, the session gone on", []Block{call("Bash", &ToolResult{Text: "No result", IsError: true}, false)}, false},
		{"a result on its own", []Block{call("", nil, false)}, false},
		{"text only", []Block{{Type: BlockText, Text: "done"}}, false},
		{"nothing", nil, false},
	} {
		m := Message{Cursor: "c", Role: "assistant", Blocks: tc.blocks}
		if got := m.ShowsRunning(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
