package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A topic whose tool is Agent starts an agent in the background, as
// Claude Code's Agent tool does by default: the call's result comes at
// once (async_launched), the turn ends ("I'll wait for its report"), the
// agent works in its own transcript, then its task notification wakes
// the model, which answers. Helm shows the session working all along,
// and the report as a notice on its page.

// agentWrites is how many calls the background agent makes.
const agentWrites = 3

// agentRun is a session's agent at work in the background.
type agentRun struct {
	id, path string
	left     int // calls still to make
	parent   string
}

// background reports whether t's call starts an agent in the background.
func (t topic) background() bool { return t.tool == "Agent" }

// answer is the phase whose advance ends the turn for the user.
func (t topic) answer() int {
	if t.background() {
		return 6
	}
	return 3
}

// steps is how many advances a turn of t takes.
func (t topic) steps() int {
	if t.background() {
		return 6 + agentWrites
	}
	return 4
}

// launch writes the call's result, which says the agent started in the
// background, and the agent's first record, its prompt.
func (s *session) launch(result map[string]any, at time.Time) error {
	s.agent = agentRun{id: fmt.Sprintf("a%.8s%d", s.id, s.turns), left: agentWrites}
	s.agent.path = filepath.Join(strings.TrimSuffix(s.path, ".jsonl"), "subagents", "agent-"+s.agent.id+".jsonl")
	result["toolUseResult"] = map[string]any{"isAsync": true, "status": "async_launched", "agentId": s.agent.id,
		"description": s.topic.input(s.cwd)["description"], "prompt": s.topic.input(s.cwd)["prompt"]}
	if err := appendLines(s.path, result); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.agent.path), 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	r := s.agentEnvelope("user", at)
	r["message"] = map[string]any{"role": "user", "content": s.topic.input(s.cwd)["prompt"]}
	return appendLines(s.agent.path, r)
}

// agentEnvelope is a record of the agent's transcript.
func (s *session) agentEnvelope(kind string, at time.Time) map[string]any {
	chain := s.parent
	r := s.envelope(kind, at)
	s.parent = chain // the conversation's chain is its own
	r["parentUuid"], r["isSidechain"], r["agentId"] = nilIfEmpty(s.agent.parent), true, s.agent.id
	s.agent.parent = r["uuid"].(string)
	return r
}

// agentStep moves the background agent on: its calls (phase 4), then its
// report and the notification that hands it to the model (5), then the
// model's answer to it, which ends the turn (6).
func (s *session) agentStep(at time.Time) error {
	switch s.phase {
	case 4:
		s.agent.left--
		if s.agent.left == 0 {
			s.phase = 5
		}
		call := map[string]any{"type": "tool_use", "id": fmt.Sprintf("toolu_%s_a%d", s.id[:8], s.agent.left), "name": "Grep",
			"input": map[string]any{"pattern": "checkout", "path": s.cwd + "/src"}}
		return appendLines(s.agent.path, s.agentRecord(at, []any{call}, "tool_use"))
	case 5:
		s.phase = 6
		report := "The checkout handler now loads every cart item's price one query at a time (commit 4e1f2a0, Monday)."
		if err := appendLines(s.agent.path, s.agentRecord(at, []any{map[string]any{"type": "text", "text": report}}, "end_turn")); err != nil {
			return err
		}
		desc := s.topic.input(s.cwd)["description"]
		r := s.envelope("user", at)
		r["isMeta"], r["origin"] = true, map[string]any{"kind": "task-notification"}
		r["message"] = map[string]any{"role": "user", "content": fmt.Sprintf(
			"<task-notification>\n<task-id>%s</task-id>\n<status>completed</status>\n<summary>Agent %q completed</summary>\n<result>%s</result>\n</task-notification>",
			s.agent.id, desc, report)}
		s.turnAt = at // the turn the report starts
		return appendLines(s.path, r)
	default:
		s.phase = 0
		s.turns++
		return s.endTurn(at, "The agent found it: a query per cart item since Monday's commit. Shall I batch them?", true)
	}
}

// agentRecord is a response of the agent, as its transcript holds it.
func (s *session) agentRecord(at time.Time, content []any, stop string) map[string]any {
	s.msg++
	return s.response(s.agentEnvelope("assistant", at), "claude-haiku-4-5-20251001", content, stop,
		map[string]any{"input_tokens": 3, "output_tokens": 90, "cache_creation_input_tokens": 400, "cache_read_input_tokens": 6000})
}
