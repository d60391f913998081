package transcript

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"unicode/utf8"

	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/shared"
)

// OpenCodeReader reads one page of an OpenCode session's messages
// (*opencode.Source).
type OpenCodeReader interface {
	Messages(ctx context.Context, sid string, q opencode.MessagePage) ([]opencode.Message, bool, error)
}

// fromStart is an after cursor before every message id.
const fromStart = "msg_0"

// OpenCodePage answers q for OpenCode session sid. Cursors are message
// ids, which order correctly even once their message is gone; but an
// after cursor whose message is gone (OpenCode deletes the messages an
// undo reverted) is ErrStale: the page that holds it shows messages that
// are no longer the session's, and must be loaded again, as a Claude
// transcript rewritten. Cut fields carry their size and a ref naming the
// part and field, which OpenCodeFull reads whole.
func OpenCodePage(ctx context.Context, r OpenCodeReader, sid string, q Query) (shared.MessagePage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	oq := opencode.MessagePage{Limit: min(limit, MaxLimit)}
	if q.Start {
		// As after an id before every message: none to send again, so
		// limit counts the ones sent.
		oq.After, oq.Limit = fromStart, oq.Limit-1
	}
	for _, c := range []struct {
		in  string
		out *string
	}{{q.Before, &oq.Before}, {q.After, &oq.After}} {
		if c.in == "" {
			continue
		}
		pos, err := decodeCursor(c.in)
		if err != nil || pos.kind != kindMessage {
			return shared.MessagePage{}, ErrBadCursor
		}
		*c.out = pos.msg
	}
	msgs, more, err := r.Messages(ctx, sid, oq)
	if err != nil {
		return shared.MessagePage{}, err
	}
	if oq.After != "" && oq.After != fromStart && (len(msgs) == 0 || msgs[0].ID != oq.After) {
		// An after page starts with the message at its cursor.
		return shared.MessagePage{}, ErrStale
	}
	out := shared.MessagePage{Messages: make([]shared.Message, 0, len(msgs))}
	lastAnswer := -1
	for i, m := range msgs {
		if m.Role == "assistant" {
			lastAnswer = i
		}
	}
	for i, m := range msgs {
		out.Messages = append(out.Messages, openCodeMessage(m))
		if m.Role == "assistant" && (!m.Running || i < lastAnswer) {
			stopped(&out.Messages[len(out.Messages)-1])
		}
	}
	cursor := func(id string) string { return encodeCursor(position{kind: kindMessage, msg: id}) }
	switch {
	case oq.After != "":
		out.More = more
		if len(msgs) > 0 && msgs[0].ID > fromStart && !q.Start {
			out.Before = cursor(msgs[0].ID)
		}
	case more && len(msgs) > 0:
		out.Before = cursor(msgs[0].ID)
	}
	out.After = cursor(fromStart)
	if len(msgs) > 0 {
		out.After = cursor(msgs[len(msgs)-1].ID)
	}
	// A prompt typed while OpenCode answers is written at once, queued,
	// after the answer it goes on writing: ?after= the last message
	// sent, a page that follows the end never got that answer again as
	// it grew (its tools stayed running, its text cut where it was, and
	// find's count on the page missed what it went on to say). On a page
	// that reaches the end, the after cursor is that answer's, so it is
	// sent again, with the few prompts after it, until it is done. Not
	// on a page with more after it, whose cursor must move on.
	if reachesEnd := oq.Before == "" && (oq.After == "" || !more); reachesEnd {
		if i := lastRunning(msgs); i >= 0 {
			out.After = cursor(msgs[i].ID)
		}
	}
	return out, nil
}

// lastRunning is the index of the last answer in msgs when OpenCode may
// still be writing it, or -1. Only the last answer: one left unfinished
// by a crash, with answers after it, is done.
func lastRunning(msgs []opencode.Message) int {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "assistant" {
			if msgs[i].Running {
				return i
			}
			return -1
		}
	}
	return -1
}

// stoppedText is the result a call left pending or running by an
// answer that ended is shown with.
const stoppedText = "No result: OpenCode stopped before this call ended."

// stopped gives the calls of m, an answer OpenCode no longer writes (it
// completed or failed, or answers came after it: a crash left it), that
// are still pending or running a result saying so: they showed as
// running for good, a call of hours before like the one that ran now.
func stopped(m *shared.Message) {
	for _, b := range m.Blocks {
		if b.Tool != nil && b.Tool.Result == nil {
			b.Tool.Result = &shared.ToolResult{Text: stoppedText, IsError: true}
		}
	}
}

