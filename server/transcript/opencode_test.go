package transcript

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/opencode"
)

// pagesOf is an OpenCodeReader over fixed messages that records what it
// was asked.
type pagesOf struct {
	msgs []opencode.Message
	more bool
	got  opencode.MessagePage
}

func (p *pagesOf) PartText(_ context.Context, sid, messageID, partID, field string) (string, error) {
	return strings.Join([]string{sid, messageID, partID, field}, " "), nil
}

func (p *pagesOf) Messages(_ context.Context, _ string, q opencode.MessagePage) ([]opencode.Message, bool, error) {
	p.got = q
	return p.msgs, p.more, nil
}

func TestOpenCodeBlocks(t *testing.T) {
	r := &pagesOf{more: true, msgs: []opencode.Message{
		{ID: "msg_1", Role: "user", Model: "asked-for", Parts: []opencode.Part{
			{Type: "text", Text: "<b>hi</b>", TextLen: 9},
			{Type: "text", Text: "injected", TextLen: 8, Synthetic: true},
			{Type: "file", Mime: "image/png", Filename: "a.png", URLLen: 400},
		}},
		{ID: "msg_2", Role: "assistant", Model: "claude-sonnet-4-5", Error: "APIError: overloaded", Parts: []opencode.Part{
			{Type: "step-start"},
			{Type: "reasoning", Text: "hmm", TextLen: 3},
			{ID: "prt_b", MessageID: "msg_2", Type: "tool", Tool: "bash", CallID: "c1", Status: "completed", Input: `{"command":"ls"}`, InputLen: 16, Output: "a", OutputLen: 70000},
			{Type: "tool", Tool: "edit", CallID: "c2", Status: "error", Input: `{"filePath":"/x","old`, InputLen: 90000, ToolError: "no match"},
		}},
	}}
	page, err := OpenCodePage(context.Background(), r, "ses_x", Query{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"user[text:<b>hi</b> image:a.png]", "assistant[thinking:hmm tool:bash=a tool:edit=no match error:APIError: overloaded]"}
	if got := summaryOf(page.Messages); !slices.Equal(got, want) {
		t.Fatalf("messages:\n got %q\nwant %q", got, want)
	}
	if page.Messages[0].Model != "" || page.Messages[1].Model != "claude-sonnet-4-5" {
		t.Errorf("models = %q, %q: a prompt names no model that answered", page.Messages[0].Model, page.Messages[1].Model)
	}
	bash, edit := page.Messages[1].Blocks[1].Tool, page.Messages[1].Blocks[2].Tool
	if bash.Summary != "ls" || bash.Result.Cut == nil || bash.Result.Cut.Bytes != 70000 {
		t.Errorf("bash = %+v, result %+v", bash, bash.Result)
	}
	var whole strings.Builder
	if err := OpenCodeFull(context.Background(), r, "ses_x", bash.Result.Cut.Ref, &whole); err != nil || whole.String() != "ses_x msg_2 prt_b output" {
		t.Errorf("full text of the cut output: %q, %v", whole.String(), err)
	}
	if err := OpenCodeFull(context.Background(), r, "ses_x", page.Before, &whole); !errors.Is(err, ErrBadCursor) {
		t.Errorf("a message cursor as a ref: %v", err)
	}
	if !edit.Result.IsError || edit.InputCut == nil || !strings.HasPrefix(string(edit.Input), `"`) {
		t.Errorf("edit = %+v: want the error marked and a cut input sent as text", edit)
	}
	if page.Before == "" || page.After != page.Messages[1].Cursor {
		t.Errorf("before %q after %q", page.Before, page.After)
	}
	// The cursors come back as message ids.
	if _, err := OpenCodePage(context.Background(), r, "ses_x", Query{Before: page.Before}); err != nil || r.got.Before != "msg_1" {
		t.Errorf("before cursor reached the reader as %+v, %v", r.got, err)
	}
	if _, err := OpenCodePage(context.Background(), r, "ses_x", Query{After: page.Messages[0].Cursor}); err != nil || r.got.After != "msg_1" {
		t.Errorf("after cursor reached the reader as %+v, %v", r.got, err)
	}
	claudeCursor := encodeCursor(position{kind: kindLine, off: 3})
	if _, err := OpenCodePage(context.Background(), r, "ses_x", Query{Before: claudeCursor}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("a Claude cursor on an OpenCode session: %v", err)
	}
}

// A page that reaches the end names, as its after cursor, the last answer
// while OpenCode still writes it with prompts queued after it, so that
// ?after= sends it again as it grows (TestPageStreamOpenCode follows one);
// a page with more after it moves on, or following it would never end.
func TestOpenCodeAfterStaysAtARunningAnswer(t *testing.T) {
	cursor := func(id string) string { return encodeCursor(position{kind: kindMessage, msg: id}) }
	for _, tc := range []struct {
		name string
		msgs []opencode.Message
		more bool
		q    Query
		want string
	}{
		{"a prompt queued after the answer", []opencode.Message{
			{ID: "msg_1", Role: "user"}, {ID: "msg_2", Role: "assistant", Running: true}, {ID: "msg_3", Role: "user"},
		}, false, Query{}, "msg_2"},
		{"the same, after a cursor", []opencode.Message{
			{ID: "msg_1", Role: "user"}, {ID: "msg_2", Role: "assistant", Running: true}, {ID: "msg_3", Role: "user"},
		}, false, Query{After: cursor("msg_1")}, "msg_2"},
		{"more after the page", []opencode.Message{
			{ID: "msg_1", Role: "user"}, {ID: "msg_2", Role: "assistant", Running: true}, {ID: "msg_3", Role: "user"},
		}, true, Query{After: cursor("msg_1")}, "msg_3"},
		{"the answer done", []opencode.Message{
			{ID: "msg_1", Role: "user"}, {ID: "msg_2", Role: "assistant"}, {ID: "msg_3", Role: "user"},
		}, false, Query{}, "msg_3"},
		{"an unfinished answer with a later one", []opencode.Message{
			{ID: "msg_1", Role: "assistant", Running: true}, {ID: "msg_2", Role: "user"}, {ID: "msg_3", Role: "assistant"}, {ID: "msg_4", Role: "user"},
		}, false, Query{}, "msg_4"},
	} {
		r := &pagesOf{msgs: tc.msgs, more: tc.more}
		page, err := OpenCodePage(context.Background(), r, "ses_x", tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if page.After != cursor(tc.want) {
			pos, _ := decodeCursor(page.After)
			t.Errorf("%s: after names %q, want %q", tc.name, pos.msg, tc.want)
		}
	}
}

// A call OpenCode left pending or running in an answer it no longer
// writes (one that completed or failed, or one a crash left, answers
// after it) has a result saying it stopped: it showed running for good.
// The calls of the answer being written still run.
func TestOpenCodeStoppedCallsDoNotRun(t *testing.T) {
	tool := func(id, status string) opencode.Part {
		return opencode.Part{Type: "tool", Tool: "bash", CallID: id, Status: status, Input: `{"command":"make"}`, InputLen: 18}
	}
	r := &pagesOf{msgs: []opencode.Message{
		{ID: "msg_1", Role: "assistant", Parts: []opencode.Part{tool("done", "running")}},
		{ID: "msg_2", Role: "assistant", Running: true, Parts: []opencode.Part{tool("crashed", "pending")}},
		{ID: "msg_3", Role: "user", Parts: []opencode.Part{{Type: "text", Text: "go on", TextLen: 5}}},
		{ID: "msg_4", Role: "assistant", Running: true, Parts: []opencode.Part{tool("now", "running"), tool("ok", "completed")}},
		{ID: "msg_5", Role: "user", Parts: []opencode.Part{{Type: "text", Text: "typed meanwhile", TextLen: 15}}},
	}}
	page, err := OpenCodePage(context.Background(), r, "ses_x", Query{})
	if err != nil {
		t.Fatal(err)
	}
	calls := callsOf(page.Messages)
	for _, id := range []string{"done", "crashed"} {
		if c := calls[id]; c == nil || c.Result == nil || !c.Result.IsError || c.Result.Text != stoppedText {
			t.Errorf("call %s of an answer that ended = %+v, want a result saying it stopped", id, c)
		}
	}
	if c := calls["now"]; c == nil || c.Result != nil {
		t.Errorf("the call running now = %+v, want it without a result", c)
	}
}
