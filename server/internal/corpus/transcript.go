package corpus

import (
	"fmt"
	"time"
)

// transcript writes one session's records in Claude Code's shapes.
type transcript struct {
	g         *generator
	w         *writer
	sid, cwd  string
	start     time.Time     // the first record's time
	span      time.Duration // from the first record to the last write
	budget    int64         // bytes the transcript is written to
	parent    any
	msgs      int
	sidechain bool
}

// at is the time of the next record: the span goes by as the budget is
// written, so the last record is never later than start+span, the
// transcript's last write.
func (t *transcript) at() time.Time {
	done := min(float64(t.w.n)/float64(max(t.budget, 1)), 1)
	return t.start.Add(time.Duration(done * float64(t.span))).Truncate(time.Millisecond)
}

func (t *transcript) env(kind string) map[string]any {
	uuid := t.g.id()
	r := map[string]any{
		"parentUuid": t.parent, "isSidechain": t.sidechain, "userType": "external", "cwd": t.cwd,
		"sessionId": t.sid, "version": "2.1.90", "gitBranch": "main", "type": kind, "uuid": uuid,
		"timestamp": t.at().Format("2006-01-02T15:04:05.000Z"),
	}
	if t.sidechain {
		r["agentId"] = "a9497799e6978cb67"
	}
	t.parent = uuid
	return r
}

// meta writes the records that often open a transcript before any cwd.
func (t *transcript) meta() {
	t.w.record(map[string]any{"type": "file-history-snapshot", "messageId": t.g.id(), "snapshot": map[string]any{"messageId": t.g.id(), "trackedFileBackups": map[string]any{}, "timestamp": t.at().Format(time.RFC3339Nano)}, "isSnapshotUpdate": false})
	t.w.record(map[string]any{"type": "permission-mode", "permissionMode": "default", "sessionId": t.sid})
}

func (t *transcript) titles() {
	t.w.record(map[string]any{"type": "ai-title", "aiTitle": t.g.text(40), "sessionId": t.sid})
	t.w.record(map[string]any{"type": "last-prompt", "lastPrompt": t.g.text(60), "sessionId": t.sid})
}

// turn writes a prompt and a response of a few tool calls, each response
// split over several lines (thinking, text, tool_use) sharing one id.
func (t *transcript) turn(budget int64) {
	end := t.w.n + budget
	u := t.env("user")
	u["message"] = map[string]any{"role": "user", "content": t.g.text(40 + t.g.rng.IntN(400))}
	t.w.record(u)
	for call := range 1 + t.g.rng.IntN(4) {
		t.msgs++
		id := fmt.Sprintf("msg_%s%06d", t.idTag(), t.msgs)
		req := fmt.Sprintf("req_%s%06d", t.idTag(), t.msgs)
		blocks := []map[string]any{
			{"type": "thinking", "thinking": t.g.text(200 + t.g.rng.IntN(2000)), "signature": t.g.text(300)},
			{"type": "text", "text": t.g.text(100 + t.g.rng.IntN(600))},
			{"type": "tool_use", "id": fmt.Sprintf("toolu_%s%06d", t.idTag(), t.msgs), "name": "Bash", "input": map[string]any{"command": "go test ./..."}},
		}
		for i, b := range blocks {
			a := t.env("assistant")
			stop, out := any(nil), 3+i
			if i == len(blocks)-1 {
				stop, out = "tool_use", 150+t.g.rng.IntN(900)
			}
			a["requestId"] = req
			a["message"] = map[string]any{
				"id": id, "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
				"content": []any{b}, "stop_reason": stop, "stop_sequence": nil,
				"usage": map[string]any{"input_tokens": 4, "output_tokens": out, "cache_creation_input_tokens": 600 + t.g.rng.IntN(3000), "cache_read_input_tokens": 20000 + t.g.rng.IntN(80000), "service_tier": "standard"},
			}
			t.w.record(a)
		}
		// The result appears twice (content and toolUseResult): stay in budget.
		size := min(int64(t.g.toolResultSize()), max((end-t.w.n)/2, 512))
		out := t.g.text(int(size))
		r := t.env("user")
		r["message"] = map[string]any{"role": "user", "content": []any{map[string]any{"type": "tool_result", "tool_use_id": fmt.Sprintf("toolu_%s%06d", t.idTag(), t.msgs), "content": out}}}
		r["toolUseResult"] = map[string]any{"stdout": out, "stderr": "", "interrupted": false, "isImage": false}
		t.w.record(r)
		if t.w.n >= end {
			break
		}
		if call == 0 && t.g.rng.IntN(4) == 0 {
			s := t.env("system")
			s["subtype"] = "turn_duration"
			s["durationMs"] = 1000 + t.g.rng.IntN(60000)
			t.w.record(s)
		}
	}
	t.msgs++
	a := t.env("assistant")
	a["requestId"] = fmt.Sprintf("req_%s%06d", t.idTag(), t.msgs)
	a["message"] = map[string]any{
		"id": fmt.Sprintf("msg_%s%06d", t.idTag(), t.msgs), "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
		"content": []any{map[string]any{"type": "text", "text": t.g.text(200 + t.g.rng.IntN(1500))}}, "stop_reason": "end_turn", "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": 4, "output_tokens": 400, "cache_creation_input_tokens": 900, "cache_read_input_tokens": 50000},
	}
	t.w.record(a)
}

// idTag makes a transcript's message, request and tool ids unique: a
// subagent shares its parent's session id but never its responses
// (readers deduplicate responses by id across files).
func (t *transcript) idTag() string {
	if t.sidechain {
		return "sa" + t.sid[2:8]
	}
	return t.sid[:8]
}
