package transcript

import (
	"context"
	"testing"

	"vibecraft.sh/helm/server/opencode"
)

// An OpenCode task call opens the child session its subagent ran in; a
// child that is not a session id opens nothing.
func TestOpenCodeTaskOpensItsChildSession(t *testing.T) {
	r := &pagesOf{msgs: []opencode.Message{{ID: "msg_1", Role: "assistant", Parts: []opencode.Part{
		{Type: "tool", Tool: "task", CallID: "c1", Status: "completed", Input: `{"description":"explore"}`, InputLen: 25,
			Output: "done", OutputLen: 4, ChildSession: "ses_6a1f0e2d3c4bAbCdEfGhIjKlMn"},
		{Type: "tool", Tool: "task", CallID: "c2", Status: "running", Input: `{"description":"odd"}`, InputLen: 21,
			ChildSession: "../../etc/passwd"},
	}}}}
	page, err := OpenCodePage(context.Background(), r, "ses_x", Query{})
	if err != nil {
		t.Fatal(err)
	}
	blocks := page.Messages[0].Blocks
	if got := blocks[0].Tool; got.AgentID != "ses_6a1f0e2d3c4bAbCdEfGhIjKlMn" || got.Summary != "explore" {
		t.Errorf("task call = %+v, want its child session and description", got)
	}
	if got := blocks[1].Tool.AgentID; got != "" {
		t.Errorf("a child that is no session id opens %q", got)
	}
}
