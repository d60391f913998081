package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestSessionPageBrowser covers what the session page's other browser
// tests leave out: `o` opens a row and `u` returns to the filtered list,
// each kind of block as a reader sees it, n / N in find, the copy
// buttons, and an OpenCode session's page (from the legacy JSON tree)
// following its writes. Where the page keeps its reader's place is
// TestSessionPagePlaceBrowser; what it says as the session lives and
// goes, TestSessionPageLiveBrowser: three tests, each in a browser of
// its own, so that they run beside each other (one was the suite's
// longest test, ~106 s, and the last to end).
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -count=1 -run SessionPage ./server/e2e/
func TestSessionPageBrowser(t *testing.T) {
	beside(t)
	inOneBrowser(t, []browserTest{
		{"KindsFindCopy", testSessionKindsFindCopy},
		{"OpenCode", testSessionOpenCode},
		{"CutPromptsLoadTheirOwnText", testSessionCutPrompts},
		{"OpeningABlockAtTheEndKeepsItsLine", testSessionOpenAtTheEnd},
		{"FindOpensWhatHidesItsMatch", testSessionFindReveals},
		{"FindOpensACallAtItsInput", testSessionFindOpensInput},
		{"FindLoadsACutInputAtItsMatch", testSessionFindLoadsCutInput},
		{"FindStepsThroughTheWholeTranscript", testSessionFindWhole},
		{"HomeEndAndFindOverTheWholeTranscript", testSessionJumps},
		{"AWindowMeetsTheEnd", testSessionWindowMeetsTheEnd},
		{"FindPastItsCap", testSessionFindPastTheCap},
		{"FindCountsWritesInAWindow", testSessionFindCountsWritesInAWindow},
		{"KeysReadAMessageAtATime", testSessionKeysByMessage},
	})
}

// TestSessionPagePlaceBrowser: the end stays in view as the page grows,
// the page opens where it was left, and appends, older messages loading
// and late scroll events leave the reader's place alone.
func TestSessionPagePlaceBrowser(t *testing.T) {
	beside(t)
	inOneBrowser(t, []browserTest{
		{"TheEndStaysWhenTheHeaderGrows", testSessionEndStaysHeaderGrows},
		{"TheEndStaysInView", testSessionEndStaysInView},
		{"OpensWhereItWasLeft", testSessionOpensWhereLeft},
		{"OpensWhereItWasLeftFarUp", testSessionOpensWhereLeftFarUp},
		{"AppendsLeaveTheViewStill", testSessionAppendsLeaveTheViewStill},
		{"ACapLetsGoOfTheTopAndLoadsItAgain", testSessionCapLetsGoOfTheTop},
		{"TheFocusStaysOnItsMessageWhenOlderLoad", testSessionFocusOverOlder},
		{"AScrollUpToldLateStaysUp", testSessionScrollUpToldLate},
		{"ASettleInTheWheelLeavesTheRequest", testSessionSettleInTheWheel},
		{"ItsOwnScrollToldLateKeepsFollowing", testSessionOwnScrollToldLate},
		{"AViewShortenedKeepsFollowing", testSessionViewShortened},
	})
}

// TestSessionPageLiveBrowser: the page says a session is working (and
// again after an outage), says when the session or a subagent's
// transcript is deleted under it, and renders Markdown's nested lists
// and tables.
func TestSessionPageLiveBrowser(t *testing.T) {
	beside(t)
	inOneBrowser(t, []browserTest{
		{"SaysItIsWorking", testSessionSaysItIsWorking},
		{"WorkingLineAfterAnOutage", testSessionWorkingAfterOutage},
		{"SaysWhenTheSessionIsGone", testSessionGone},
		{"SaysWhenTheSubagentIsGone", testSubagentGone},
		{"OpensBeforeTheListHasIt", testSessionUnlisted},
		{"Markdown", testSessionMarkdown},
		{"PollingEndsAKilledCall", testSessionPollEndsAKilledCall},
		{"AKilledSessionsCallHasNoResult", testSessionKilledCallNoResult},
	})
}

// kindsTranscript is a short session holding every kind of block, with
// "needle" in three messages. Short: every row fits the view.
func kindsTranscript(t *testing.T, sid string, at time.Time) string {
	png := base64.StdEncoding.EncodeToString(make([]byte, 3000))
	long := "const line = \"" + strings.Repeat("a long line of code ", 40) + "\""
	assistant := func(n string, content ...any) string {
		return record(t, sid, "assistant", "a-"+n, at, map[string]any{"id": "msg_" + n, "type": "message", "role": "assistant",
			"model": "claude-sonnet-4-5-20250929", "stop_reason": "end_turn", "usage": map[string]int{"input_tokens": 1, "output_tokens": 1},
			"content": content}, map[string]any{"requestId": "req_" + n})
	}
	return fixture.User(sid, cwd, "find the needle in the code", at) +
		record(t, sid, "user", "img-1", at, map[string]any{"role": "user", "content": []any{
			// Pasted text, between the lines Claude Code marks it with.
			map[string]any{"type": "text", "text": "this screenshot of\n<pasted_content id=\"d65e\">\nthe pasted log line\n</pasted_content id=\"d65e\">"},
			map[string]any{"type": "image", "source": map[string]any{"type": "base64", "media_type": "image/png", "data": png}},
		}}, nil) +
		// Thinking, and thinking sent without its text (Opus 4.7 and later).
		assistant("think", map[string]any{"type": "thinking", "thinking": "a private plan", "signature": "sig"},
			map[string]any{"type": "thinking", "thinking": "", "signature": "sig"},
			map[string]any{"type": "text", "text": "Here is the needle:\n\n```js\n" + long + "\n```"}) +
		toolCall(t, sid, "grep", "Grep", map[string]any{"pattern": "TODO\\(", "path": "/home/dev/webapp/src"}, at) +
		toolResult(t, sid, "grep", "src/a.js:3: TODO()", at, nil) +
		toolCall(t, sid, "bash", "Bash", map[string]any{"command": "npm test"}, at) +
		record(t, sid, "user", "r-bash", at, map[string]any{"role": "user", "content": []any{map[string]any{
			"type": "tool_result", "tool_use_id": "toolu_bash", "content": "1 failing", "is_error": true}}}, nil) +
		// Claude Code's own record of a failed API call.
		record(t, sid, "assistant", "a-err", at, map[string]any{"id": "msg_err", "type": "message", "role": "assistant",
			"model": "<synthetic>", "stop_reason": "stop_sequence", "usage": map[string]int{"input_tokens": 0, "output_tokens": 0},
			"content": []any{map[string]any{"type": "text", "text": `API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`}}},
			map[string]any{"isApiErrorMessage": true}) +
		record(t, sid, "system", "c-1", at, nil, map[string]any{"subtype": "compact_boundary", "content": "Conversation compacted"}) +
		record(t, sid, "user", "cs-1", at, map[string]any{"role": "user", "content": "This session is being continued from a previous conversation that ran out of context. " +
			strings.Repeat("The summary goes on for a while. ", 6)}, map[string]any{"isCompactSummary": true}) +
		fixture.User(sid, cwd, "<command-name>/model</command-name>\n<command-message>model</command-message>\n<command-args>opus</command-args>", at) +
		replyLine(t, sid, "msg_last", "The last needle is here.", at)
}

