package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// TestBackgroundAgentOverHTTP: a session's model starts an agent in the
// background and ends its turn to wait for it; the agent works, is
// reported, and the model answers. A page watching the stream never
// sees the session wait until that answer: not at the turn's end, by
// the transcript or by the Stop hook that lists the agent (sent through
// `helmd hook`), nor while the agent writes, nor when its report wakes
// the model. Before, the session waited, and a page notified its user,
// from the turn's end on.
func TestBackgroundAgentOverHTTP(t *testing.T) {
	const sid, cwd, agentID = "b9c00000-0000-4000-8000-000000000001", "/home/dev/agents", "a1b2c3d4e5"
	root := t.TempDir()
	path := fixture.Path(root, cwd, sid)
	agent := filepath.Join(strings.TrimSuffix(path, ".jsonl"), "subagents", "agent-"+agentID+".jsonl")
	start := time.Now().Add(-5 * time.Second)
	fixture.Append(t, path, fixture.User(sid, cwd, "check the logs", start))
	fixture.Append(t, path, fmt.Sprintf(`{"type":"assistant","cwd":%q,"sessionId":%q,"requestId":"req_bg","message":{"id":"msg_bg","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"toolu_bg","name":"Agent","input":{"description":"scan the logs","prompt":"look"}}],"stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":20}},"timestamp":%q}`+"\n",
		cwd, sid, fixture.Stamp(start.Add(time.Second))))
	fixture.Append(t, path, fmt.Sprintf(`{"type":"user","cwd":%q,"sessionId":%q,"message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_bg","content":[{"type":"text","text":"Async agent launched successfully."}]}]},"toolUseResult":{"isAsync":true,"status":"async_launched","agentId":%q,"outputFile":"/tmp/x.output"},"timestamp":%q}`+"\n",
		cwd, sid, agentID, fixture.Stamp(start.Add(2*time.Second))))
	work := func(n int, at time.Time) string {
		return fmt.Sprintf(`{"type":"assistant","isSidechain":true,"agentId":%q,"cwd":%q,"sessionId":%q,"requestId":"req_w%d","message":{"id":"msg_w%d","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"tu_w%d","name":"Grep","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":100,"output_tokens":1}},"timestamp":%q}`+"\n",
			agentID, cwd, sid, n, n, n, fixture.Stamp(at))
	}
	fixture.Append(t, agent, work(1, start.Add(3*time.Second)))

	srv := startHelmd(t, root, "--debounce", "1ms")
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	first := c.Next(t, 5*time.Second)
	if s, ok := first.Has(sid); !ok || s.Status != shared.StatusWorking {
		t.Fatalf("at the launch: %+v (listed %v), want working", s, ok)
	}
	// step waits for the session to show done, failing on any event in
	// which it waits for its user before the model's last answer.
	step := func(what string, done func(shared.Session) bool) shared.Session {
		t.Helper()
		ev := c.Wait(t, 5*time.Second, what, func(e ssetest.Event) bool {
			s, ok := e.Has(sid)
			if ok && s.Status == shared.StatusWaiting && s.MessageCount < 4 {
				t.Fatalf("%s: the session waits (%q, %d messages) while its agent works", what, s.WaitingFor, s.MessageCount)
			}
			return ok && done(s)
		})
		s, _ := ev.Has(sid)
		return s
	}

	// The turn ends, "I'll wait for the agent"; its Stop hook lists it.
	now := time.Now()
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_end1", "end_turn", now)+fixture.TurnDuration(sid, cwd, 5*time.Second, now))
	step("the turn's end read", func(s shared.Session) bool { return s.MessageCount == 3 })
	stop := hookPayload(sid, "Stop", `,"stop_hook_active":false,"background_tasks":[{"id":"`+agentID+`","type":"subagent","status":"running","description":"scan the logs"}]`)
	if err := runHook(t.Context(), []string{"--port", portOf(t, srv.URL), "--auth", "none"}, strings.NewReader(stop), t.TempDir(), io.Discard); err != nil {
		t.Fatalf("helmd hook: %v", err)
	}
	var status struct{ Hooks struct{ Accepted int } }
	getJSON(t, srv.URL+"/api/status", &status)
	if status.Hooks.Accepted != 1 {
		t.Fatalf("helmd took %d hooks, want the Stop", status.Hooks.Accepted)
	}
	if s, _ := sessionOf(t, srv, sid); s.Status != shared.StatusWorking {
		t.Fatalf("after the Stop hook: %s %q, want working", s.Status, s.WaitingFor)
	}

	// The agent works on, then is reported: the model answers.
	fixture.Append(t, agent, work(2, time.Now()))
	step("the agent's second call read", func(s shared.Session) bool { return s.Tokens.Input == 220 })
	notify := fmt.Sprintf("<task-notification>\n<task-id>%s</task-id>\n<tool-use-id>toolu_bg</tool-use-id>\n<status>completed</status>\n<summary>Agent \"scan the logs\" completed</summary>\n</task-notification>", agentID)
	at := time.Now()
	fixture.Append(t, path, fmt.Sprintf(`{"type":"user","isMeta":true,"origin":{"kind":"task-notification"},"cwd":%q,"sessionId":%q,"message":{"role":"user","content":%q},"timestamp":%q}`+"\n",
		cwd, sid, notify, fixture.Stamp(at)))
	s := step("the report read", func(s shared.Session) bool { return s.UpdatedAt >= at.UnixMilli() })
	if s.Status != shared.StatusWorking || s.MessageCount != 3 {
		t.Errorf("after the report: %s, %d messages; want working, 3 (a report is no prompt)", s.Status, s.MessageCount)
	}
	at = time.Now()
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_end2", "end_turn", at)+fixture.TurnDuration(sid, cwd, time.Second, at))
	s = step("the answer to the report", func(s shared.Session) bool { return s.MessageCount == 4 })
	if s.Status != shared.StatusWaiting || s.WaitingFor != "input needed" {
		t.Errorf("after the last answer: %s %q; want waiting for input: the agent was reported", s.Status, s.WaitingFor)
	}
}

