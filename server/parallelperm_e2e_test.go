package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// toolUses is an assistant line asking for the given tool calls at once
// (parallel calls), each given as id, name and input (JSON).
func toolUses(sid, cwd, msgID string, at time.Time, calls ...[3]string) string {
	blocks := ""
	for i, c := range calls {
		if i > 0 {
			blocks += ","
		}
		blocks += fmt.Sprintf(`{"type":"tool_use","id":%q,"name":%q,"input":%s}`, c[0], c[1], c[2])
	}
	return fmt.Sprintf(`{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":%q,"sessionId":%q,"version":"2.1.90","type":"assistant","message":{"id":%q,"type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[%s],"stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":20}},"requestId":"req_%s","uuid":"a-%d","timestamp":%q}`+"\n",
		cwd, sid, msgID, blocks, msgID, at.UnixNano(), at.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// toolResult is the user line carrying the result of tool call id.
func toolResult(sid, cwd, id string, at time.Time) string {
	return fmt.Sprintf(`{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":%q,"sessionId":%q,"version":"2.1.90","type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":%q,"content":"fetched"}]},"uuid":"r-%d","timestamp":%q}`+"\n",
		cwd, sid, id, at.UnixNano(), at.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// agentProgress is the progress record Claude Code writes in the main
// transcript of each record of a subagent run by the Task call task: a
// record of the session, dated when the subagent's was.
func agentProgress(sid, cwd, task string, at time.Time) string {
	return fmt.Sprintf(`{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":%q,"sessionId":%q,"version":"2.1.90","type":"progress","data":{"type":"agent_progress"},"toolUseID":"agent_msg_%d","parentToolUseID":%q,"uuid":"p-%d","timestamp":%q}`+"\n",
		cwd, sid, at.UnixNano(), task, at.UnixNano(), at.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// TestParallelPermissionPrompts: Claude Code runs two WebFetch calls of
// one message at once and asks permission for each in turn. Once the
// first is allowed, its result is written while the second dialog waits:
// the session still waits for its user, and says so, until the second
// call's own result is written, or a new prompt ends the turn; so it
// does after helmd restarts while the second dialog waits, and for a
// subagent's calls, written in a transcript of their own.
func TestParallelPermissionPrompts(t *testing.T) {
	const sid, cwd = "9a7a0000-0000-4000-8000-000000000001", "/home/dev/parallel"
	root := t.TempDir()
	path := fixture.Path(root, cwd, sid)
	start := time.Now().Add(-5 * time.Second)
	fixture.Append(t, path, fixture.User(sid, cwd, "compare the two pages", start))
	// The transcript's inputs, in the model's key order; the hooks below
	// send them otherwise ordered and spaced.
	fixture.Append(t, path, toolUses(sid, cwd, "msg_1", start.Add(time.Second),
		[3]string{"toolu_A", "WebFetch", `{"url":"https://a.example/","prompt":"summarise"}`},
		[3]string{"toolu_B", "WebFetch", `{"url":"https://b.example/","prompt":"summarise"}`}))
	args := []string{"--debounce", "1ms", "--cache-dir", t.TempDir()} // a cache dir: hints kept across a restart
	srv := startHelmd(t, root, args...)
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	c.Next(t, 5*time.Second)

	waits := func(s shared.Session) bool { return s.Status == shared.StatusWaiting }
	// readAfter waits for the stream to show sid as read past at.
	readAfter := func(what string, at time.Time) shared.Session {
		t.Helper()
		ev := c.Wait(t, 5*time.Second, what, ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.UpdatedAt >= at.UnixMilli() }))
		s, _ := ev.Has(sid)
		return s
	}
	// later is a time after every hook posted so far, by a whole
	// millisecond: records are dated to the millisecond.
	later := func() time.Time {
		now := time.Now()
		for time.Now().UnixMilli() <= now.UnixMilli() {
		}
		return time.Now()
	}

	// dialogs posts the PermissionRequest of each call in turn, as each
	// dialog shows, and waits for the stream to show the last: the
	// first is allowed, and the next shows at once, while the first
	// call runs and before its result is written.
	dialogs := func(what string, inputs ...string) {
		t.Helper()
		var since int64
		for _, in := range inputs {
			later() // each wait starts a millisecond after the last
			postHook(t, srv.URL, hookPayload(sid, "PermissionRequest", `,"tool_name":"WebFetch","tool_input":`+in))
			ev := c.Wait(t, 5*time.Second, what, ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return waits(s) && s.WaitingSince > since }))
			s, _ := ev.Has(sid)
			since = s.WaitingSince
		}
	}
	dialogs("the dialogs", `{"prompt":"summarise","url":"https://a.example/"}`, `{ "prompt": "summarise", "url": "https://b.example/" }`)
	at := later()
	fixture.Append(t, path, toolResult(sid, cwd, "toolu_A", at))
	if s := readAfter("the first call's result", at); s.Status != shared.StatusWaiting || s.WaitingFor != "permission: WebFetch" {
		t.Fatalf("after the first call's result: %s %q; want waiting on the second dialog, \"permission: WebFetch\"", s.Status, s.WaitingFor)
	}

	// helmd restarts while the second dialog waits: the wait it kept
	// goes on, though the first call's result is newer than its hook.
	srv.stop(t)
	srv = startHelmd(t, root, args...)
	if s, _ := sessionOf(t, srv, sid); s.Status != shared.StatusWaiting || s.WaitingFor != "permission: WebFetch" {
		t.Fatalf("after a restart: %s %q; want still waiting on the second dialog, \"permission: WebFetch\"", s.Status, s.WaitingFor)
	}
	c = ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	c.Next(t, 5*time.Second)

	at = later()
	fixture.Append(t, path, toolResult(sid, cwd, "toolu_B", at))
	if s := readAfter("the second call's result", at); s.Status != shared.StatusWorking {
		t.Fatalf("after the second call's result: %s %q; want working", s.Status, s.WaitingFor)
	}

	// Another call asked for, and its dialog answered by a new prompt
	// (the user typed instead): the wait ends with the turn.
	fixture.Append(t, path, toolUses(sid, cwd, "msg_2", time.Now(), [3]string{"toolu_C", "Bash", `{"command":"ls"}`}))
	postHook(t, srv.URL, hookPayload(sid, "PermissionRequest", `,"tool_name":"Bash","tool_input":{"command":"ls"}`))
	c.Wait(t, 5*time.Second, "the third dialog", ssetest.Of(shared.EventSessionUpdated, sid, waits))
	at = later()
	fixture.Append(t, path, fixture.User(sid, cwd, "never mind, stop", at))
	if s := readAfter("the new prompt", at); s.Status != shared.StatusWorking {
		t.Fatalf("after a new prompt: %s %q; want working", s.Status, s.WaitingFor)
	}

	// A subagent (a Task call) asks for two WebFetch calls at once, in
	// its own transcript; its hooks come with the session's id, and the
	// main transcript gets a progress record of each of its records.
	fixture.Append(t, path, toolUses(sid, cwd, "msg_3", time.Now(), [3]string{"toolu_T", "Task", `{"description":"compare","prompt":"compare the pages"}`}))
	sub := strings.TrimSuffix(path, ".jsonl") + "/subagents/agent-a1.jsonl"
	sidechain := func(line string) string {
		return strings.Replace(line, `"isSidechain":false`, `"isSidechain":true,"agentId":"a1"`, 1)
	}
	fixture.Append(t, sub, sidechain(toolUses(sid, cwd, "msg_4", time.Now(),
		[3]string{"toolu_D", "WebFetch", `{"url":"https://d.example/","prompt":"summarise"}`},
		[3]string{"toolu_E", "WebFetch", `{"url":"https://e.example/","prompt":"summarise"}`})))
	dialogs("the subagent's dialogs", `{"prompt":"summarise","url":"https://d.example/"}`, `{"prompt":"summarise","url":"https://e.example/"}`)
	at = later()
	fixture.Append(t, sub, sidechain(toolResult(sid, cwd, "toolu_D", at)))
	fixture.Append(t, path, agentProgress(sid, cwd, "toolu_T", at))
	if s := readAfter("the subagent's first call's result", at); s.Status != shared.StatusWaiting || s.WaitingFor != "permission: WebFetch" {
		t.Fatalf("after the subagent's first call's result: %s %q; want waiting on its second dialog", s.Status, s.WaitingFor)
	}
	at = later()
	fixture.Append(t, sub, sidechain(toolResult(sid, cwd, "toolu_E", at)))
	fixture.Append(t, path, agentProgress(sid, cwd, "toolu_T", at))
	if s := readAfter("the subagent's second call's result", at); s.Status != shared.StatusWorking {
		t.Fatalf("after the subagent's second call's result: %s %q; want working", s.Status, s.WaitingFor)
	}
}