func testSessionKindsFindCopy(t *testing.T, b *browser) {
	const sid = "5e000000-0000-4000-8000-000000000001"
	claude := t.TempDir()
	fixture.Append(t, fixture.Path(claude, cwd, sid), kindsTranscript(t, sid, time.Now().Add(-time.Hour)))
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/?q=needle")
	waitLive(c)
	waitRows(c, "the filtered list", sid)

	// `o` opens the selected row, as Enter does.
	mustEval[bool](c, `(document.activeElement && document.activeElement.blur(), true)`)
	keys(c, "j")
	c.waitJS(10*time.Second, "j selects the row", `!!document.querySelector("li.session.selected")`)
	keys(c, "o")
	c.waitJS(10*time.Second, "o opens the session page", fmt.Sprintf(`location.pathname === %s`, jsString("/s/claude/"+sid)))
	c.waitJS(10*time.Second, "the transcript", msgsWith("The last needle is here."))
	c.waitJS(10*time.Second, "the header", `!!document.querySelector("#session-header .project")`)
	defer func() {
		if t.Failed() {
			t.Logf("page: %s", mustEval[string](c, `document.getElementById("session").outerHTML.slice(0, 6000)`))
		}
	}()

	block := func(name string) string {
		return fmt.Sprintf(`[...document.querySelectorAll("#transcript .block")].find(b => (b.querySelector(".name") || {}).textContent === %s)`, jsString(name))
	}
	// Thinking is collapsed; each tool call is one line: name and main
	// argument, a failed one marked.
	if mustEval[bool](c, `!!document.querySelector("#transcript .thinking-text") || `+msgsWith("a private plan")) {
		t.Error("thinking is shown before it is opened")
	}
	if got := mustEval[string](c, block("Grep")+`.querySelector(".arg").textContent`); got != `TODO\(` {
		t.Errorf("the Grep line shows %q, want its pattern", got)
	}
	if got := mustEval[string](c, block("Bash")+`.dataset.state`); got != "error" {
		t.Errorf("the failed Bash call's state is %q, want error", got)
	}
	mustEval[bool](c, block("Bash")+`.querySelector("button.line").click() || true`)
	c.waitJS(10*time.Second, "the Bash call opened to input and result",
		block("Bash")+`.querySelector(".tool-body").textContent.includes("npm test") && `+block("Bash")+`.querySelector(".tool-body").textContent.includes("1 failing")`)
	mustEval[bool](c, block("Thinking")+`.querySelector("button.line").click() || true`)
	c.waitJS(10*time.Second, "thinking opened", msgsWith("a private plan"))

	// The image is a placeholder with its size; separators are quiet.
	for _, want := range []string{"[image png, 2 KB]", "[thinking: not in the transcript]", "the pasted log line", "Conversation compacted", "/model opus"} {
		if !mustEval[bool](c, msgsWith(want)) {
			t.Errorf("the page does not show %q", want)
		}
	}
	if mustEval[bool](c, `!!document.querySelector("#transcript img")`) {
		t.Error("an image element in the transcript")
	}
	if mustEval[bool](c, msgsWith("pasted_content")) {
		t.Error("the lines that mark pasted text are shown")
	}
	// A failed API call is a notice in words, the API's JSON behind a line.
	if got := c.text("#transcript .api-error .error"); got != "API error 529: Overloaded" {
		t.Errorf("the API error reads %q, want %q", got, "API error 529: Overloaded")
	}
	if mustEval[bool](c, msgsWith("overloaded_error")) {
		t.Error("the API error's JSON is shown before it is asked for")
	}
	mustEval[bool](c, block("As written")+`.querySelector("button.line").click() || true`)
	c.waitJS(10*time.Second, "the API error as written", block("As written")+`.querySelector("pre").textContent.startsWith("API Error: 529 {")`)
	// The compaction's separator is centred; its summary, collapsed, opens
	// to text at the start of its lines, not centred.
	sep := `[...document.querySelectorAll("#transcript .separator")].find(e => e.textContent === "Conversation compacted")`
	if got := mustEval[string](c, `getComputedStyle(`+sep+`).textAlign`); got != "center" {
		t.Errorf("the compaction's separator is aligned %q, want centred", got)
	}
	summary := block("Summary of the conversation so far")
	if mustEval[bool](c, msgsWith("This session is being continued")) {
		t.Error("the compaction summary is shown before it is opened")
	}
	mustEval[bool](c, summary+`.querySelector("button.line").click() || true`)
	c.waitJS(10*time.Second, "the summary opened", summary+`.textContent.includes("This session is being continued")`)
	if got := mustEval[string](c, `getComputedStyle(`+summary+`.querySelector(".md p")).textAlign`); got == "center" {
		t.Error("the compaction summary's text is centred")
	}
	// Closed again: the rows fit the view, as find and Esc below need.
	for _, name := range []string{"As written", "Summary of the conversation so far"} {
		mustEval[bool](c, block(name)+`.querySelector("button.line").click() || true`)
		c.waitJS(10*time.Second, name+" closed", `!`+block(name)+`.querySelector(".md, pre")`)
	}
	// A code block is monospaced, and its long line scrolls rather than
	// widening the page.
	code := `document.querySelector("#transcript .md pre.code")`
	if got := mustEval[string](c, `getComputedStyle(`+code+`).fontFamily`); !strings.Contains(got, "monospace") {
		t.Errorf("code block font %q, want monospace", got)
	}
	if !mustEval[bool](c, `(e => getComputedStyle(e).overflowX === "auto" && e.scrollWidth > e.clientWidth)(`+code+`)`) {
		t.Error("the long line of code does not scroll inside its block")
	}
	if mustEval[bool](c, `document.documentElement.scrollWidth > document.documentElement.clientWidth`) {
		t.Error("the long line of code widens the page")
	}

	// Header: the facts, and what the copy buttons put on the clipboard
	// (writeText is recorded: headless Chromium has no clipboard to read).
	for sel, want := range map[string]string{".project .value": cwd, ".branch .value": "main"} {
		if got := c.text("#session-header " + sel); got != want {
			t.Errorf("header %s reads %q, want %q", sel, got, want)
		}
	}
	mustEval[bool](c, `(Clipboard.prototype.writeText = function (t) { window.__copied = t; return Promise.resolve(); }, true)`)
	for id, want := range map[string]string{
		"#copy-resume": "cd " + cwd + " && claude --resume " + sid,
		"#copy-id":     sid,
		"#copy-path":   fixture.Path(claude, cwd, sid),
	} {
		mustEval[bool](c, `(window.__copied = "", true)`)
		c.do(5*time.Second, "clicking "+id, chromedp.Click(id))
		c.waitJS(10*time.Second, id+" copied", `window.__copied !== ""`)
		if got := mustEval[string](c, `window.__copied`); got != want {
			t.Errorf("%s copied %q, want %q", id, got, want)
		}
		c.waitJS(10*time.Second, id+" says so", hasText(id, "Copied"))
		// …for a moment: then the button is itself again.
		c.waitJS(10*time.Second, id+" itself again", fmt.Sprintf(`document.querySelector(%s).textContent.startsWith("Copy ")`, jsString(id)))
	}

	// Find: / opens it; n and N move between the three messages with
	// "needle", wrapping. From the top, where the first is (find starts
	// from the view: the tool call opened above made it scroll).
	readerScrolls(c, "0")
	// Find opened from a tool's line gives the focus back to it on Esc.
	grepLine := `[...document.querySelectorAll("#transcript .block.tool")].find(b => b.textContent.includes("Grep")).querySelector("button.line")`
	mustEval[bool](c, `((`+grepLine+`).focus(), true)`)
	keys(c, "/")
	c.waitJS(10*time.Second, "/ focuses the find box", `document.activeElement && document.activeElement.id === "find"`)
	keys(c, "needle")
	count := `document.getElementById("find-count").textContent`
	c.waitJS(10*time.Second, "three matches, the first current", count+` === "1 of 3"`)
	c.waitJS(10*time.Second, "the matches marked", `[...document.querySelectorAll("#transcript mark")].some(m => m.textContent.toLowerCase() === "needle")`)
	// Contrast in light and dark, with every kind of block, a tool call
	// open and the matches marked.
	if axe := axeIfPresent(t); axe != "" {
		for _, scheme := range []string{"light", "dark"} {
			viewport(c, 1280, 900, false, scheme)
			axeCheck(t, c, axe, "session page, "+scheme, 20)
		}
		viewport(c, 1280, 900, false, "")
	}
	mustEval[bool](c, `(document.activeElement.blur(), true)`) // n and N are keys of the page, not of the box
	for _, step := range []struct{ key, want string }{{"n", "2 of 3"}, {"n", "3 of 3"}, {"n", "1 of 3"}, {"N", "3 of 3"}, {"N", "2 of 3"}} {
		keys(c, step.key)
		c.waitJS(10*time.Second, step.key+" to "+step.want, count+` === `+jsString(step.want)+
			` && !!document.querySelector("#transcript .msg.current-match mark")`)
	}
	if got := mustEval[string](c, `document.getElementById("find").value`); got != "needle" {
		t.Errorf("n and N typed into the find box: %q", got)
	}

	// Esc closes find; u goes back to the list, its search kept.
	keys(c, kb.Escape)
	c.waitJS(10*time.Second, "Esc closes find", `!document.getElementById("find")`)
	c.waitJS(5*time.Second, "the focus back on the Grep call's line", `document.activeElement === (`+grepLine+`)`)
	keys(c, "u")
	c.waitJS(10*time.Second, "u back to the list", `location.pathname === "/" && new URLSearchParams(location.search).get("q") === "needle"`)
	waitRows(c, "the filtered list again", sid)
	if got := mustEval[string](c, `document.getElementById("search").value`); got != "needle" {
		t.Errorf("search box %q after u", got)
	}
}

// ocMessage writes message mid of OpenCode session sid, with its parts,
// in the legacy JSON tree under storage.
func ocMessage(t *testing.T, storage, sid, mid, role string, at int64, parts ...map[string]any) {
	t.Helper()
	info := map[string]any{"id": mid, "sessionID": sid, "role": role, "time": map[string]any{"created": at, "completed": at}}
	if role == "assistant" {
		info["modelID"], info["providerID"], info["finish"] = "claude-sonnet-4-5", "anthropic", "stop"
		info["tokens"] = map[string]any{"input": 10, "output": 20, "reasoning": 0, "cache": map[string]any{"read": 0, "write": 0}}
	}
	// Parts first, the message last: a watcher that sees the message
	// finds its parts.
	for i, p := range parts {
		p["id"], p["sessionID"], p["messageID"] = fmt.Sprintf("prt_%s%02d", strings.TrimPrefix(mid, "msg_"), i), sid, mid
		writeJSONFile(t, filepath.Join(storage, "part", mid, p["id"].(string)+".json"), p)
	}
	writeJSONFile(t, filepath.Join(storage, "message", sid, mid+".json"), info)
}

func writeJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := path + ".tmp"
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil { // whole, as OpenCode writes
		t.Fatal(err)
	}
}