func openCodeMessage(m opencode.Message) shared.Message {
	out := shared.Message{Cursor: encodeCursor(position{kind: kindMessage, msg: m.ID}), ID: m.ID,
		Role: m.Role, Time: m.Created, Model: m.Model, Blocks: []shared.Block{}}
	if out.Role != "user" && out.Role != "assistant" {
		out.Role = "system"
	}
	if m.Role == "user" {
		out.Model = "" // the model asked for, not one that answered
	}
	for _, p := range m.Parts {
		if b, ok := openCodeBlock(p); ok {
			out.Blocks = append(out.Blocks, b)
		}
	}
	if m.Error != "" {
		out.Blocks = append(out.Blocks, shared.Block{Type: shared.BlockError, Text: m.Error})
	}
	return out
}

// openCodeBlock maps one part; parts that are bookkeeping (step marks,
// snapshots, patches) and text OpenCode injected itself are not shown.
func openCodeBlock(p opencode.Part) (shared.Block, bool) {
	switch p.Type {
	case "text":
		if p.Synthetic || strings.TrimSpace(p.Text) == "" {
			return shared.Block{}, false
		}
		return shared.Block{Type: shared.BlockText, Text: p.Text, Cut: cutLen(p, p.Text, p.TextLen, 't')}, true
	case "reasoning":
		return shared.Block{Type: shared.BlockThinking, Text: p.Text, Cut: cutLen(p, p.Text, p.TextLen, 't')}, true
	case "command": // OpenCode 2's command the user ran, as "!command"
		return shared.Block{Type: shared.BlockCommand, Text: p.Text}, true
	case "output": // and what it printed
		if p.Text == "" {
			return shared.Block{}, false
		}
		return shared.Block{Type: shared.BlockOutput, Text: p.Text, Cut: cutLen(p, p.Text, p.TextLen, 't')}, true
	case "compaction":
		// OpenCode 2's carries the summary it made (OpenCode 1's, none).
		return shared.Block{Type: shared.BlockCompaction, Text: p.Text, Cut: cutLen(p, p.Text, p.TextLen, 't')}, true
	case "file":
		typ := shared.BlockFile
		if strings.HasPrefix(p.Mime, "image/") {
			typ = shared.BlockImage
		}
		return shared.Block{Type: typ, Text: p.Filename, MediaType: p.Mime, Bytes: dataURLBytes(p.URLLen)}, true
	case "tool":
		t := &shared.Tool{ID: p.CallID, Name: p.Tool}
		if ValidOpenCodeID(p.ChildSession) {
			t.AgentID = p.ChildSession // a task's subagent: a session of its own
		}
		if json.Valid([]byte(p.Input)) && !deeperThan([]byte(p.Input), maxInputDepth) {
			t.Input = json.RawMessage(p.Input)
			t.Summary = summaryOfJSON(t.Input)
		} else if p.Input != "" {
			// Cut mid-value, or nested too deep for a reader of the page
			// (maxInputDepth).
			t.Input, _ = json.Marshal(p.Input)
		}
		t.InputCut = cutLen(p, p.Input, p.InputLen, 'i')
		switch p.Status {
		case "completed":
			t.Result = &shared.ToolResult{Text: p.Output, Cut: cutLen(p, p.Output, p.OutputLen, 'o')}
		case "error":
			t.Result = &shared.ToolResult{Text: p.ToolError, IsError: true}
		}
		return shared.Block{Type: shared.BlockTool, Tool: t}, true
	}
	return shared.Block{}, false
}

// cutLen is a Cut when SQLite shortened s, field fld of part p, from n
// characters, with a ref to load it whole.
func cutLen(p opencode.Part, s string, n int64, fld byte) *shared.Cut {
	if int64(utf8.RuneCountInString(s)) >= n {
		return nil
	}
	c := &shared.Cut{Bytes: n}
	if ValidOpenCodeMessageID(p.MessageID) && openCodePart.MatchString(p.ID) {
		c.Ref = encodeCursor(position{kind: kindPart, fld: fld, msg: p.MessageID, part: p.ID})
	}
	return c
}

// partField names the part field a ref's field byte stands for.
func partField(f byte) string {
	switch f {
	case 't':
		return "text"
	case 'i':
		return "input"
	case 'o':
		return "output"
	}
	return ""
}

// OpenCodeTexts reads one field of a part whole (*opencode.Source).
type OpenCodeTexts interface {
	PartText(ctx context.Context, sid, messageID, partID, field string) (string, error)
}

// OpenCodeFull writes the whole text a ref of an OpenCode page names.
func OpenCodeFull(ctx context.Context, r OpenCodeTexts, sid, ref string, w io.Writer) error {
	pos, err := decodeCursor(ref)
	if err != nil || pos.kind != kindPart {
		return ErrBadCursor
	}
	text, err := r.PartText(ctx, sid, pos.msg, pos.part, partField(pos.fld))
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, text)
	return err
}

// dataURLBytes estimates the bytes behind a base64 data URL of n characters.
func dataURLBytes(n int64) int64 { return n * 3 / 4 }
