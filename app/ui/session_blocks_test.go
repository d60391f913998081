package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/shared"
)

// The block kinds TestRenderMessageBlocks leaves out: each as the issue
// says a reader sees it, and nothing from the transcript as markup.
func TestRenderQuietAndCutBlocks(t *testing.T) {
	hostile := `<img src=x onerror="window.__pwned=1">`
	msg := func(role string, b ...shared.Block) shared.Message {
		return shared.Message{Cursor: "c1", Role: role, Blocks: b}
	}
	tests := []struct {
		name    string
		open    []string
		msg     shared.Message
		want    []string
		notWant []string
	}{
		{"file placeholder with its size", nil, msg("user", shared.Block{Type: shared.BlockFile, Text: "report.pdf" + hostile, MediaType: "application/pdf", Bytes: 3 << 20}),
			[]string{`class="placeholder">[file report.pdf&lt;img`, "application/pdf, 3.0 MB]"}, []string{"<img"}},
		{"error marked", nil, msg("system", shared.Block{Type: shared.BlockError, Text: "overloaded " + hostile}),
			[]string{`class="error"`, "<strong>Error: </strong>", "overloaded &lt;img"}, []string{"<img"}},
		{"API error in words, as written behind a line", nil, msg("system", shared.Block{Type: shared.BlockError, Text: "API error 529: Overloaded " + hostile,
			Detail: `API Error: 529 {"type":"error"}`}),
			[]string{`class="error">API error 529: Overloaded &lt;img`, `class="block detail"`, "As written", `aria-expanded="false"`},
			[]string{"<img", "Error: ", "API Error: 529"}},
		{"API error as written, opened", []string{"c1#0"}, msg("system", shared.Block{Type: shared.BlockError, Text: "API error 529: Overloaded",
			Detail: `API Error: 529 {"type":"error"}` + hostile}),
			[]string{`API Error: 529 {&#34;type&#34;:&#34;error&#34;}&lt;img`}, []string{"<img"}},
		{"command output is a quiet block", nil, msg("system", shared.Block{Type: shared.BlockOutput, Text: "Set model to opus"}),
			[]string{`class="long output"`, "Set model to opus"}, nil},
		{"long command output cut with show all", nil, msg("system", shared.Block{Type: shared.BlockOutput, Text: strings.Repeat("x\n", 100)}),
			[]string{"Show all 100 lines (200 B)"}, nil},
		{"record too large to read", nil, msg("system", shared.Block{Type: shared.BlockOmitted, Bytes: 5 << 20}),
			[]string{`class="separator">A record too large to show (5.0 MB)`}, nil},
		{"compaction summary collapsed", nil, msg("system", shared.Block{Type: shared.BlockCompaction, Text: "The summary so far"}),
			[]string{`class="block summary"`, "Summary of the conversation so far", `aria-expanded="false"`}, []string{"The summary so far", "separator"}},
		{"compaction summary opened, as Markdown", []string{"c1#0"}, msg("system", shared.Block{Type: shared.BlockCompaction, Text: "The **summary**"}),
			[]string{"<strong>summary</strong>"}, nil},
		{"prompt cut by the server offers the whole", nil, msg("user", shared.Block{Type: shared.BlockText, Text: "a long prompt", Cut: &shared.Cut{Bytes: 70 << 10, Ref: "r0"}}),
			[]string{`class="prompt" dir="auto">a long prompt`, "Cut here: load all 70 KB"}, nil},
		{"prompt loaded whole", nil, msg("user", shared.Block{Type: shared.BlockText, Text: "a long prompt", Cut: &shared.Cut{Bytes: 70 << 10, Ref: "r1"}}),
			[]string{"a long prompt and the rest of it"}, []string{"Cut here"}},
		{"answer cut by the server offers the whole", nil, msg("assistant", shared.Block{Type: shared.BlockText, Text: "a long answer", Cut: &shared.Cut{Bytes: 70 << 10, Ref: "r2"}}),
			[]string{"a long answer", "Cut here: load all 70 KB"}, nil},
		{"thinking opened shows its text", []string{"c1#0"}, msg("assistant", shared.Block{Type: shared.BlockThinking, Text: "plan " + hostile}),
			[]string{`class="thinking-text" dir="auto">plan &lt;img`}, []string{"<img"}},
		{"thinking without its text says so, with nothing to open", nil, msg("assistant", shared.Block{Type: shared.BlockThinking, Text: " \n"}),
			[]string{`class="placeholder">[thinking: not in the transcript]`}, []string{"aria-expanded", "thinking-text"}},
		{"a pasted prompt without the lines that mark it", nil, msg("user", shared.Block{Type: shared.BlockText,
			Text: "look:\n<pasted_content id=\"d65e\">\nlog " + hostile + "\n</pasted_content id=\"d65e\">\n"}),
			[]string{`class="prompt" dir="auto">look:` + "\n" + `log &lt;img`}, []string{"pasted_content", "<img"}},
		{"a prompt of a paste alone, without the line breaks around its marks", nil, msg("user", shared.Block{Type: shared.BlockText,
			Text: "\n\n<pasted_content id=\"9b65\">\nfirst line\n\nsecond line\n</pasted_content id=\"9b65\">\n"}),
			[]string{`class="prompt" dir="auto">first line` + "\n\n" + `second line</div>`}, nil},
		{"code block monospaced, kept verbatim", nil, msg("assistant", shared.Block{Type: shared.BlockText, Text: "```go\nfunc main() { println(\"<b>\") }\n```"}),
			[]string{`<pre`, `class="code"`, "<code>func main() { println(&#34;&lt;b&gt;&#34;) }</code>"}, []string{"<b>"}},
		{"tool input cut by the server", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Write", Summary: "/f.go",
			Input: []byte(`{"file_path":"/f.go","content":"…"}`), InputCut: &shared.Cut{Bytes: 9 << 20, Ref: "r3"}}),
			[]string{"Cut here: load all 9.0 MB", "No result yet"}, nil},
		{"images in a result are counted, not shown", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Read", Result: &shared.ToolResult{Text: "a screenshot", Images: 2}}),
			[]string{"Result (+2 images, not shown)"}, []string{"<img"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pageFor(tt.open...)
			p.full["r1"] = "a long prompt and the rest of it" // as loaded through …/full
			out := sortAttrs(app.HTMLString(p.renderMessage(0, &tt.msg)))
			checkMarkup(t, out, tt.want, tt.notWant)
		})
	}
}