// testSessionOpenCode: an OpenCode session's page has the same header
// (its resume command), its messages and parts as blocks, hostile text
// as text, and a message written while it is open appears.
func testSessionOpenCode(t *testing.T, b *browser) {
	xdg := t.TempDir()
	storage := filepath.Join(xdg, "opencode", "storage")
	const sid, project = "ses_6a1f0e2d3c4bAbCdEfGhIjKlQq", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	const child = "ses_6a1f0e2d3c4bAbCdEfGhIjKlQr"
	now := time.Now().UnixMilli()
	writeJSONFile(t, filepath.Join(storage, "session", project, sid+".json"), map[string]any{
		"id": sid, "version": "1.1.20", "projectID": project, "directory": cwd, "title": "Fix the OpenCode build",
		"time": map[string]any{"created": now - 60_000, "updated": now - 5_000}})
	ocMessage(t, storage, sid, "msg_95e1a2b3c4d5XyZ0123456789a", "user", now-60_000,
		map[string]any{"type": "text", "text": "why does the build fail? <img src=x onerror=\"window.__pwned=1\">"})
	ocMessage(t, storage, sid, "msg_95e1a2b3c4d6XyZ0123456789a", "assistant", now-50_000,
		map[string]any{"type": "reasoning", "text": "look at the log"},
		map[string]any{"type": "tool", "callID": "toolu_01", "tool": "bash", "state": map[string]any{"status": "completed",
			"input": map[string]any{"command": "npm run build"}, "output": "ERR missing module", "title": "npm run build"}},
		map[string]any{"type": "tool", "callID": "toolu_02", "tool": "task", "state": map[string]any{"status": "completed",
			"input": map[string]any{"description": "find the module", "prompt": "Find it.", "subagent_type": "general"}, "output": "found",
			"metadata": map[string]any{"parentSessionId": sid, "sessionId": child}}},
		map[string]any{"type": "text", "text": "A module is **missing**: [docs](javascript:window.__pwned=1)"})
	// The task's child session, where its subagent ran.
	writeJSONFile(t, filepath.Join(storage, "session", project, child+".json"), map[string]any{
		"id": child, "version": "1.1.20", "projectID": project, "directory": cwd, "title": "find the module (@general subagent)",
		"parentID": sid, "time": map[string]any{"created": now - 45_000, "updated": now - 40_000}})
	ocMessage(t, storage, child, "msg_95e1a2b3c4d6XyZ0123456789b", "assistant", now-42_000,
		map[string]any{"type": "text", "text": "The subagent found the module."})
	p := startBinaryEnv(t, t.TempDir(), []string{"XDG_DATA_HOME=" + xdg},
		"--port", "0", "--claude-dir", t.TempDir(), "--keepalive", "2s", "--debounce", "50ms")
	needClient(t, p)

	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	row := rowSel("opencode:" + sid)
	c.waitJS(10*time.Second, "the OpenCode row", present(row))
	click(c, row+" .title")
	c.waitJS(10*time.Second, "a click opens its page", fmt.Sprintf(`location.pathname === %s`, jsString("/s/opencode/"+sid)))
	c.waitJS(10*time.Second, "its messages", msgsWith("A module is missing"))
	defer func() {
		if t.Failed() {
			t.Logf("page: %s", mustEval[string](c, `document.getElementById("session").outerHTML.slice(0, 6000)`))
		}
	}()
	c.waitJS(10*time.Second, "its header", hasText("#session-header .title", "Fix the OpenCode build"))
	mustEval[bool](c, `(Clipboard.prototype.writeText = function (t) { window.__copied = t; return Promise.resolve(); }, true)`)
	c.do(5*time.Second, "copying the resume command", chromedp.Click("#copy-resume"))
	c.waitJS(10*time.Second, "the resume command copied", `!!window.__copied`)
	// Its label changes for a moment, and the buttons after it move: wait
	// for it to come back before clicking the next.
	c.waitJS(10*time.Second, "the resume button says so", hasText("#copy-resume", "Copied"))
	c.waitJS(10*time.Second, "the resume button itself again", hasText("#copy-resume", "Copy resume command"))
	if got, want := mustEval[string](c, `window.__copied`), "cd "+cwd+" && opencode --session "+sid; got != want {
		t.Errorf("resume command %q, want %q", got, want)
	}
	// Its transcript is its session file: there is no database here.
	mustEval[bool](c, `(window.__copied = "", true)`)
	c.do(5*time.Second, "copying the path", chromedp.Click("#copy-path"))
	c.waitJS(10*time.Second, "the path copied", `!!window.__copied`)
	c.waitJS(10*time.Second, "the path button says so", hasText("#copy-path", "Copied"))
	if got, want := mustEval[string](c, `window.__copied`), filepath.Join(storage, "session", project, sid+".json"); got != want {
		t.Errorf("transcript path %q, want the session file %q", got, want)
	}
	bash := `[...document.querySelectorAll("#transcript .block.tool")].find(b => b.querySelector(".name").textContent === "bash")`
	c.waitJS(10*time.Second, "the bash call as one line", bash+` && `+bash+`.querySelector(".arg").textContent === "npm run build"`)
	mustEval[bool](c, bash+`.querySelector("button.line").click() || true`)
	c.waitJS(10*time.Second, "its result", bash+`.textContent.includes("ERR missing module")`)
	if !mustEval[bool](c, `!!document.querySelector("#transcript .block.thinking")`) {
		t.Error("the reasoning part is not a thinking block")
	}
	if mustEval[bool](c, `!!document.querySelector("#transcript img, #transcript a[href^='javascript']") || window.__pwned !== undefined`) {
		t.Fatal("OpenCode text became markup")
	}
	if !mustEval[bool](c, msgsWith(`<img src=x onerror="window.__pwned=1">`)) {
		t.Error("the hostile prompt is not shown as text")
	}
	// Find over the whole transcript and its first page, from the
	// session file: the page's own requests, as its find and Home make them.
	var found struct{ Matches []string }
	if err := json.Unmarshal([]byte(mustEval[string](c, `fetch("/api/sessions/opencode/`+sid+`/find?q=MISSING%20module").then(r => r.text())`)), &found); err != nil || len(found.Matches) != 1 {
		t.Errorf("find in the OpenCode session: %v %+v, want its one message", err, found)
	}
	var first struct {
		Messages []struct{ ID string }
		Before   string
		More     bool
	}
	if err := json.Unmarshal([]byte(mustEval[string](c, `fetch("/api/sessions/opencode/`+sid+`/messages?at=start&limit=1").then(r => r.text())`)), &first); err != nil ||
		len(first.Messages) != 1 || first.Messages[0].ID != "msg_95e1a2b3c4d5XyZ0123456789a" || first.Before != "" || !first.More {
		t.Errorf("the OpenCode session's first page: %v %+v", err, first)
	}

	// A message written while the page is open appears.
	ocMessage(t, storage, sid, "msg_95e1a2b3c4d7XyZ0123456789a", "user", time.Now().UnixMilli(),
		map[string]any{"type": "text", "text": "a prompt written while the page is open"})
	c.waitJS(15*time.Second, "the new message", msgsWith("a prompt written while the page is open"))

	// The task call opens into its child session's own page, and back.
	task := `[...document.querySelectorAll("#transcript .block.tool")].find(b => b.querySelector(".name").textContent === "task")`
	c.waitJS(10*time.Second, "the task line", "!!"+task+` && `+task+`.querySelector(".arg").textContent === "find the module"`)
	mustEval[bool](c, task+`.querySelector("button.line").click() || true`)
	c.waitJS(10*time.Second, "the way into the subagent", task+`.querySelector("a.subagent") !== null`)
	mustEval[bool](c, task+`.querySelector("a.subagent").click() || true`)
	c.waitJS(10*time.Second, "the child session's page", fmt.Sprintf(`location.pathname === %s`, jsString("/s/opencode/"+child)))
	c.waitJS(10*time.Second, "the subagent's own messages", msgsWith("The subagent found the module."))
	c.do(5*time.Second, "going back", chromedp.NavigateBack())
	c.waitJS(10*time.Second, "the parent's page again", fmt.Sprintf(`location.pathname === %s`, jsString("/s/opencode/"+sid))+` && `+msgsWith("A module is missing"))
}

// testSessionCutPrompts: prompts over 64 KiB come cut, each row with its
// own "load all". The virtual list moves other messages into the rows'
// elements as it scrolls; a button must still load its own row's text.
func testSessionCutPrompts(t *testing.T, b *browser) {
	const sid = "5e000000-0000-4000-8000-000000000002"
	const prompts = 16
	claude := t.TempDir()
	at := time.Now().Add(-time.Hour)
	var s strings.Builder
	for i := range prompts {
		s.WriteString(fixture.User(sid, cwd, fmt.Sprintf("prompt %d: %s END OF PROMPT %d", i, strings.Repeat("words without end ", 70<<10/18), i), at))
	}
	fixture.Append(t, fixture.Path(claude, cwd, sid), s.String())
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(10*time.Second, "the last prompt", fmt.Sprintf(`[...document.querySelectorAll("#transcript .prompt")].some(e => e.textContent.startsWith("prompt %d:"))`, prompts-1))
	first := mustEval[string](c, `[...document.querySelectorAll("#transcript .msg")].map(m => m.dataset.i).join()`)
	// Scroll up until other messages are in the rendered rows.
	c.waitJS(20*time.Second, "the window moved", fmt.Sprintf(`(t => { t.scrollTop = Math.max(0, t.scrollTop - 3000);
		return [...document.querySelectorAll("#transcript .msg")].map(m => m.dataset.i).join() !== %s; })(document.getElementById("transcript"))`, jsString(first)))
	// The row in the middle of the view, its button, and whose it is.
	row := `[...document.querySelectorAll("#transcript .msg")].find(m => { const r = m.getBoundingClientRect(), v = document.getElementById("transcript").getBoundingClientRect();
		return r.top < v.top + v.height / 2 && r.bottom > v.top + v.height / 2; })`
	c.waitJS(10*time.Second, "a row with its load-all button", `(m => !!m && !!m.querySelector("button.load-full"))(`+row+`)`)
	n := mustEval[string](c, `(m => (m.dataset.i + " " + /^prompt (\d+):/.exec(m.querySelector(".prompt").textContent)[1]))(`+row+`)`)
	var i, which int
	if _, err := fmt.Sscanf(n, "%d %d", &i, &which); err != nil {
		t.Fatalf("reading the row: %q: %v", n, err)
	}
	mustEval[bool](c, fmt.Sprintf(`document.querySelector('#transcript .msg[data-i="%d"] button.load-full').click() || true`, i))
	c.waitJS(15*time.Second, fmt.Sprintf("prompt %d loaded whole in its own row", which), fmt.Sprintf(
		`(m => !!m && m.querySelector(".prompt").textContent.endsWith("END OF PROMPT %d") && !m.querySelector("button.load-full"))(document.querySelector('#transcript .msg[data-i="%d"]'))`, which, i))
	if err := mustEval[string](c, `(document.getElementById("session-error") || {}).textContent || ""`); err != "" {
		t.Errorf("the page says %q", err)
	}
}

// testSessionOpenAtTheEnd: at the end of a long session (the page
// follows the end), opening the last tool call keeps its line where it
// was clicked, its result opening below it, rather than scrolling the
// line off the top to show the result's end. Closing it keeps it too.
func testSessionOpenAtTheEnd(t *testing.T, b *browser) {
	p, sid := serveEndSession(t)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the wasm client", `document.body.dataset.wasm === "ready"`)
	line := `[...document.querySelectorAll("#transcript .block.tool")].filter(b => b.textContent.includes("go test")).pop()?.querySelector("button.line")`
	c.waitJS(10*time.Second, "the last tool call", "!!"+line)
	before := settledTop(c, "the last tool call's line, followed", line)
	mustEval[bool](c, `(`+line+`).click() || true`)
	c.waitJS(10*time.Second, "the result open", `(`+line+`).parentElement.textContent.includes("some/package")`)
	view := mustEval[float64](c, `document.getElementById("transcript").getBoundingClientRect().top`)
	if after := settledTop(c, "the opened tool call's line", line); after < view || math.Abs(after-before) > 2 {
		t.Errorf("opened, the clicked line moved from y=%.0f to y=%.0f (the transcript starts at y=%.0f)", before, after, view)
	}
	mustEval[bool](c, `(`+line+`).click() || true`)
	c.waitJS(10*time.Second, "the result closed", `!(`+line+`).parentElement.textContent.includes("some/package")`)
	if after := settledTop(c, "the closed tool call's line", line); after < view || math.Abs(after-before) > 2 {
		t.Errorf("closed again, the clicked line moved from y=%.0f to y=%.0f (the transcript starts at y=%.0f)", before, after, view)
	}
}

