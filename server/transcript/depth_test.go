package transcript

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/shared"
)

// nested is a JSON value of depth objects, one in the other.
func nested(depth int) string {
	return strings.Repeat(`{"a":`, depth-1) + `{"command":"ls"}` + strings.Repeat("}", depth-1)
}

// readable checks that page, as helmd sends it, decodes as the page's
// client decodes it, and returns the decoded page.
func readable(t *testing.T, page shared.MessagePage) shared.MessagePage {
	t.Helper()
	body, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	var got shared.MessagePage
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("the page cannot be read: %v", err)
	}
	return got
}

// A tool call's input nested nearly as deep as a line may hold was sent
// as it was, and the page around it, six levels deeper, could not be
// decoded by its client: every message of the page was lost with the
// one call. Past maxInputDepth the input is sent as text.
func TestDeepToolInputLeavesThePageReadable(t *testing.T) {
	// A line's record, message, content and block take four levels of
	// the 10,000 encoding/json allows: the deepest input a line holds.
	deep := nested(9996)
	var r rec
	call := toolUse("toolu_1", "Bash", nil)
	call["input"] = json.RawMessage(deep)
	recs := []map[string]any{r.prompt("go"), r.assistant("msg_1", call, text("after the call"))}
	page, err := NewFiles(0).Page(tempTranscript(t, jsonl(t, recs...)), Query{})
	if err != nil {
		t.Fatal(err)
	}
	got := readable(t, page)
	if len(got.Messages) != 2 || len(got.Messages[1].Blocks) != 2 || got.Messages[1].Blocks[1].Text != "after the call" {
		t.Fatalf("got %q, want the prompt and the response with its text", summaryOf(got.Messages))
	}
	var asText string
	if tool := got.Messages[1].Blocks[0].Tool; tool == nil || json.Unmarshal(tool.Input, &asText) != nil || asText != deep {
		t.Errorf("the deep input is not sent as its text")
	}

	// A shallow input is still sent as JSON.
	recs = []map[string]any{r.prompt("go"), r.assistant("msg_1", toolUse("toolu_1", "Bash", map[string]any{"command": "ls"}))}
	page, err = NewFiles(0).Page(tempTranscript(t, jsonl(t, recs...)), Query{})
	if err != nil {
		t.Fatal(err)
	}
	if in := string(page.Messages[1].Blocks[0].Tool.Input); in != `{"command":"ls"}` {
		t.Errorf("a shallow input sent as %s", in)
	}

	// OpenCode's part files are bounded at the same depth.
	oc := &pagesOf{msgs: []opencode.Message{{ID: "msg_1", Role: "assistant", Parts: []opencode.Part{
		{Type: "tool", Tool: "bash", CallID: "c1", Status: "completed", Input: deep, InputLen: int64(len(deep)), Output: "ok", OutputLen: 2},
		{Type: "text", Text: "after the call", TextLen: 14},
	}}}}
	page, err = OpenCodePage(context.Background(), oc, "ses_x", Query{})
	if err != nil {
		t.Fatal(err)
	}
	got = readable(t, page)
	if len(got.Messages) != 1 || len(got.Messages[0].Blocks) != 2 {
		t.Fatalf("OpenCode: got %q", summaryOf(got.Messages))
	}
	if json.Unmarshal(got.Messages[0].Blocks[0].Tool.Input, &asText) != nil || asText != deep {
		t.Errorf("OpenCode: the deep input is not sent as its text")
	}
}

func TestDeeperThan(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		n    int
		want bool
	}{
		{`{"a":[1,{"b":2}]}`, 3, false},
		{`{"a":[1,{"b":2}]}`, 2, true},
		{`"[[[[[["`, 1, false},
		{`{"a":"\"[[[["}`, 1, false},
		{`[[],[],[]]`, 2, false},
		{`[[[]]]`, 2, true},
	} {
		if got := deeperThan([]byte(tc.raw), tc.n); got != tc.want {
			t.Errorf("deeperThan(%s, %d) = %v, want %v", tc.raw, tc.n, got, tc.want)
		}
	}
}