// TestWorkflowRunOverHTTP: the agents of a Workflow run, whose folder
// (subagents/workflows/<run>/) appears after helmd started, reach the
// stream as their session's spend, at their first line and at the next:
// helmd watches those folders as it does subagents/.
func TestWorkflowRunOverHTTP(t *testing.T) {
	const sid, cwd = "b9c00000-0000-4000-8000-000000000002", "/home/dev/review"
	root := t.TempDir()
	path := fixture.Path(root, cwd, sid)
	start := time.Now().Add(-3 * time.Second)
	fixture.Append(t, path, fixture.User(sid, cwd, "review the repo", start))
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_1", "tool_use", start.Add(time.Second)))
	srv := startHelmd(t, root, "--debounce", "1ms")
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	first := c.Next(t, 5*time.Second)
	if s, ok := first.Has(sid); !ok || s.Tokens.Input != 10 {
		t.Fatalf("at the start: %+v (listed %v), want 10 input tokens", s, ok)
	}
	agent := filepath.Join(strings.TrimSuffix(path, ".jsonl"), "subagents", "workflows", "wf-7f3a", "agent-b2c3.jsonl")
	line := func(n int) string {
		return fmt.Sprintf(`{"type":"assistant","isSidechain":true,"agentId":"b2c3","cwd":%q,"sessionId":%q,"requestId":"req_r%d","message":{"id":"msg_r%d","model":"claude-sonnet-4-5","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":100,"output_tokens":1}},"timestamp":%q}`+"\n",
			cwd, sid, n, n, fixture.Stamp(time.Now()))
	}
	fixture.Append(t, agent, line(1)) // the run's folders made with it
	c.Wait(t, 5*time.Second, "the run's agent counted", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.Tokens.Input == 110 }))
	fixture.Append(t, agent, line(2))
	c.Wait(t, 5*time.Second, "its next line counted", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.Tokens.Input == 210 }))
}