// serveEndSession serves a session of 40 prompts and replies of many
// heights, then a Bash call with a 200-line result: longer than a view.
func serveEndSession(t *testing.T) (p *proc, sid string) {
	claude := t.TempDir()
	sid = "6c000000-0000-4000-8000-000000000001"
	at := time.Now().Add(-time.Hour)
	w := turns(t, sid, "end", 40, at)
	w.WriteString(toolCall(t, sid, "last", "Bash", map[string]any{"command": "go test ./..."}, at))
	w.WriteString(toolResult(t, sid, "last", strings.Repeat("ok  \tsome/package\t0.1s\n", 200), at, nil))
	fixture.Append(t, fixture.Path(claude, cwd, sid), w.String())
	return serveList(t, claude), sid
}

// testSessionEndStaysInView: at the end of a session, what takes height
// from the transcript's view (the find box, a phone's Details) leaves
// the end in view; find, opened there, shows a match in view without
// scrolling.
func testSessionEndStaysInView(t *testing.T, b *browser) {
	p, sid := serveEndSession(t)
	c := b.tab(t)
	viewport(c, 390, 844, true, "light")
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the wasm client", `document.body.dataset.wasm === "ready"`)
	c.waitJS(10*time.Second, "the header's facts", `!!document.querySelector("#session-header .project")`)
	last := `document.querySelector("#transcript .msg:last-of-type")`
	atEnd := func(what string) {
		t.Helper()
		settledTop(c, "the last row, "+what, last)
		if gap := mustEval[float64](c, `(t => t.scrollHeight - t.scrollTop - t.clientHeight)(document.getElementById("transcript"))`); gap > 2 {
			t.Errorf("%s, the view stops %.0f px short of the end", what, gap)
		}
	}
	atEnd("opened")
	// A phone turned, a window resized: the rows wrap anew, the end stays.
	viewport(c, 844, 390, true, "light")
	atEnd("turned to 844×390")
	viewport(c, 390, 844, true, "light")
	atEnd("turned back to 390×844")
	click(c, "#details-toggle")
	atEnd("Details opened")
	click(c, "#details-toggle")
	atEnd("Details closed")
	click(c, "#find-open")
	atEnd("the find box open")
	before := mustEval[float64](c, `document.getElementById("transcript").scrollTop`)
	keys(c, "reply 3")
	c.waitJS(10*time.Second, "a match shown", currentMatchInView("reply 3"))
	atEnd("a match in view found")
	// A pixel of slack: typing, find opens and closes results that hold
	// a passing match, and the view, kept in place through them, can land
	// a pixel off (5241 against 5242 in CI), which no one sees; a scroll
	// to show the match moves it by a line or more.
	if after := mustEval[float64](c, `document.getElementById("transcript").scrollTop`); math.Abs(after-before) > 1 {
		t.Errorf("find scrolled from %.0f to %.0f to show a match that was in view", before, after)
	}
}

// testSessionOpensWhereLeft: back to the list and into the session
// again, the page shows the row that was being read where it was; left
// at its end, it opens at its end.
func testSessionOpensWhereLeft(t *testing.T, b *browser) {
	p, sid := serveEndSession(t)
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	openFromList(c, sid, "the session")
	settledTop(c, "the last row", `document.querySelector("#transcript .msg:last-of-type")`)
	readerScrolls(c, "1500")
	left := readingOf(c, "scrolled up")
	backToList(c)
	openFromList(c, sid, "the session again")
	if got := readingOf(c, "opened again"); got.Text != left.Text || math.Abs(got.At-left.At) > 2 {
		t.Errorf("opened again, the view shows %q at %.0f px; it was left at %q at %.0f px", got.Text, got.At, left.Text, left.At)
	}

	// Left at its end, it opens at its end.
	mustEval[bool](c, `(t => (t.scrollTop = t.scrollHeight, true))(document.getElementById("transcript"))`)
	settledTop(c, "the last row, at the end", `document.querySelector("#transcript .msg:last-of-type")`)
	backToList(c)
	openFromList(c, sid, "the session, left at its end")
	settledTop(c, "the last row, opened again", `document.querySelector("#transcript .msg:last-of-type")`)
	if gap := mustEval[float64](c, `(t => t.scrollHeight - t.scrollTop - t.clientHeight)(document.getElementById("transcript"))`); gap > 2 {
		t.Errorf("left at its end, the session opens %.0f px short of it", gap)
	}
}

// openFromList opens sid's page by its row's title on the list.
func openFromList(c *chrome, sid, what string) {
	c.t.Helper()
	click(c, rowSel("claude:"+sid)+" .title")
	c.waitJS(10*time.Second, what, `location.pathname.startsWith("/s/") && !!document.querySelector("#transcript .msg")`)
}

// backToList leaves a session's page by Escape.
func backToList(c *chrome) {
	c.t.Helper()
	keys(c, kb.Escape)
	c.waitJS(10*time.Second, "back on the list", `location.pathname === "/" && !!document.querySelector("li.session")`)
}

// reading is the row being read (the first one in view) and its top's
// offset in the view.
type reading struct {
	Text string
	At   float64
}

// readingOf is the reading once the page is still: the row at the top
// of the view has stayed put for 10 frames. (It waited on the first
// rendered row, which could hold still while the view's rows were not
// yet rendered where it was scrolled to: a clean-clone run under load
// then read no row at all.)
func readingOf(c *chrome, what string) reading {
	c.t.Helper()
	settledTop(c, what, `(t => [...t.querySelectorAll(".msg")].find(m => m.getBoundingClientRect().bottom > t.getBoundingClientRect().top))(document.getElementById("transcript"))`)
	return mustEval[reading](c, `(t => { const v = t.getBoundingClientRect().top;
		const m = [...t.querySelectorAll(".msg")].find(m => m.getBoundingClientRect().bottom > v);
		return {text: m.querySelector(".md, .prompt, .block").textContent, at: m.getBoundingClientRect().top - v}; })(document.getElementById("transcript"))`)
}

// serveTurns serves a session of n turns (turns) an hour old, and
// returns helmd and the transcript's path.
func serveTurns(t *testing.T, sid, tag string, n int) (*proc, string) {
	t.Helper()
	claude := t.TempDir()
	path := fixture.Path(claude, cwd, sid)
	fixture.Append(t, path, turns(t, sid, tag, n, time.Now().Add(-time.Hour)).String())
	return serveList(t, claude), path
}

// openSettled serves n turns of sid (serveTurns) and opens its page in a
// tab, settled at the end it follows; path is its transcript.
func openSettled(t *testing.T, b *browser, sid, tag string, n int) (c *chrome, path string) {
	t.Helper()
	p, path := serveTurns(t, sid, tag, n)
	c = b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the transcript", `document.body.dataset.wasm === "ready" && !!document.querySelector("#transcript .msg")`)
	settledTop(c, "the last row", `document.querySelector("#transcript .msg:last-of-type")`)
	return c, path
}

// turns writes n prompt/reply pairs of sid at at, the replies of
// varied lengths (tag keeps their message ids apart), into a builder a
// test may add to.
func turns(t *testing.T, sid, tag string, n int, at time.Time) *strings.Builder {
	var w strings.Builder
	for i := range n {
		w.WriteString(fixture.User(sid, cwd, fmt.Sprintf("prompt %d", i), at))
		w.WriteString(replyLine(t, sid, fmt.Sprintf("msg_%s_%d", tag, i), fmt.Sprintf("reply %d\n\n%s", i, strings.Repeat("words ", 15*(i%7))), at))
	}
	return &w
}

// testSessionOpensWhereLeftFarUp: a place far above the last page (the
// reader scrolled up through many older pages) is found again when the
// session opens: older pages load until its row is there, and the row is
// where it was in the view.
func testSessionOpensWhereLeftFarUp(t *testing.T, b *browser) {
	const sid = "6c000000-0000-4000-8000-000000000002"
	p, _ := serveTurns(t, sid, "far", 300)
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	openFromList(c, sid, "the session")
	settledTop(c, "the last row", `document.querySelector("#transcript .msg:last-of-type")`)
	// Up to the first prompt, page after page of 50: each scroll to the
	// top asks for the next.
	c.waitJS(60*time.Second, "the first prompt, loaded by scrolling up", `(t => { t.scrollTop = 0;
		return [...t.querySelectorAll(".msg .prompt")].some(e => e.textContent === "prompt 0"); })(document.getElementById("transcript"))`)
	readerScrolls(c, "2500")
	left := readingOf(c, "read near the start")
	if !strings.HasPrefix(left.Text, "prompt ") && !strings.HasPrefix(left.Text, "reply ") {
		t.Fatalf("the row read is %q", left.Text)
	}
	backToList(c)
	openFromList(c, sid, "the session again")
	// This has failed in CI, twice before a2c4f71 and once after b493ac0,
	// with the view blank (no row in it) and never here: say what the
	// page held if it fails again.
	defer func() {
		if t.Failed() {
			t.Logf("page state: %s", mustEval[string](c, `JSON.stringify((t => ({top: t.scrollTop, height: t.scrollHeight, view: t.clientHeight,
				above: document.getElementById("above").getBoundingClientRect().height, below: document.getElementById("below").getBoundingClientRect().height,
				rows: [...t.querySelectorAll(".msg[data-i]")].map(m => m.dataset.i + "@" + Math.round(m.getBoundingClientRect().top - t.getBoundingClientRect().top)).join(" "),
				seeking: document.getElementById("session").dataset.seeking, state: document.getElementById("session").dataset.state,
				latest: (document.getElementById("new-below") || {}).textContent}))(document.getElementById("transcript")))`))
		}
	}()
	c.waitJS(30*time.Second, "the place sought among older pages", `document.getElementById("session").dataset.seeking === "false" &&
		document.querySelectorAll("#transcript .msg[data-i]").length > 0`)
	if got := readingOf(c, "opened again"); got.Text != left.Text || math.Abs(got.At-left.At) > 2 {
		t.Errorf("opened again, the view shows %q at %.0f px; it was left at %q at %.0f px", got.Text, got.At, left.Text, left.At)
	}
}