// An OpenCode task call links to its child session's own page; a Claude
// Task call to its subagent's transcript within the session.
func TestTaskLinksToItsSubagent(t *testing.T) {
	task := toolMsg(&shared.Tool{Name: "task", AgentID: "ses_6a1f0e2d3c4bAbCdEfGhIjKlMn", Result: &shared.ToolResult{Text: "done"}})
	p := pageFor("c1#0")
	p.source, p.id = "opencode", "ses_aaaaaaaaaaaaaaaaaaaaaaaaaa"
	if out := app.HTMLString(p.renderMessage(0, &task)); !strings.Contains(out, `href="/s/opencode/ses_6a1f0e2d3c4bAbCdEfGhIjKlMn"`) {
		t.Errorf("OpenCode task: no link to the child session's page:\n%s", out)
	}
	task.Blocks[0].Tool.AgentID = "a1b2c3"
	if out := app.HTMLString(pageFor("c1#0").renderMessage(0, &task)); !strings.Contains(out, `href="/s/claude/5b000000-0000-4000-8000-000000000001?agent=a1b2c3"`) {
		t.Errorf("Claude Task: no link to the subagent's transcript:\n%s", out)
	}
}

// The call a session waits on the user to allow says so on its line and
// in its body, as does the call of a dialog it waits on: a plan to
// approve (ExitPlanMode's), a question to answer (AskUserQuestion's).
// Not a call of the same message while the session works or waits for an
// answer, nor another tool's than the one the reason names, nor a call
// of an earlier message.
func TestRenderToolAwaitingApproval(t *testing.T) {
	waiting, working := shared.StatusWaiting, shared.StatusWorking
	for _, tt := range []struct {
		name   string
		status shared.Status
		reason string
		tool   string
		last   bool
		want   string // what the call waits for, "" for nothing
	}{
		{"the tool the reason names", waiting, "permission: Bash", "Bash", true, "approval"},
		{"a reason that names no tool", waiting, "permission prompt", "Bash", true, "approval"},
		{"another tool named", waiting, "permission: Edit", "Bash", true, ""},
		{"waiting for an answer", waiting, "input needed", "Bash", true, ""},
		{"working", working, "", "Bash", true, ""},
		{"an earlier message", waiting, "permission: Bash", "Bash", false, ""},
		{"a plan to approve", waiting, shared.ReasonPlan, "ExitPlanMode", true, "approval"},
		{"a question", waiting, shared.ReasonQuestion, "AskUserQuestion", true, "answer"},
		{"a question as an older helmd named it", waiting, "permission: AskUserQuestion", "AskUserQuestion", true, "answer"},
		{"another tool than the plan's", waiting, shared.ReasonPlan, "Bash", true, ""},
		{"another tool than the question's", waiting, shared.ReasonQuestion, "ExitPlanMode", true, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := pageFor("c1#0")
			p.convo.Msgs = []shared.Message{toolMsg(&shared.Tool{Name: tt.tool, Summary: "terraform apply"})}
			if !tt.last {
				p.convo.Msgs = append(p.convo.Msgs, shared.Message{Cursor: "c2", Role: "user", Blocks: []shared.Block{{Type: shared.BlockText, Text: "go on"}}})
			}
			p.detail = &shared.SessionDetail{Session: shared.Session{Status: tt.status, WaitingFor: tt.reason}}
			out := app.HTMLString(p.renderMessage(0, &p.convo.Msgs[0]))
			asks := strings.Contains(out, `data-state="`+tt.want+`"`) && strings.Contains(out, ">waiting for your "+tt.want+"<") &&
				strings.Contains(out, ">Waiting for your "+tt.want+"<") && !strings.Contains(out, "No result yet")
			runs := strings.Contains(out, `data-state="running"`) && strings.Contains(out, "No result yet") && !strings.Contains(out, "aiting for your")
			if tt.want != "" && !asks || tt.want == "" && !runs {
				t.Errorf("want it waiting for %q:\n%s", tt.want, out)
			}
		})
	}
}

