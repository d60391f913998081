package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vibecraft.sh/helm/server/internal/fixture"
)

// record is one Claude Code line of sid with message m and extra fields.
func record(t *testing.T, sid, typ, uuid string, at time.Time, m map[string]any, extra map[string]any) string {
	t.Helper()
	rec := map[string]any{"parentUuid": nil, "isSidechain": false, "userType": "external", "cwd": cwd, "sessionId": sid,
		"version": "2.1.90", "type": typ, "uuid": uuid, "timestamp": at.UTC().Format("2006-01-02T15:04:05.000Z"), "message": m}
	for k, v := range extra {
		rec[k] = v
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// toolCall is an assistant response calling tool name with input.
func toolCall(t *testing.T, sid, n, name string, input map[string]any, at time.Time) string {
	return record(t, sid, "assistant", "a-"+n, at, map[string]any{"id": "msg_" + n, "type": "message", "role": "assistant",
		"model": "claude-sonnet-4-5-20250929", "stop_reason": "tool_use", "usage": map[string]int{"input_tokens": 1, "output_tokens": 1},
		"content": []any{map[string]any{"type": "tool_use", "id": "toolu_" + n, "name": name, "input": input}}},
		map[string]any{"requestId": "req_" + n})
}

// toolResult is the user record carrying tool call n's result.
func toolResult(t *testing.T, sid, n, out string, at time.Time, side map[string]any) string {
	return record(t, sid, "user", "r-"+n, at, map[string]any{"role": "user",
		"content": []any{map[string]any{"type": "tool_result", "tool_use_id": "toolu_" + n, "content": out}}},
		map[string]any{"toolUseResult": side})
}

// testSessionSubagentAndFull drives two ways into more of a transcript:
// a Task call opens into the subagent's own transcript (and back), and
// a tool result cut on a line of many MB shows "show all", then loads
// whole through …/full, as text.
func testSessionSubagentAndFull(t *testing.T, b *browser) {
	const sid = "5d000000-0000-4000-8000-000000000001"
	const agent = "a0123456789abcdef"
	claude := t.TempDir()
	at := time.Now().Add(-time.Hour)
	// 3 MB of output, with hostile text at its very end: only the whole
	// text holds it, and it must come out as text.
	big := strings.Repeat("line of build output that goes on\n", 3<<20/34) + "<img src=x onerror=\"window.__pwned=1\"> END OF THE BIG OUTPUT"
	main := fixture.User(sid, cwd, "look into the failing build", at) +
		toolCall(t, sid, "task", "Task", map[string]any{"description": "find the failing test", "subagent_type": "general-purpose", "prompt": "Find it."}, at) +
		toolResult(t, sid, "task", "Found it: TestCart.", at, map[string]any{"agentId": agent, "status": "completed"}) +
		toolCall(t, sid, "bash", "Bash", map[string]any{"command": "go build ./..."}, at) +
		toolResult(t, sid, "bash", big, at, map[string]any{"stdout": big, "stderr": ""}) +
		replyLine(t, sid, "msg_done", "The build output is above.", at)
	path := fixture.Path(claude, cwd, sid)
	fixture.Append(t, path, main)
	subPath := filepath.Join(strings.TrimSuffix(path, ".jsonl"), "subagents", "agent-"+agent+".jsonl")
	side := map[string]any{"isSidechain": true, "agentId": agent}
	fixture.Append(t, subPath, record(t, sid, "user", "s-1", at, map[string]any{"role": "user", "content": "Find the failing test."}, side)+
		record(t, sid, "assistant", "s-2", at, map[string]any{"id": "msg_sub_1", "type": "message", "role": "assistant",
			"model": "claude-haiku-4-5", "stop_reason": "end_turn", "usage": map[string]int{"input_tokens": 1, "output_tokens": 1},
			"content": []any{map[string]any{"type": "text", "text": "The subagent says: TestCart fails."}}}, side))

	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(10*time.Second, "the transcript", msgsWith("The build output is above."))

	// The Task call: one line, which opens to a way into the subagent.
	task := `[...document.querySelectorAll("#transcript .block.tool")].find(b => b.querySelector(".name").textContent === "Task")`
	c.waitJS(5*time.Second, "the Task line", "!!"+task)
	if mustEval[bool](c, task+`.querySelector(".tool-body") !== null`) {
		t.Fatal("the Task call is open before it was clicked")
	}
	mustEval[bool](c, task+`.querySelector("button.line").click() || true`)
	c.waitJS(5*time.Second, "the Task call opened", task+`.querySelector("a.subagent") !== null`)
	mustEval[bool](c, task+`.querySelector("a.subagent").click() || true`)
	c.waitJS(10*time.Second, "the subagent's page", fmt.Sprintf(`location.pathname === %s && new URLSearchParams(location.search).get("agent") === %s`,
		jsString("/s/claude/"+sid), jsString(agent)))
	c.waitJS(10*time.Second, "the subagent's own messages", msgsWith("The subagent says: TestCart fails."))
	if mustEval[bool](c, msgsWith("The build output is above.")) {
		t.Error("the subagent's page shows the main transcript's messages")
	}
	// The header names the subagent (no meta file here: by its task) and,
	// once the session's detail has come, the session it works for.
	c.waitJS(10*time.Second, "the subagent's title", hasText("#session-header .title", "Find the failing test."))
	c.waitJS(10*time.Second, "whose subagent it is", hasText("#session-header .subagent-of", "Subagent of look into the failing build"))
	// A subagent's transcript is part of its session: Esc and u go back
	// to the session's page, not to the list; the header's way back
	// says so.
	if got := c.text("#back"); got != "← Session" {
		t.Errorf("the subagent page's way back reads %q, want ← Session", got)
	}
	onParent := fmt.Sprintf(`location.pathname === %s && !location.search.includes("agent") && `, jsString("/s/claude/"+sid)) + msgsWith("The build output is above.")
	keys(c, kb.Escape)
	c.waitJS(10*time.Second, "Esc: back to the session's page", onParent)
	// Opened from a link elsewhere (no session page before it in
	// history), u still leads to its session.
	c.navigate(p.URL + "/s/claude/" + sid + "?agent=" + agent)
	c.waitJS(10*time.Second, "the subagent's page, opened directly", msgsWith("The subagent says: TestCart fails."))
	keys(c, "u")
	c.waitJS(10*time.Second, "u: to the session's page", onParent)
	c.do(5*time.Second, "going back", chromedp.NavigateBack())
	c.waitJS(10*time.Second, "history: the subagent again", msgsWith("The subagent says: TestCart fails."))
	c.do(5*time.Second, "going forward", chromedp.NavigateForward())
	c.waitJS(10*time.Second, "history: the session again", onParent)

	// The result of many MB: cut to a screen, "show all" shows what the
	// page carries, which says it is cut; loading all brings the 3 MB.
	bash := `[...document.querySelectorAll("#transcript .block.tool")].find(b => b.querySelector(".name").textContent === "Bash")`
	c.waitJS(5*time.Second, "the Bash line", "!!"+bash)
	mustEval[bool](c, bash+`.querySelector("button.line").click() || true`)
	c.waitJS(5*time.Second, "show all offered", bash+`.querySelector(".result + .show-all, .longtext .show-all") !== null`)
	if mustEval[bool](c, bash+`.textContent.includes("END OF THE BIG OUTPUT")`) {
		t.Fatal("the end of a 3 MB output is in the page before it was asked for")
	}
	mustEval[bool](c, bash+`.querySelector(".show-all").click() || true`)
	c.waitJS(5*time.Second, "the load-all button", bash+`.querySelector("button.load-full") !== null`)
	if got := mustEval[string](c, bash+`.querySelector("button.load-full").textContent`); !strings.Contains(got, "3.0 MB") {
		t.Errorf("load-all button says %q, want the whole size", got)
	}
	// The block is closed while the 3 MB are on their way (held here),
	// which takes the button away: the text still arrives, and shows
	// when the block opens again.
	holdRequests(c, "/full")
	mustEval[bool](c, bash+`.querySelector("button.load-full").click() || true`)
	c.waitJS(5*time.Second, "the whole text asked for", `window.__hold.held.length === 1`)
	mustEval[bool](c, bash+`.querySelector("button.line").click() || true`)
	c.waitJS(5*time.Second, "the Bash block closed", bash+`.querySelector(".tool-body") === null`)
	mustEval[bool](c, `(window.__released = performance.now()) > 0`)
	releaseRequests(c)
	mustEval[bool](c, bash+`.querySelector("button.line").click() || true`)
	c.waitJS(15*time.Second, "the whole output", bash+`.textContent.includes("END OF THE BIG OUTPUT")`)
	t.Logf("FIGURE 3 MB text: request sent → shown %.0f ms (fetch, render, layout of the text; polled every 25 ms)",
		mustEval[float64](c, `performance.now() - window.__released`))
	if n := mustEval[int](c, bash+`.querySelector("pre.result").textContent.length`); n < 3<<20 {
		t.Errorf("the loaded output holds %d characters, want the whole 3 MB", n)
	}
	if mustEval[bool](c, `!!document.querySelector("#transcript img") || window.__pwned === 1`) {
		t.Fatal("text from the transcript became markup")
	}
	if !mustEval[bool](c, bash+`.querySelector("pre.result").textContent.includes("<img src=x onerror")`) {
		t.Error("the hostile end of the output is not shown as text")
	}
}