// testSessionAppendsLeaveTheViewStill: scrolled up a little from the end
// of a live session, turns that arrive (each measured for the first
// time, changing the height every unmeasured row is counted at) leave
// the row being read where it is, to the pixel, and "N new ↓" counts
// them.
func testSessionAppendsLeaveTheViewStill(t *testing.T, b *browser) {
	const sid = "6e000000-0000-4000-8000-000000000001"
	c, path := openSettled(t, b, sid, "still", 40)
	// The keys scroll the transcript from the start, without a click
	// in it first.
	const scrollTop = `document.getElementById("transcript").scrollTop`
	c.waitJS(5*time.Second, "the transcript focused", `document.activeElement && document.activeElement.id === "transcript"`)
	end := mustEval[float64](c, scrollTop)
	keys(c, kb.PageUp)
	c.waitJS(5*time.Second, "PageUp to scroll the transcript up", fmt.Sprintf(`%s < %v - 100`, scrollTop, end))
	keys(c, kb.End)
	// The page's End, not the browser's: its smooth scroll was stopped
	// short of the end by the first scroll that held the row being read.
	c.waitJS(5*time.Second, "End back to the end, following", endFollowed)
	for _, up := range []int{200, 500} {
		readerScrolls(c, fmt.Sprintf("t.scrollHeight - t.clientHeight - %d", up))
		// The row at 100 px into the view, by its index: the virtual
		// list moves other rows into the same elements.
		i := mustEval[string](c, `(t => [...t.querySelectorAll(".msg")].find(m => m.getBoundingClientRect().bottom > t.getBoundingClientRect().top + 100).dataset.i)(document.getElementById("transcript"))`)
		row := fmt.Sprintf(`document.querySelector('#transcript .msg[data-i="%s"]')`, i)
		before := settledTop(c, fmt.Sprintf("row %s, %d px up", i, up), row)
		// Away from the end, the way back to it, before anything new.
		c.waitJS(10*time.Second, "Latest ↓ offered", `(document.getElementById("new-below") || {}).textContent === "Latest ↓"`)
		for k := range 3 {
			n := fmt.Sprintf("%d-%d", up, k)
			fixture.Append(t, path, fixture.User(sid, cwd, "appended "+n, time.Now())+
				replyLine(t, sid, "msg_more_"+n, "answer "+n+"\n\n"+strings.Repeat("more words ", 10*k), time.Now()))
			want := fmt.Sprintf("%d new ↓", 2*(k+1))
			c.waitJS(10*time.Second, want, fmt.Sprintf(`(document.getElementById("new-below") || {}).textContent === %q`, want))
			if after := settledTop(c, "row "+i+" after "+n, row); math.Abs(after-before) > 1 {
				t.Errorf("%d px up, turn %d moved the row being read from y=%.1f to y=%.1f", up, k, before, after)
			}
		}
		click(c, "#new-below")
		settledTop(c, "the last row, at the end again", `document.querySelector("#transcript .msg:last-of-type")`)
		c.waitJS(10*time.Second, "no way to the end offered at the end", `!document.getElementById("new-below")`)
	}
}

// testSessionCapLetsGoOfTheTop: a page holds at most a cap of messages
// (a small one here, window.__helmMaxMsgs; 3,000 in use): appends past
// it let the oldest go, above the view, and the row being read stays
// where it is; scrolling up loads what went again, as older pages.
func testSessionCapLetsGoOfTheTop(t *testing.T, b *browser) {
	const sid = "6e000000-0000-4000-8000-000000000009"
	c, path := openSettled(t, b, sid, "cap", 40) // its last page: turns 15-39
	var more strings.Builder
	for i := 40; i < 100; i++ {
		more.WriteString(fixture.User(sid, cwd, fmt.Sprintf("prompt %d", i), time.Now()))
		more.WriteString(replyLine(t, sid, fmt.Sprintf("msg_cap_%d", i), fmt.Sprintf("reply %d", i), time.Now()))
	}
	fixture.Append(t, path, more.String())
	c.waitJS(10*time.Second, "turn 99 shown at the end", msgsWith("reply 99")+" && "+endFollowed)
	mustEval[bool](c, `(window.__helmMaxMsgs = 24, true)`)
	readerScrolls(c, "t.scrollHeight - t.clientHeight - 300")
	cursor := mustEval[string](c, `(t => [...t.querySelectorAll(".msg")].find(m => m.getBoundingClientRect().bottom > t.getBoundingClientRect().top + 100).dataset.cursor)(document.getElementById("transcript"))`)
	row := fmt.Sprintf(`document.querySelector('#transcript .msg[data-cursor=%s]')`, jsString(cursor))
	before := settledTop(c, "the row being read", row)
	fixture.Append(t, path, fixture.User(sid, cwd, "prompt 100", time.Now())+replyLine(t, sid, "msg_cap_100", "reply 100", time.Now()))
	c.waitJS(10*time.Second, "2 new ↓", `(document.getElementById("new-below") || {}).textContent === "2 new ↓"`)
	// 172 held without the cap; with it, those from a page above the
	// rows shown.
	last := `Math.max(...[...document.querySelectorAll("#transcript .msg")].map(m => +m.dataset.i))`
	c.waitJS(10*time.Second, "the oldest let go", last+" < 100")
	if after := settledTop(c, "the row being read after the cap", row); math.Abs(after-before) > 1 {
		t.Errorf("the cap moved the row being read from y=%.1f to y=%.1f", before, after)
	}
	// Scrolled up, a page of 50 at a time, to the transcript's start:
	// what went comes again, above the rows held, as at open. (The first
	// row's text is not asked for: a settle after the last page can hold
	// the row read over the test's scroll to the top, as without a cap.)
	start := `(document.getElementById("older") || {}).textContent === "Start of the transcript"`
	for k := 0; k < 6 && !mustEval[bool](c, start); k++ {
		readerScrolls(c, "0")
		// The page above in: the view moved down by its height.
		c.waitJS(10*time.Second, "a page above loaded", start+` || (t => t.scrollTop > 0 && document.getElementById("older").textContent === "Scroll up for older messages")(document.getElementById("transcript"))`)
	}
	// The pages above the first message held led back to the start.
	c.waitJS(10*time.Second, "the transcript's start, loaded again", start)
}

// testSessionFocusOverOlder: the keyboard's focus on a control inside a
// message (a tool call's line) stays on that message's control when a
// page of older messages loads above it. (It was put back by the row's
// index, which the page above moved: onto the control of the message
// that came to have that index, or the transcript, so the next Enter
// opened another message's block.)
func testSessionFocusOverOlder(t *testing.T, b *browser) {
	const sid = "6e000000-0000-4000-8000-00000000000f"
	claude := t.TempDir()
	at := time.Now().Add(-time.Hour)
	var w strings.Builder
	for i := range 40 { // 120 messages: the last page of 50 leaves older ones
		n := fmt.Sprintf("f%d", i)
		w.WriteString(fixture.User(sid, cwd, fmt.Sprintf("prompt %d", i), at))
		w.WriteString(toolCall(t, sid, n, "Bash", map[string]any{"command": fmt.Sprintf("echo %d", i)}, at))
		w.WriteString(toolResult(t, sid, n, fmt.Sprint(i), at, nil))
		w.WriteString(replyLine(t, sid, "msg_r"+n, fmt.Sprintf("reply %d", i), at))
	}
	fixture.Append(t, fixture.Path(claude, cwd, sid), w.String())
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the transcript", `document.body.dataset.wasm === "ready" && !!document.querySelector("#transcript .msg")`)
	settledTop(c, "the last row", `document.querySelector("#transcript .msg:last-of-type")`)
	// Up to the first message held, the page above held back while its
	// first tool call's line takes the focus, then let in.
	holdRequests(c, "before=")
	readerScrolls(c, "0")
	c.waitJS(10*time.Second, "the page above asked for, the top rows shown", `window.__hold.held.length > 0 &&
		!!document.querySelector('#transcript .msg[data-i="0"]')`)
	type focused struct {
		Cursor string
		I      int
	}
	f := mustEval[focused](c, `(l => (l.focus({preventScroll: true}), {cursor: l.closest(".msg").dataset.cursor, i: +l.closest(".msg").dataset.i}))(
		document.querySelector("#transcript .msg[data-cursor] button.line"))`)
	cursor, msg := f.Cursor, `document.querySelector("#transcript .msg[data-cursor=" + CSS.escape(`+jsString(f.Cursor)+`) + "]")`
	releaseRequests(c)
	c.waitJS(10*time.Second, "the page above in", fmt.Sprintf(`(m => m && +m.dataset.i > %d)(%s)`, f.I, msg))
	settledTop(c, "the focused message", msg)
	if got := mustEval[string](c, `(e => { const m = e && e.closest(".msg"); return m ? m.dataset.cursor : (e ? e.id || e.tagName : "none"); })(document.activeElement)`); got != cursor {
		t.Errorf("after the page above loaded, the focus is in %q, not in the message %q it was on", got, cursor)
	}
}

// testSessionScrollUpToldLate: a scroll's event comes a frame or more
// after the scroll, and under load the page renders and settles in
// between. The reader turns the wheel up while a settle at the end is
// due, and the scroll's event is held back (a capturing listener stops
// it before the page's own) until the page settled: the view stays
// where the reader put it, "Latest ↓" offered. (The settle took the end
// back, and the event then read the end: AppendsLeaveTheViewStill
// waited for "Latest ↓" in vain in CI.)
func testSessionScrollUpToldLate(t *testing.T, b *browser) {
	scrollUpToldLate(t, b, "6e000000-0000-4000-8000-000000000002", "", 300)
}

// testSessionSettleInTheWheel: as testSessionScrollUpToldLate, with a
// settle of the page's run inside the wheel's own listener, between the
// request to scroll up and the scroll: Go runs its other goroutines
// before it hands an event back, and the page's frame (a Go timer) was
// due. The settle finds the view still at the end: the request stands.
// (It spent the request, and the next settle took the end back over the
// reader's scroll: AppendsLeaveTheViewStill, once under load.)
func testSessionSettleInTheWheel(t *testing.T, b *browser) {
	t.Run("one turn", func(t *testing.T) {
		scrollUpToldLate(t, b, "6e000000-0000-4000-8000-000000000005", settleDue, 300)
	})
	// The second of two turns, the first's scroll not told yet: the
	// settle finds the view 150 px up, where the first turn put it,
	// and keeps it. (It counted from there, found the view not moved
	// up, and took the end back over the first turn's scroll.)
	t.Run("two turns", func(t *testing.T) {
		scrollUpToldLate(t, b, "6e000000-0000-4000-8000-000000000006",
			`t.dispatchEvent(new WheelEvent("wheel", {deltaY: -150, bubbles: true}));
			t.scrollTop -= 150;`+settleDue, 450)
	})
}

