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

// parallelCalls writes, in a Claude root of its own, the transcript of
// session sid: prompt, five seconds ago, then one message of the calls
// (id, tool, input), a second later. It returns the root and the
// transcript's path.
func parallelCalls(t *testing.T, sid, cwd, prompt string, calls ...[3]string) (root, path string) {
	t.Helper()
	root = t.TempDir()
	path = fixture.Path(root, cwd, sid)
	start := time.Now().Add(-5 * time.Second)
	fixture.Append(t, path, fixture.User(sid, cwd, prompt, start))
	fixture.Append(t, path, toolUses(sid, cwd, "msg_1", start.Add(time.Second), calls...))
	return root, path
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
	// The transcript's inputs, in the model's key order; the hooks below
	// send them otherwise ordered and spaced.
	root, path := parallelCalls(t, sid, cwd, "compare the two pages",
		[3]string{"toolu_A", "WebFetch", `{"url":"https://a.example/","prompt":"summarise"}`},
		[3]string{"toolu_B", "WebFetch", `{"url":"https://b.example/","prompt":"summarise"}`})
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

// progress is a progress record of the session: kind bash_progress or
// agent_progress while a tool runs, hook_progress while a hook does,
// naming its call by use and parent (a Bash's by parent, as
// "bash-progress-N" is its own).
func progress(sid, cwd, kind, use, parent string, at time.Time) string {
	return fmt.Sprintf(`{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":%q,"sessionId":%q,"version":"2.1.90","type":"progress","data":{"type":%q,"output":""},"toolUseID":%q,"parentToolUseID":%q,"uuid":"p-%d","timestamp":%q}`+"\n",
		cwd, sid, kind, use, parent, at.UnixNano(), at.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// TestAllowedDialogEndsWhenItsCallRuns: Claude Code fires no hook when
// the user allows a permission dialog, and a call allowed can run for
// minutes before its result is written (an npm test, a subagent's
// work). The progress records it writes while the call runs end the
// dialog's wait: the session shows working, not "permission: Bash" until
// the result. A hook's hook_progress for the call does not (hooks run
// before the dialog), nor, of two parallel dialogs, the first call's
// progress the second's wait; a Task's dialog ends with its subagent's
// agent_progress.
func TestAllowedDialogEndsWhenItsCallRuns(t *testing.T) {
	const sid, cwd = "9a7a0000-0000-4000-8000-000000000002", "/home/dev/allowed"
	root, path := parallelCalls(t, sid, cwd, "test and lint",
		[3]string{"toolu_A", "Bash", `{"command":"npm test"}`},
		[3]string{"toolu_B", "Bash", `{"command":"npm run lint"}`})
	srv := startHelmd(t, root, "--debounce", "1ms")
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	c.Next(t, 5*time.Second)

	// later is a time after every hook posted so far, by a whole
	// millisecond: records are dated to the millisecond.
	later := func() time.Time {
		now := time.Now()
		for time.Now().UnixMilli() <= now.UnixMilli() {
		}
		return time.Now()
	}
	var since int64
	dialog := func(what, tool, input string) {
		t.Helper()
		later()
		postHook(t, srv.URL, hookPayload(sid, "PermissionRequest", `,"tool_name":`+fmt.Sprintf("%q", tool)+`,"tool_input":`+input))
		ev := c.Wait(t, 5*time.Second, what, ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool {
			return s.Status == shared.StatusWaiting && s.WaitingSince > since
		}))
		s, _ := ev.Has(sid)
		since = s.WaitingSince
	}
	// written appends line, dated at, and returns the session once the
	// stream shows it read.
	written := func(what string, at time.Time, line string) shared.Session {
		t.Helper()
		fixture.Append(t, path, line)
		ev := c.Wait(t, 5*time.Second, what, ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.UpdatedAt >= at.UnixMilli() }))
		s, _ := ev.Has(sid)
		return s
	}
	waitsOn := func(s shared.Session, what, tool string) {
		t.Helper()
		if s.Status != shared.StatusWaiting || s.WaitingFor != "permission: "+tool {
			t.Fatalf("after %s: %s %q; want waiting, \"permission: %s\"", what, s.Status, s.WaitingFor, tool)
		}
	}

	dialog("the first dialog", "Bash", `{"command":"npm test"}`)
	at := later()
	waitsOn(written("a hook of the first call", at, progress(sid, cwd, "hook_progress", "toolu_A", "toolu_A", at)), "a hook of the first call", "Bash")
	// Allowed: the second dialog shows, and the first call runs.
	dialog("the second dialog", "Bash", `{ "command": "npm run lint" }`)
	at = later()
	waitsOn(written("the first call's progress", at, progress(sid, cwd, "bash_progress", "bash-progress-0", "toolu_A", at)), "the first call's progress", "Bash")
	// Allowed too: the second call runs, its result minutes away.
	at = later()
	if s := written("the second call's progress", at, progress(sid, cwd, "bash_progress", "bash-progress-1", "toolu_B", at)); s.Status != shared.StatusWorking {
		t.Fatalf("after the second call's progress: %s %q; want working", s.Status, s.WaitingFor)
	}

	// A Task call asked for; allowed, its subagent works.
	at = later()
	written("the Task call", at, toolUses(sid, cwd, "msg_2", at, [3]string{"toolu_T", "Task", `{"description":"review","prompt":"review the diff"}`}))
	dialog("the Task's dialog", "Task", `{"prompt":"review the diff","description":"review"}`)
	at = later()
	if s := written("the subagent's progress", at, agentProgress(sid, cwd, "toolu_T", at)); s.Status != shared.StatusWorking {
		t.Fatalf("after the subagent's progress: %s %q; want working", s.Status, s.WaitingFor)
	}
}
