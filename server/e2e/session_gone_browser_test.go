package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// testSessionGone: the transcript of a session whose page is open is
// deleted, so that helmd no longer has the session. The page keeps its
// messages, readable, says that helmd no longer has the session and
// since when, and no longer shows its status as current; written back,
// the session is itself again on the page.
func testSessionGone(t *testing.T, b *browser) {
	claude := t.TempDir()
	const sid = "6f000000-0000-4000-8000-000000000005"
	at := time.Now().Add(-time.Hour)
	path := fixture.Path(claude, cwd, sid)
	transcript := fixture.User(sid, cwd, "a prompt soon deleted", at) + replyLine(t, sid, "msg_gone", "The reply stays readable.", at)
	fixture.Append(t, path, transcript)
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	const (
		state  = `document.getElementById("session").dataset.state`
		status = `document.querySelector("#session-header .status")?.textContent`
		waited = `!!document.querySelector("#session-header .waited")`
		reply  = `[...document.querySelectorAll("#transcript .msg")].some(m => m.textContent.includes("The reply stays readable."))`
	)
	// Its last answer ended its turn: it waits for input, and the header
	// says for how long.
	c.waitJS(30*time.Second, "the session shown, waiting", state+` === "ready" && `+status+` === "waiting for input" && `+waited+` && `+reply)

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	c.waitJS(10*time.Second, "the page saying helmd no longer has the session", hasTextContaining("#session-gone", "helmd no longer has this session"))
	type seen struct {
		State, Status, Notice, Since string
		Reply, Waited, Error         bool
	}
	got := mustEval[seen](c, `({State: `+state+`, Status: `+status+`,
		Notice: document.getElementById("session-gone").textContent,
		Since: document.querySelector("#session-gone time")?.getAttribute("datetime") || "",
		Reply: `+reply+`, Waited: `+waited+`,
		Error: !!document.getElementById("session-error")})`)
	if got.State != "gone" || got.Status != "gone (was waiting for input)" || got.Waited || !got.Reply || got.Error || got.Since == "" {
		t.Fatalf("with the transcript deleted: %+v; want state gone, the status \"gone (was waiting for input)\" and no wait's length, "+
			"the reply still shown, no other notice, a since", got)
	}
	for _, want := range []string{"deleted or moved", "Gone since ", "(just now)"} {
		if !strings.Contains(got.Notice, want) {
			t.Errorf("the notice %q does not say %q", got.Notice, want)
		}
	}

	fixture.Append(t, path, transcript)
	c.waitJS(10*time.Second, "the session itself again once its transcript is back",
		`!document.getElementById("session-gone") && `+state+` === "ready" && `+status+` === "waiting for input" && `+waited+` && `+reply)
}

// testSubagentGone: as testSessionGone, on a subagent's page, once it
// follows the subagent's transcript live: that transcript deleted, the
// page keeps its messages and says that helmd no longer has it, and since
// when; written back, the page is itself again.
func testSubagentGone(t *testing.T, b *browser) {
	claude := t.TempDir()
	const sid, agent = "6f000000-0000-4000-8000-000000000006", "a6f00000000000006"
	at := time.Now().Add(-time.Hour)
	path := fixture.Path(claude, cwd, sid)
	fixture.Append(t, path, fixture.User(sid, cwd, "look for the flaky test", at)+replyLine(t, sid, "msg_main", "A subagent looked.", at))
	sub := filepath.Join(strings.TrimSuffix(path, ".jsonl"), "subagents", "agent-"+agent+".jsonl")
	side := map[string]any{"isSidechain": true, "agentId": agent}
	subBody := record(t, sid, "user", "s-1", at, map[string]any{"role": "user", "content": "Find the flaky test."}, side) +
		record(t, sid, "assistant", "s-2", at, map[string]any{"id": "msg_sub_gone", "type": "message", "role": "assistant",
			"model": "claude-haiku-4-5", "stop_reason": "end_turn", "usage": map[string]int{"input_tokens": 1, "output_tokens": 1},
			"content": []any{map[string]any{"type": "text", "text": "The subagent's answer stays readable."}}}, side)
	fixture.Append(t, sub, subBody)
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid + "?agent=" + agent)
	const (
		state = `document.getElementById("session").dataset.state`
		reply = `[...document.querySelectorAll("#transcript .msg")].some(m => m.textContent.includes("The subagent's answer stays readable."))`
	)
	c.waitJS(30*time.Second, "the subagent's page", state+` === "ready" && `+reply)
	// Its stream open: what it is told, not a poll's 404, is under test.
	waitUntil(t, 10*time.Second, "the page's stream open", func() bool {
		var st struct{ PageStreams int }
		statusOf(t, p, &st)
		return st.PageStreams == 1
	})

	if err := os.Remove(sub); err != nil {
		t.Fatal(err)
	}
	c.waitJS(10*time.Second, "the page saying helmd no longer has the subagent's transcript",
		hasTextContaining("#session-gone", "helmd no longer has this subagent's transcript"))
	type seen struct {
		State, Notice, Since string
		Reply, Error         bool
	}
	got := mustEval[seen](c, `({State: `+state+`, Notice: document.getElementById("session-gone").textContent,
		Since: document.querySelector("#session-gone time")?.getAttribute("datetime") || "",
		Reply: `+reply+`, Error: !!document.getElementById("session-error")})`)
	if got.State != "gone" || !got.Reply || got.Error || got.Since == "" || !strings.Contains(got.Notice, "(just now)") {
		t.Fatalf("with the subagent's transcript deleted: %+v; want state gone, the reply still shown, no other notice, "+
			"since just now", got)
	}

	fixture.Append(t, sub, subBody)
	c.waitJS(10*time.Second, "the subagent's page itself again once its transcript is back",
		`!document.getElementById("session-gone") && `+state+` === "ready" && `+reply)
}

// testSessionUnlisted: a session's page opened while the list leaves the
// session out, its transcript holding no complete line yet (a new
// session; one rewritten in place is the same moment). Its detail was a
// 404 then, and the page, its messages loaded, said the session was
// deleted or moved. It opens, with the header helmd has (its id and
// resume command), and fills in once the list reads the first line.
func testSessionUnlisted(t *testing.T, b *browser) {
	claude := t.TempDir()
	const sid = "6f000000-0000-4000-8000-000000000007"
	at := time.Now().Add(-time.Hour)
	path := fixture.Path(claude, cwd, sid)
	fixture.Append(t, path, "")
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	const (
		state  = `document.getElementById("session").dataset.state`
		resume = `(document.getElementById("copy-resume")?.title || "")`
		title  = `document.querySelector("#session-header .title")?.textContent`
	)
	c.waitJS(30*time.Second, "the page open, its header answered", state+` === "ready" && `+resume+` === "claude --resume `+sid+`"`)
	if gone := mustEval[bool](c, `!!document.getElementById("session-gone") || !!document.getElementById("session-error")`); gone {
		t.Fatal("the page of a session not listed yet says it is gone")
	}
	// No status is known yet: none is made up ("idle" was).
	if got := c.text("#session-header .status"); got != "not read yet" {
		t.Errorf("the status of a session not listed yet reads %q, want %q", got, "not read yet")
	}

	fixture.Append(t, path, fixture.User(sid, cwd, "a prompt written late", at)+replyLine(t, sid, "msg_late", "The reply came.", at))
	c.waitJS(10*time.Second, "the header filled in once the list has the session",
		title+` === "a prompt written late" && `+resume+`.startsWith("cd ") && `+
			`[...document.querySelectorAll("#transcript .msg")].some(m => m.textContent.includes("The reply came."))`)
}