// settleDue, in JavaScript: a settle due at the page's next frame (a Go
// timer), and that frame's time passed while the browser was busy, so
// Go runs it inside the next event it is given.
const settleDue = `window.dispatchEvent(new Event("resize"));
	for (const until = performance.now() + 150; performance.now() < until;) {}`

// scrollUpToldLate turns the wheel up over the followed end of sid's
// transcript after running before (JavaScript), holds the scroll's event
// back while a resize makes the page settle, then tells it. The reader's
// turns moved the view up by moved px, all of them kept.
func scrollUpToldLate(t *testing.T, b *browser, sid, before string, moved float64) {
	c, _ := openSettled(t, b, sid, "late", 40)
	c.waitJS(10*time.Second, "the end, followed", endFollowed)
	// The wheel, its scroll (held), and a resize: following, the page
	// settles the view at the end, before the scroll is told.
	type reading struct {
		I     string
		At    float64
		Moved float64
	}
	read := mustEval[reading](c, `(t => {
		const from = t.scrollTop;
		window.__hold = e => { if (e.target === t) e.stopImmediatePropagation(); };
		document.addEventListener("scroll", window.__hold, true);
		`+before+`
		t.dispatchEvent(new WheelEvent("wheel", {deltaY: -300, bubbles: true}));
		t.scrollTop -= 300;
		const top = t.getBoundingClientRect().top;
		const m = [...t.querySelectorAll(".msg[data-i]")].find(m => m.getBoundingClientRect().bottom > top + 100);
		window.dispatchEvent(new Event("resize"));
		return {I: m.dataset.i, At: m.getBoundingClientRect().top - top, Moved: from - t.scrollTop};
	})(document.getElementById("transcript"))`)
	if math.Abs(read.Moved-moved) > 1 {
		t.Errorf("the reader's turns moved the view %.0f px up, want %.0f: the page took some back", read.Moved, moved)
	}
	// Where the row read is in the view, with the page's compensation
	// for rows measured above it: the same place to the pixel.
	row := fmt.Sprintf(`document.querySelector('#transcript .msg[data-i="%s"]')`, read.I)
	stays := fmt.Sprintf(`(m => !!m && Math.abs(m.getBoundingClientRect().top - document.getElementById("transcript").getBoundingClientRect().top - %v) <= 1)(%s)`, read.At, row)
	c.waitJS(10*time.Second, "Latest ↓ offered, the row read where the reader put it",
		`(document.getElementById("new-below") || {}).textContent === "Latest ↓" && `+stays)
	// Told at last: the reader's scroll, away from the end.
	mustEval[bool](c, `(t => {
		document.removeEventListener("scroll", window.__hold, true);
		t.dispatchEvent(new Event("scroll"));
		return true;
	})(document.getElementById("transcript"))`)
	settledTop(c, "row "+read.I+", the scroll told", row)
	if !mustEval[bool](c, stays) {
		t.Errorf("the scroll told, row %s left the place the reader put it at (%.0f px into the view)", read.I, read.At)
	}
	if got := c.text("#new-below"); got != "Latest ↓" {
		t.Errorf("the scroll told, the way back reads %q", got)
	}
	click(c, "#new-below")
	c.waitJS(10*time.Second, "the end again, followed", endFollowed)
}

// testSessionOwnScrollToldLate: the page's own scroll to the end (an
// append followed), its event held back until the content grew below
// the view (rows laid out anew, as a render that no settle followed yet
// leaves them), is not the reader leaving the end: the page goes on
// following, and the next append shows at the end. (It stopped
// following, "N new ↓".)
func testSessionOwnScrollToldLate(t *testing.T, b *browser) {
	const sid = "6e000000-0000-4000-8000-000000000003"
	c, path := openSettled(t, b, sid, "own", 40)
	c.waitJS(10*time.Second, "the end, followed", endFollowed)
	mustEval[bool](c, `(t => {
		window.__hold = e => { if (e.target === t) e.stopImmediatePropagation(); };
		document.addEventListener("scroll", window.__hold, true);
		return true;
	})(document.getElementById("transcript"))`)
	fixture.Append(t, path, fixture.User(sid, cwd, "appended first", time.Now())+
		replyLine(t, sid, "msg_own_1", "answer first", time.Now()))
	c.waitJS(10*time.Second, "the append at the end, its scroll held", `(t => {
		const last = [...t.querySelectorAll(".msg")].pop();
		return !!last && last.textContent.includes("answer first") && t.scrollTop + t.clientHeight >= t.scrollHeight - 2;
	})(document.getElementById("transcript"))`)
	mustEval[bool](c, `((t, below) => {
		below.style.height = (below.getBoundingClientRect().height + 300) + "px";
		document.removeEventListener("scroll", window.__hold, true);
		t.dispatchEvent(new Event("scroll"));
		return true;
	})(document.getElementById("transcript"), document.getElementById("below"))`)
	appendSeenAtEnd(c, path, sid, "msg_own_2", "answer second")
}

// testSessionViewShortened: the header grows above a view following the
// end (the session's detail come after the messages), so the view ends
// above the end, and a scroll event is read before the page settled
// again (under load, one of its own scrolls told late). The view did
// not move: no reader left the end, and the page goes on following.
// (It stopped, "Latest ↓": CI, ItsOwnScrollToldLateKeepsFollowing's
// opening, the view 78 px above the end.)
func testSessionViewShortened(t *testing.T, b *browser) {
	const sid = "6e000000-0000-4000-8000-000000000004"
	c, path := openSettled(t, b, sid, "short", 40)
	c.waitJS(10*time.Second, "the end, followed", endFollowed)
	mustEval[bool](c, `((t, h) => {
		h.style.paddingBottom = "120px";
		t.dispatchEvent(new Event("scroll"));
		return true;
	})(document.getElementById("transcript"), document.getElementById("session-header"))`)
	c.waitJS(10*time.Second, "the end again, followed", endFollowed)
	appendSeenAtEnd(c, path, sid, "msg_short_1", "answer after")
}

// endFollowed: the transcript's view is at its end, and no way back to
// the end is offered (the page follows it).
const endFollowed = `(t => t.scrollTop + t.clientHeight >= t.scrollHeight - 2)(document.getElementById("transcript")) && !document.getElementById("new-below")`

// appendSeenAtEnd appends a prompt and its answer to sid's transcript
// and waits for the answer shown last, at the end, followed.
func appendSeenAtEnd(c *chrome, path, sid, msgID, answer string) {
	c.t.Helper()
	fixture.Append(c.t, path, fixture.User(sid, cwd, "asked for "+msgID, time.Now())+replyLine(c.t, sid, msgID, answer, time.Now()))
	c.waitJS(10*time.Second, answer+" shown at the end, followed", fmt.Sprintf(`(m => !!m && m.textContent.includes(%s))([...document.querySelectorAll("#transcript .msg")].pop()) && `, jsString(answer))+endFollowed)
}

// testSessionSaysItIsWorking: below the last message of a session at
// work the page says so, in view at the end; the answer takes it away.
func testSessionSaysItIsWorking(t *testing.T, b *browser) {
	claude := t.TempDir()
	const sid = "6f000000-0000-4000-8000-000000000001"
	path := fixture.Path(claude, cwd, sid)
	fixture.Append(t, path, fixture.User(sid, cwd, "Add tests for the cart", time.Now()))
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	inView := `(t => { const w = document.getElementById("working"); return !!w && w.getBoundingClientRect().bottom <= t.getBoundingClientRect().bottom + 1 && w.textContent === "Working…"; })(document.getElementById("transcript"))`
	c.waitJS(30*time.Second, "Working… below the prompt, in view", inView)
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_done", "end_turn", time.Now()))
	c.waitJS(10*time.Second, "the line gone with the answer", `!document.getElementById("working") && document.querySelectorAll("#transcript .msg").length === 2`)
}

// testSessionWorkingAfterOutage: a long session at work, read at its
// end. helmd goes away: the page says it is offline and no longer claims
// the session works. helmd returns on the same port: "Working…" is back
// and in view, the end still followed.
func testSessionWorkingAfterOutage(t *testing.T, b *browser) {
	claude := t.TempDir()
	const sid = "6f000000-0000-4000-8000-000000000002"
	at := time.Now().Add(-time.Hour)
	w := turns(t, sid, "out", 30, at)
	w.WriteString(fixture.User(sid, cwd, "One more thing", time.Now()))
	fixture.Append(t, fixture.Path(claude, cwd, sid), w.String())
	port := strconv.Itoa(freePort(t))
	p := serveOn(t, port, claude, "devbox")
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	inView := `(t => { const w = document.getElementById("working"); return !!w && t.scrollHeight > t.clientHeight * 2 && w.getBoundingClientRect().bottom <= t.getBoundingClientRect().bottom + 1 && w.textContent === "Working…"; })(document.getElementById("transcript"))`
	c.waitJS(30*time.Second, "Working… at the end of a long session, in view", inView)
	// The header says the page follows the session, as the list does.
	conn := func(state, label string) string {
		return fmt.Sprintf(`(e => !!e && !e.hidden && e.dataset.state === %q && e.textContent === %q)(document.getElementById("conn"))`, state, label)
	}
	c.waitJS(5*time.Second, "the header saying Live", conn("live", "Live"))
	p.terminate(t)
	c.waitJS(30*time.Second, "offline, the line gone", `document.getElementById("session").dataset.state === "offline" && !document.getElementById("working")`)
	c.waitJS(5*time.Second, "the outage said in words", hasTextContaining("#session-error", "Not connected to helmd"))
	c.waitJS(5*time.Second, "the header saying Offline", conn("offline", "Offline"))
	serveOn(t, port, claude, "devbox")
	c.waitJS(30*time.Second, "Working… back after the outage, in view", inView)
	c.waitJS(5*time.Second, "the outage no longer said", `!document.getElementById("session-error")`)
	c.waitJS(10*time.Second, "the header saying Live again", conn("live", "Live"))
}

