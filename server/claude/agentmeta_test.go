package claude

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A subagent's meta file gives its type and description; one missing,
// malformed or too large gives none, and a long description is cut.
func TestAgentMeta(t *testing.T) {
	dir := t.TempDir()
	transcript := filepath.Join(dir, "agent-a1.jsonl")
	meta := filepath.Join(dir, "agent-a1.meta.json")
	tests := []struct {
		name, body, typ, desc string
	}{
		{"as written", `{"agentType":"Explore","description":"Explore code","other":1}`, "Explore", "Explore code"},
		{"markup is text", `{"agentType":" <b>x</b> ","description":"<script>alert(1)</script>"}`, "<b>x</b>", "<script>alert(1)</script>"},
		{"not an object", `["Explore"]`, "", ""},
		{"not JSON", `{"agentType":`, "", ""},
		{"too large", `{"agentType":"Explore","description":"` + strings.Repeat("x", maxAgentMeta) + `"}`, "", ""},
		{"a long description is cut", `{"description":"` + strings.Repeat("é", 400) + `"}`, "", strings.Repeat("é", maxRunes-1) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(meta, []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			if typ, desc := AgentMeta(transcript); typ != tt.typ || desc != tt.desc {
				t.Errorf("got %q, %.40q; want %q, %.40q", typ, desc, tt.typ, tt.desc)
			}
		})
	}
	os.Remove(meta)
	if typ, desc := AgentMeta(transcript); typ != "" || desc != "" {
		t.Errorf("without a meta file: %q, %q", typ, desc)
	}
	if typ, desc := AgentMeta(filepath.Join(dir, "agent-a1.txt")); typ != "" || desc != "" {
		t.Errorf("beside a file that is no transcript: %q, %q", typ, desc)
	}
}
