package demo

import (
	"fmt"
	"os"
	"time"
)

// session is one simulated conversation. Each advance writes what Claude
// Code would write next: prompt → tool call (working) → tool result →
// answer with end_turn (waiting for input), and the turn's duration as
// Claude Code 2.1 times it → next prompt … A topic whose call starts an
// agent in the background goes on after the answer (agent.go).
type session struct {
	id, path, cwd, branch string
	topic                 topic
	phase                 int // 0 prompt, 1 tool call, 2 tool result, 3 answer; 4… the background agent's (agent.go)
	turns                 int
	resumeAt              int // the step at which its user answers, while waiting
	msg                   int
	parent                string
	turnAt                time.Time // when the turn's prompt was written
	agent                 agentRun  // the agent at work in the background, if any
}

const model = "claude-sonnet-4-5-20250929"

func (s *session) envelope(kind string, at time.Time) map[string]any {
	uuid := uuid()
	r := map[string]any{
		"parentUuid": nilIfEmpty(s.parent), "isSidechain": false, "userType": "external",
		"cwd": s.cwd, "sessionId": s.id, "version": "2.1.90", "gitBranch": s.branch,
		"type": kind, "uuid": uuid, "timestamp": at.UTC().Format("2006-01-02T15:04:05.000Z"),
	}
	s.parent = uuid
	return r
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *session) prompt(at time.Time) error {
	text := s.topic.prompt
	if s.turns > 0 {
		text = fmt.Sprintf("Thanks. Next step %d: keep going", s.turns+1)
	}
	r := s.envelope("user", at)
	r["message"] = map[string]any{"role": "user", "content": text}
	s.phase, s.turnAt = 1, at
	return appendLines(s.path, r)
}

func (s *session) assistant(at time.Time, content []any, stop string, out int) map[string]any {
	s.msg++
	return s.response(s.envelope("assistant", at), model, content, stop,
		map[string]any{"input_tokens": 4 + s.msg, "output_tokens": out, "cache_creation_input_tokens": 900, "cache_read_input_tokens": 12000 + 800*s.msg})
}

// response fills in r, an assistant record's envelope, as the session's
// response s.msg, of the model named modelID.
func (s *session) response(r map[string]any, modelID string, content []any, stop string, usage map[string]any) map[string]any {
	r["requestId"] = fmt.Sprintf("req_%s_%d", s.id[:8], s.msg)
	r["message"] = map[string]any{
		"id": fmt.Sprintf("msg_%s_%d", s.id[:8], s.msg), "type": "message", "role": "assistant", "model": modelID,
		"content": content, "stop_reason": stop, "stop_sequence": nil, "usage": usage,
	}
	return r
}

func (s *session) advance(at time.Time) error {
	switch s.phase {
	case 0:
		return s.prompt(at)
	case 1:
		s.phase = 2
		call := map[string]any{"type": "tool_use", "id": fmt.Sprintf("toolu_%s_%d", s.id[:8], s.msg+1), "name": s.topic.tool, "input": s.topic.input(s.cwd)}
		return appendLines(s.path, s.assistant(at, []any{call}, "tool_use", 120))
	case 2:
		s.phase = 3
		r := s.envelope("user", at)
		r["message"] = map[string]any{"role": "user", "content": []any{map[string]any{"type": "tool_result", "tool_use_id": fmt.Sprintf("toolu_%s_%d", s.id[:8], s.msg), "content": s.topic.result}}}
		if s.topic.background() {
			return s.launch(r, at)
		}
		return appendLines(s.path, r)
	case 3:
		if s.topic.background() {
			s.phase = 4
			return s.endTurn(at, "I've asked an agent to trace it; I'll wait for its report.", false)
		}
		s.phase = 0
		s.turns++
		return s.endTurn(at, "Done — the change is in and the tests pass. Anything else?", true)
	default:
		return s.agentStep(at)
	}
}

// endTurn writes the answer that ends a turn and the turn's duration;
// titled, with the session's title after them, as Claude Code names a
// session once its first turn is over.
func (s *session) endTurn(at time.Time, text string, titled bool) error {
	records := []map[string]any{s.assistant(at, []any{map[string]any{"type": "text", "text": text}}, "end_turn", 340)}
	if !s.turnAt.IsZero() { // else a turn begun before this run: its length is unknown
		took := s.envelope("system", at)
		took["subtype"], took["durationMs"] = "turn_duration", at.Sub(s.turnAt).Milliseconds()
		records = append(records, took)
	}
	if titled {
		records = append(records, map[string]any{"type": "ai-title", "aiTitle": s.topic.title, "sessionId": s.id})
	}
	return appendLines(s.path, records...)
}

// historic writes finished turns ending at the given time, so the
// session starts out idle with a past.
func (s *session) historic(turns int, end time.Time) error {
	steps := turns * s.topic.steps()
	at := end.Add(-time.Duration(steps) * time.Minute)
	for range steps {
		if err := s.advance(at); err != nil {
			return err
		}
		at = at.Add(time.Minute)
	}
	return os.Chtimes(s.path, end, end)
}