// readerScrolls scrolls the transcript to top (a JS expression of t, the
// transcript) as a reader's wheel does: the wheel's event first, then the
// scroll. The wheel tells the page the scroll is the reader's before the
// scroll's own event comes (session_view.go settle); a bare scrollTop
// set while the page still settles the end it follows is taken back.
func readerScrolls(c *chrome, top string) {
	c.t.Helper()
	mustEval[bool](c, `(t => {
		const to = `+top+`;
		t.dispatchEvent(new WheelEvent("wheel", {deltaY: to - t.scrollTop, bubbles: true}));
		t.scrollTop = to;
		return true;
	})(document.getElementById("transcript"))`)
}

// settledTop is the top of the element expr finds, once the page has
// stopped moving it: the same for 10 frames in a row. The page settles
// its virtual list over a few renders after each change.
func settledTop(c *chrome, what, expr string) float64 {
	c.t.Helper()
	type settled struct {
		Top   float64
		OK    bool
		Trace []any
	}
	s := mustEval[settled](c, `new Promise(done => {
		let last = NaN, same = 0, frames = 0, trace = [];
		const look = () => {
			const el = `+expr+`;
			const top = el ? el.getBoundingClientRect().top : NaN;
			same = top === last ? same + 1 : 0;
			last = top;
			trace.push(el ? Math.round(top) : "not rendered");
			if (same >= 10 || ++frames > 300) { done({Top: top, OK: same >= 10, Trace: trace.slice(-20)}); return; }
			requestAnimationFrame(look);
		};
		requestAnimationFrame(look);
	})`)
	if !s.OK {
		c.t.Fatalf("%s never stopped moving (its last tops, a frame each: %v)", what, s.Trace)
	}
	return s.Top
}

// testSessionFindReveals: a match inside a closed thinking block, or in
// a tool call's result past the screenful shown of it, is opened and
// marked when find goes to it, not counted and left hidden.
func testSessionFindReveals(t *testing.T, b *browser) {
	claude := t.TempDir()
	const sid = "6d000000-0000-4000-8000-000000000001"
	at := time.Now().Add(-time.Hour)
	lines := make([]string, 100)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d of the log", i)
	}
	lines[80] = "line 80 holds the needle"
	fixture.Append(t, fixture.Path(claude, cwd, sid), fixture.User(sid, cwd, "look for it", at)+
		record(t, sid, "assistant", "a-think", at, map[string]any{"id": "msg_think", "type": "message", "role": "assistant",
			"model": "claude-sonnet-4-5-20250929", "stop_reason": "end_turn", "usage": map[string]int{"input_tokens": 1, "output_tokens": 1},
			"content": []any{map[string]any{"type": "thinking", "thinking": "the needle is in a thought", "signature": "sig"},
				map[string]any{"type": "text", "text": "Thought about it."}}}, map[string]any{"requestId": "req_think"})+
		toolCall(t, sid, "log", "Bash", map[string]any{"command": "cat big.log | grep -v debug | sort | uniq -c | sort -rn | head -n 50 && echo done with the log"}, at)+
		toolResult(t, sid, "log", strings.Join(lines, "\n"), at, nil)+
		replyLine(t, sid, "msg_done", "Done.", at))
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the transcript", msgsWith("Done."))
	click(c, "#find-open") // the button, as on a phone
	c.waitJS(5*time.Second, "the find box focused", `document.activeElement && document.activeElement.id === "find"`)
	keys(c, "needle")
	count := `document.getElementById("find-count").textContent`
	shownMark := `[...document.querySelectorAll("#transcript .msg.current-match mark")].some(m => m.textContent.toLowerCase() === "needle" && m.getBoundingClientRect().height > 0)`
	for _, want := range []string{"1 of 2", "2 of 2"} {
		c.waitJS(10*time.Second, "find at "+want+", its match open and marked", count+` === `+jsString(want)+` && `+shownMark)
		keys(c, "\r")
	}
	if got := c.text("#transcript .block.tool pre.result"); !strings.Contains(got, "line 99 of the log") {
		t.Errorf("the tool's result is not shown whole with its match past the first screenful: %q", got)
	}
	// On a phone the long command is cut, not the tool's name.
	viewport(c, 390, 844, true, "light")
	if name := rect(c, "#transcript .block.tool .line .name"); name.Height > 30 || name.Width < 30 {
		t.Errorf("on a phone a long command squeezes the tool's name to %.0f×%.0f px", name.Width, name.Height)
	}
}

// testSessionFindOpensInput: a word only an Edit's new_string holds,
// found, opens the call (what an opened call shows of its input is
// searched, and revealTool opens it) and its match is marked and in
// view, above the replies that filled the view after it.
func testSessionFindOpensInput(t *testing.T, b *browser) {
	c := findInACall(t, b, "6d000000-0000-4000-8000-000000000009", "rename the loader", "Edit",
		map[string]any{"file_path": "/src/load.go", "old_string": "func load() {", "new_string": "func zanzibarLoad() {"}, "The file has been updated.")
	c.waitJS(10*time.Second, "the Edit opened at its match, marked and in view",
		`document.getElementById("find-count").textContent === "1 of 1" && `+currentMatchInView("zanzibar")+
			` && [...document.querySelectorAll("#transcript .block.tool mark")].some(m => m.textContent.toLowerCase() === "zanzibar" && m.getBoundingClientRect().height > 0)`)
}

// testSessionFindLoadsCutInput: a Write past the page's cut comes cut,
// and helmd searches its whole text; a term past the cut is counted
// though every message is loaded, and Enter opens the call, loads its
// whole text and shows all of it, the term marked and in view, 2,000
// lines down the row.
func testSessionFindLoadsCutInput(t *testing.T, b *browser) {
	content := strings.Repeat("// a line of the big file, padding it past the cut\n", 2000) + "func zanzibarLoad() {}\n"
	c := findInACall(t, b, "6d000000-0000-4000-8000-00000000000a", "write the big file", "Write",
		map[string]any{"file_path": "/src/big.go", "content": content}, "File created.")
	c.waitJS(10*time.Second, "the match past the cut counted", `document.getElementById("find-count").textContent === "1 of 1"`)
	keys(c, "\r")
	c.waitJS(10*time.Second, "the Write opened, its whole text shown, the match marked",
		currentMatchInView("zanzibar")+
			` && !document.querySelector("#transcript .block.tool .load-full")`+
			` && [...document.querySelectorAll("#transcript .block.tool mark")].some(m => m.textContent.toLowerCase() === "zanzibar" && m.getBoundingClientRect().height > 0)`)
	c.waitJS(5*time.Second, "the match itself in view", `(t => [...t.querySelectorAll(".block.tool mark")].some(m => {
		const v = t.getBoundingClientRect(), r = m.getBoundingClientRect();
		return m.textContent.toLowerCase() === "zanzibar" && r.top >= v.top && r.bottom <= v.bottom;
	}))(document.getElementById("transcript"))`)
}

// findInACall opens the page of a session of one tool call (its input,
// its result) and 20 replies after it, and types "zanzibar" in its find
// box: the find tests' setup.
func findInACall(t *testing.T, b *browser, sid, prompt, tool string, input map[string]any, result string) *chrome {
	claude := t.TempDir()
	at := time.Now().Add(-time.Hour)
	var s strings.Builder
	s.WriteString(fixture.User(sid, cwd, prompt, at) +
		toolCall(t, sid, "call", tool, input, at) +
		toolResult(t, sid, "call", result, at, nil))
	for i := range 20 {
		s.WriteString(replyLine(t, sid, fmt.Sprintf("msg_r%d", i), fmt.Sprintf("reply %d, long enough to wrap over a line or two of the transcript when the window is narrow.", i), at))
	}
	fixture.Append(t, fixture.Path(claude, cwd, sid), s.String())
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the transcript", msgsWith("reply 19"))
	click(c, "#find-open")
	c.waitJS(5*time.Second, "the find box focused", `document.activeElement && document.activeElement.id === "find"`)
	keys(c, "zanzibar")
	return c
}

// testSessionFindWhole: find counts its matches over the whole
// transcript, its buttons step between them as n and N do, Shift+Enter
// steps back, and a match above the loaded messages is loaded and shown
// (Enter comes back to the end's); the hint says what was searched.
func testSessionFindWhole(t *testing.T, b *browser) {
	claude := t.TempDir()
	const sid = "6d000000-0000-4000-8000-000000000002"
	// 150 pairs: the last page (50 messages) is pairs 125–149; the
	// page of 200 above it pairs 25–124; the rest the start. Replies a
	// paragraph long, so that a match shown in the last page is not near
	// enough its top to load the page above by itself.
	needles := map[int]bool{2: true, 60: true, 138: true, 140: true, 142: true}
	at := time.Now().Add(-time.Hour)
	var s strings.Builder
	for i := range 150 {
		text := fmt.Sprintf("prompt %d", i)
		if needles[i] {
			text = fmt.Sprintf("prompt %d with the needle", i)
		}
		s.WriteString(fixture.User(sid, cwd, text, at) + replyLine(t, sid, fmt.Sprintf("msg_f%d", i),
			fmt.Sprintf("reply %d, a paragraph long enough to wrap over more than one line of the transcript, and then some more words to make sure of it.\n\nAnd a second paragraph.", i), at))
	}
	fixture.Append(t, fixture.Path(claude, cwd, sid), s.String())
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the last page", msgsWith("reply 149"))
	click(c, "#find-open")
	c.waitJS(5*time.Second, "the find box focused", `document.activeElement && document.activeElement.id === "find"`)
	keys(c, "needle")
	count := `document.getElementById("find-count").textContent`
	at2 := func(what, want, prompt string) {
		t.Helper()
		c.waitJS(10*time.Second, what+": "+want+", "+prompt+" shown", count+` === `+jsString(want)+` && `+currentMatchInView("needle")+
			` && document.querySelector("#transcript .msg.current-match").textContent.includes(`+jsString(prompt+" with")+`)`)
	}
	// From the end, the nearest match above the view, counted over the
	// whole transcript.
	at2("the nearest match", "5 of 5", "prompt 142")
	c.waitJS(10*time.Second, "the hint", hasText(".find .hint", "searches the whole transcript"))
	shiftEnter(c)
	at2("Shift+Enter back", "4 of 5", "prompt 140")
	click(c, "#find-next")
	at2("the next button", "5 of 5", "prompt 142")
	click(c, "#find-prev")
	at2("the previous button", "4 of 5", "prompt 140")
	shiftEnter(c)
	at2("Shift+Enter back", "3 of 5", "prompt 138")
	// Above the loaded messages: their pages are loaded where they are.
	shiftEnter(c)
	at2("a match above the loaded messages", "2 of 5", "prompt 60")
	c.waitJS(10*time.Second, "the way back to the end", `(document.getElementById("new-below") || {}).textContent === "Jump to latest ↓"`)
	shiftEnter(c)
	at2("the first match", "1 of 5", "prompt 2")
	keys(c, "\r")
	at2("Enter, forward again", "2 of 5", "prompt 60")
	keys(c, "\r")
	at2("Enter, back in the end's messages", "3 of 5", "prompt 138")
	if mustEval[bool](c, `!!document.getElementById("find-older")`) {
		t.Error(`"Search older" offered by a helmd that finds in the whole transcript`)
	}
}