// A call without its result in an idle session (its process killed, or
// left mid-call) says it has none rather than that it runs: nothing runs
// in an idle session. While the session works, it runs; a result written
// later still says so.
func TestRenderToolStopped(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status shared.Status
		later  bool
		want   string // data-state
		line   string // said on the call's line
		body   string // said in its body
	}{
		{"idle", shared.StatusIdle, false, "stopped", ">no result<", "No result: the session stopped before the call returned"},
		{"working", shared.StatusWorking, false, "running", "", "No result yet"},
		{"idle, its result written later", shared.StatusIdle, true, "answered", "", "Its result came later"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := pageFor("c1#0")
			p.convo.Msgs = []shared.Message{toolMsg(&shared.Tool{Name: "Bash", Summary: "npm test", Later: tt.later})}
			p.detail = &shared.SessionDetail{Session: shared.Session{Status: tt.status}}
			out := app.HTMLString(p.renderMessage(0, &p.convo.Msgs[0]))
			if !strings.Contains(out, `data-state="`+tt.want+`"`) || !strings.Contains(out, tt.body) ||
				tt.line != "" && !strings.Contains(out, tt.line) || tt.line == "" && strings.Contains(out, ">no result<") {
				t.Errorf("want state %q, %q on its line, %q in its body:\n%s", tt.want, tt.line, tt.body, out)
			}
		})
	}
}

// A call whose result came after other messages (helmd shows such a
// result on its own, where it was written, on every page) is no longer
// running: it said so, with "No result yet", beside its own result,
// whose line had no name.
func TestRenderToolAnsweredLater(t *testing.T) {
	p := pageFor("c1#0")
	p.convo.Msgs = []shared.Message{
		toolMsg(&shared.Tool{ID: "toolu_1", Name: "Bash", Summary: "go test"}),
		{Cursor: "c2", Role: "user", Blocks: []shared.Block{{Type: shared.BlockText, Text: "still there?"}}},
		{Cursor: "c3", Role: "user", Blocks: []shared.Block{{Type: shared.BlockTool, Tool: &shared.Tool{ID: "toolu_1", Result: &shared.ToolResult{Text: "ok"}}}}},
	}
	out := app.HTMLString(p.renderMessage(0, &p.convo.Msgs[0]))
	if strings.Contains(out, `data-state="running"`) || strings.Contains(out, "No result yet") || !strings.Contains(out, "Its result came later") {
		t.Errorf("a call answered in a later message shows as running:\n%s", out)
	}
	// The result's own line names its call when the call is loaded.
	if out := app.HTMLString(p.renderMessage(2, &p.convo.Msgs[2])); !strings.Contains(out, ">Result of Bash<") {
		t.Errorf("a result on its own does not name its call:\n%s", out)
	}
	p.convo.Msgs = p.convo.Msgs[1:]
	if out := app.HTMLString(p.renderMessage(1, &p.convo.Msgs[1])); !strings.Contains(out, ">Result of an earlier call<") {
		t.Errorf("a result on its own, its call not loaded, has no name:\n%s", out)
	}
	p.convo.Msgs = []shared.Message{toolMsg(&shared.Tool{ID: "toolu_1", Name: "Bash"}), p.convo.Msgs[0]}
	if out := app.HTMLString(p.renderMessage(0, &p.convo.Msgs[0])); !strings.Contains(out, `data-state="running"`) {
		t.Errorf("a call with no result anywhere is not running:\n%s", out)
	}
}