// shiftEnter presses Shift+Enter in the focused element.
func shiftEnter(c *chrome) {
	c.t.Helper()
	c.do(5*time.Second, "pressing Shift+Enter", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter",
			NativeVirtualKeyCode: 13, WindowsVirtualKeyCode: 13, Modifiers: int64(kb.ModifierShift)}
		up := down
		up.Type = input.DispatchKeyEventTypeKeyUp
		for _, ev := range []input.DispatchKeyEventParams{down, up} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
				return err
			}
		}
		return nil
	}))
}

// testSessionKeysByMessage: j brings the next message's top to the
// view's top, k the previous one's; ? lists the page's keys, and Esc
// closes the list, the focus back where it was.
func testSessionKeysByMessage(t *testing.T, b *browser) {
	const sid = "6d000000-0000-4000-8000-000000000003"
	c, _ := openSettled(t, b, sid, "keys", 30)
	c.waitJS(5*time.Second, "the transcript focused", `document.activeElement && document.activeElement.id === "transcript"`)
	// The message at the view's top, put there exactly, and whether it is.
	const atTop = `(t => { const v = t.getBoundingClientRect().top; const m = [...t.querySelectorAll(".msg")].find(m => m.getBoundingClientRect().bottom > v + 1); return m ? +m.dataset.i + (Math.abs(m.getBoundingClientRect().top - v) < 1.5 ? "" : " cut") : "none"; })(document.getElementById("transcript"))`
	readerScrolls(c, "t.scrollHeight / 2 + 17")
	settledTop(c, "half way up", `document.querySelector("#transcript .msg")`)
	first := mustEval[string](c, atTop)
	n, err := strconv.Atoi(strings.TrimSuffix(first, " cut"))
	if err != nil {
		t.Fatalf("the message at the view's top: %q", first)
	}
	keys(c, "k")
	want := strconv.Itoa(n)
	if !strings.HasSuffix(first, " cut") {
		want = strconv.Itoa(n - 1)
	}
	c.waitJS(5*time.Second, "k to the top of message "+want, atTop+` === `+jsString(want))
	m, _ := strconv.Atoi(want)
	defer func() {
		if t.Failed() {
			t.Logf("at the view's top: %s; scrollTop %v", mustEval[string](c, atTop), mustEval[float64](c, `document.getElementById("transcript").scrollTop`))
		}
	}()
	keys(c, "j")
	c.waitJS(5*time.Second, "j to the next message", atTop+` === `+jsString(strconv.Itoa(m+1)))
	keys(c, "j")
	c.waitJS(5*time.Second, "j to the one after", atTop+` === `+jsString(strconv.Itoa(m+2)))
	keys(c, "k")
	c.waitJS(5*time.Second, "k back", atTop+` === `+jsString(strconv.Itoa(m+1)))

	keys(c, "?")
	c.waitJS(5*time.Second, "? lists the page's keys", `!!document.getElementById("help") && document.getElementById("help").textContent.includes("Next / previous message") && document.activeElement.id === "help-close"`)
	keys(c, "j") // the dialog's, not the transcript's
	if got := mustEval[string](c, atTop); got != strconv.Itoa(m+1) {
		t.Errorf("j moved the transcript behind the dialog to %q", got)
	}
	keys(c, kb.Escape)
	c.waitJS(5*time.Second, "Esc closes the dialog, the focus back on the transcript", `!document.getElementById("help") && document.activeElement.id === "transcript" && location.pathname.startsWith("/s/")`)
}

// testSessionEndStaysHeaderGrows: the header's detail can come after the
// messages and their last settle (a large session, a loaded machine).
// The header then grows and the view shrinks; a view following the end
// still shows the end. It was left as far above it as the header grew,
// until something else came.
func testSessionEndStaysHeaderGrows(t *testing.T, b *browser) {
	const sid = "6d000000-0000-4000-8000-000000000004"
	p, _ := serveTurns(t, sid, "hdr", 40)
	c := b.tab(t)
	// The detail (not the messages) is held until the test lets it go.
	c.onEveryDocument(`(() => {
		const detail = /\/api\/sessions\/claude\/` + sid + `(\?|$)/, fetch = window.fetch;
		window.__heldDetail = [];
		window.fetch = function(url, opts) {
			if (detail.test(String(url)))
				return new Promise((ok, fail) => window.__heldDetail.push(() => fetch.call(window, url, opts).then(ok, fail)));
			return fetch.call(window, url, opts);
		};
	})()`)
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the last messages", msgsWith("reply 39"))
	last := `document.querySelector("#transcript .msg:last-of-type")`
	gap := `(t => t.scrollHeight - t.scrollTop - t.clientHeight)(document.getElementById("transcript"))`
	settledTop(c, "the last row, the detail held", last)
	if g := mustEval[float64](c, gap); g > 2 {
		t.Fatalf("before the detail, the view stops %.0f px short of the end", g)
	}
	c.waitJS(5*time.Second, "the detail asked for, held", `window.__heldDetail.length > 0`)
	before := rect(c, "#session-header").Height
	mustEval[bool](c, `(window.__heldDetail.forEach(send => send()), true)`)
	c.waitJS(10*time.Second, "the header's facts", `!!document.querySelector("#session-header .facts")`)
	settledTop(c, "the last row, the header grown", last)
	grew := rect(c, "#session-header").Height - before
	if grew <= 48 { // the page's own slack for "at the end"
		t.Fatalf("the header grew by %.0f px only: the test shows nothing", grew)
	}
	c.waitJS(5*time.Second, "the end still in view", gap+` <= 2`)
}

// testSessionKilledCallNoResult: a session whose process is gone (its
// registry entry names a dead PID: kill -9 leaves it behind) while a call
// it made has no result is idle, though the call was written a moment
// ago, and its page shows the call with no result rather than running.
// A result written after that (a resume) still lands.
func testSessionKilledCallNoResult(t *testing.T, b *browser) {
	claude := t.TempDir()
	const sid = "6f000000-0000-4000-8000-000000000009"
	path := fixture.Path(claude, cwd, sid)
	at := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "run the tests", at)+
		toolCall(t, sid, "orphan", "Bash", map[string]any{"command": "npm test"}, at))
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	entry := fmt.Sprintf(`{"pid":%d,"sessionId":%q,"cwd":%q,"status":"busy","updatedAt":%d}`, dead.Process.Pid, sid, cwd, at.UnixMilli())
	if err := os.MkdirAll(filepath.Join(claude, "sessions"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(claude, "sessions", strconv.Itoa(dead.Process.Pid)+".json"), []byte(entry), 0o600); err != nil {
		t.Fatal(err)
	}
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	bash := `[...document.querySelectorAll("#transcript .block")].find(b => (b.querySelector(".name") || {}).textContent === "Bash")`
	c.waitJS(30*time.Second, "the call shown with no result, the session idle",
		`(b => !!b && b.dataset.state === "stopped" && b.querySelector(".line").innerText.includes("no result"))(`+bash+`)`)
	fixture.Append(t, path, toolResult(t, sid, "orphan", "12 passed", time.Now(), nil))
	c.waitJS(10*time.Second, "its result, written later, shown", `(b => !!b && !b.dataset.state && !b.querySelector(".no-result"))(`+bash+`)`)
}

// testSessionPollEndsAKilledCall: a page that polls (its stream refused,
// as behind a proxy that breaks streams, or another machine's session on
// a hub) shows a call killed above its last message (an API error was
// written after it) as over once the session goes on, as a page on the
// stream and a reload do; it showed it running until a reload.
func testSessionPollEndsAKilledCall(t *testing.T, b *browser) {
	claude := t.TempDir()
	const sid = "6f000000-0000-4000-8000-000000000008"
	path := fixture.Path(claude, cwd, sid)
	at := time.Now().Add(-time.Minute)
	fixture.Append(t, path, fixture.User(sid, cwd, "run the tests", at)+
		toolCall(t, sid, "killed", "Bash", map[string]any{"command": "npm test"}, at)+
		record(t, sid, "system", "e-1", at, nil, map[string]any{"subtype": "api_error", "error": map[string]any{"message": "overloaded"}}))
	p := serveList(t, claude)
	proxy := newFaultProxy(t, p.URL)
	proxy.set(failStream)
	c := b.tab(t)
	c.navigate(proxy.URL + "/s/claude/" + sid)
	bash := `[...document.querySelectorAll("#transcript .block")].find(b => (b.querySelector(".name") || {}).textContent === "Bash")`
	c.waitJS(30*time.Second, "the call shown running", `(b => !!b && b.dataset.state === "running")(`+bash+`)`)
	c.waitJS(10*time.Second, "the page polling", `(e => !!e && e.dataset.state === "polling")(document.getElementById("conn"))`)
	fixture.Append(t, path, fixture.User(sid, cwd, "are you still there?", time.Now())+replyLine(t, sid, "msg_back", "Yes, back.", time.Now()))
	c.waitJS(10*time.Second, "the new messages, polled", msgsWith("Yes, back."))
	c.waitJS(10*time.Second, "the killed call over", `(b => !!b && b.dataset.state === "error")(`+bash+`)`)
	if s, _ := c.conn(); s != "polling" {
		t.Errorf("the page says %s, want polling: the stream would have sent the call again", s)
	}
}