// An answer that goes on from the one before (the assistant again, the
// same model, within minutes) shows its time only; a new speaker, model
// or a pause long after starts a message with its head. Models read as
// the list says them, their ids in the tooltip.
func TestRenderMessageGoingOn(t *testing.T) {
	at := int64(1_780_000_000_000)
	answer := func(cursor, model string, ms int64) shared.Message {
		return shared.Message{Cursor: cursor, Role: "assistant", Model: model, Time: at + ms,
			Blocks: []shared.Block{{Type: shared.BlockText, Text: "ok " + cursor}}}
	}
	p := pageFor()
	p.convo.Msgs = []shared.Message{
		answer("a", "claude-sonnet-4-5-20250929", 0),
		answer("b", "claude-sonnet-4-5-20250929", 60_000),                      // goes on
		answer("c", "claude-opus-4-5", 90_000),                                 // another model
		answer("d", "claude-opus-4-5", 90_000+continueWithin.Milliseconds()+1), // long after
		{Cursor: "e", Role: "user", Time: at + 3_000_000, Blocks: []shared.Block{{Type: shared.BlockText, Text: "go on"}}},
		answer("f", "claude-opus-4-5", 3_060_000), // after the user
		answer("g", "claude-opus-4-5", 3_070_000), // goes on
	}
	for i, want := range []bool{false, true, false, false, false, false, true} {
		out := app.HTMLString(p.renderMessage(i, &p.convo.Msgs[i]))
		cont := regexp.MustCompile(`<article [^>]*class="[^"]*\bcont\b`).MatchString(out)
		goesOn := cont && !strings.Contains(out, `class="role"`) && strings.Contains(out, `class="time"`)
		starts := !cont && strings.Contains(out, `class="role"`)
		if want && !goesOn || !want && !starts {
			t.Errorf("message %d: want going on %v:\n%s", i, want, out)
		}
	}
	if out := app.HTMLString(p.renderMessage(0, &p.convo.Msgs[0])); !strings.Contains(out, `title="claude-sonnet-4-5-20250929"`) ||
		!strings.Contains(out, ">sonnet 4.5<") {
		t.Errorf("the model is not named as the list names it:\n%s", out)
	}
}

// A message's head gives its clock time alone after a message of the
// same day, and the day with it at the first message loaded and when
// the day changes; the whole date and time is in its tooltip.
func TestRenderMessageTimeSaysTheDayOnce(t *testing.T) {
	day := func(d, h int) int64 { return time.Date(2026, 12, d, h, 5, 12, 0, time.Local).UnixMilli() }
	msg := func(cursor string, at int64) shared.Message {
		return shared.Message{Cursor: cursor, Role: "user", Time: at, Blocks: []shared.Block{{Type: shared.BlockText, Text: cursor}}}
	}
	p := pageFor()
	p.convo.Msgs = []shared.Message{msg("a", day(3, 9)), msg("b", day(3, 14)), msg("c", day(4, 10)), msg("d", day(4, 11))}
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.Local)
	for i, want := range []string{"Dec 3, 09:05:12", "14:05:12", "Dec 4, 10:05:12", "11:05:12"} {
		if got := p.msgTime(i, &p.convo.Msgs[i], now); got != want {
			t.Errorf("message %d reads %q, want %q", i, got, want)
		}
	}
	if got := p.msgTime(0, &p.convo.Msgs[0], now.AddDate(1, 0, 0)); got != "Dec 3, 2026, 09:05:12" {
		t.Errorf("a message of last year reads %q, want its year", got)
	}
	out := app.HTMLString(p.renderMessage(1, &p.convo.Msgs[1]))
	if !regexp.MustCompile(`<time [^>]*>14:05:12</time>`).MatchString(out) || !strings.Contains(out, `title="2026-12-03 14:05:12"`) {
		t.Errorf("the head's time is not the clock with the whole date in its tooltip:\n%s", out)
	}
}
