package ui

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/shared"
)

func pageFor(open ...string) *SessionPage {
	p := newSessionPage().(*SessionPage)
	p.source, p.id = "claude", "5b000000-0000-4000-8000-000000000001"
	p.open = map[string]bool{}
	p.full = map[string]string{}
	for _, k := range open {
		p.open[k] = true
	}
	return p
}

func toolMsg(t *shared.Tool) shared.Message {
	return shared.Message{Cursor: "c1", Role: "assistant", Blocks: []shared.Block{{Type: shared.BlockTool, Tool: t}}}
}

func TestRenderMessageBlocks(t *testing.T) {
	hostile := `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">`
	long := strings.Repeat("line\n", 200)
	bash := &shared.Tool{Name: "Bash", Summary: "go test ./...", Input: json.RawMessage(`{"command":"go test ./..."}`),
		Result: &shared.ToolResult{Text: hostile}}
	tests := []struct {
		name    string
		open    []string
		msg     shared.Message
		want    []string // substrings of the HTML
		notWant []string
	}{
		{"tool collapsed is one line", nil, toolMsg(bash),
			[]string{`class="name">Bash`, "go test ./...", `aria-expanded="false"`},
			[]string{"&#34;command&#34;", "window.__pwned", "tool-body"}},
		{"tool open shows input and result as text", []string{"c1#0"}, toolMsg(bash),
			[]string{`class="tool-body"`, "<dt>command</dt>", "go test ./...", "&lt;script&gt;"},
			[]string{"<script", "<img", "&#34;command&#34;"}},
		{"tool input fields read as written", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Edit",
			Input: json.RawMessage(`{"file_path":"/a.go","old_string":"x \u0026\u0026 y\nz","new_string":"<b>","replace_all":false,"n":{"k":[1]}}`)}),
			[]string{"<dt>file_path</dt>", "<dt>old_string</dt>", "x &amp;&amp; y\nz", "&lt;b&gt;", "<dt>replace_all</dt>", "false", "&#34;k&#34;: [\n"},
			[]string{`\u0026`, "<b>", `x &amp;&amp; y\\nz`}},
		{"tool input not an object shows as JSON", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "X", Input: json.RawMessage(`["a","b"]`)}),
			[]string{"&#34;a&#34;"}, []string{"<dt>"}},
		{"error result is marked", nil, toolMsg(&shared.Tool{Name: "Read", Result: &shared.ToolResult{Text: "nope", IsError: true}}),
			[]string{`data-state="error"`}, nil},
		{"running call", nil, toolMsg(&shared.Tool{Name: "Bash"}), []string{`data-state="running"`}, nil},
		{"long result cut with show all", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Bash", Result: &shared.ToolResult{Text: long}}),
			[]string{"Show all 200 lines (1000 B)"}, nil},
		{"one long line cut says its size", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Bash", Result: &shared.ToolResult{Text: strings.Repeat("x", 9000)}}),
			[]string{"Show all (8 KB)"}, nil}, // 9,000 B: past a screenful of bytes
		{"a text the server cut says how much of it shows", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Bash", Result: &shared.ToolResult{Text: long, Cut: &shared.Cut{Bytes: 5 << 20, Ref: "r1"}}}),
			[]string{"Show the first 1000 B of 5.0 MB"}, []string{"Show all"}},
		{"show all shows all", []string{"c1#0", "c1#0outall"}, toolMsg(&shared.Tool{Name: "Bash", Result: &shared.ToolResult{Text: long}}),
			[]string{strings.Repeat("line\n", 199), "Show less"}, []string{"Show all"}},
		{"show all of a text the server cut still offers its whole", []string{"c1#0", "c1#0outall"}, toolMsg(&shared.Tool{Name: "Bash", Result: &shared.ToolResult{Text: long, Cut: &shared.Cut{Bytes: 3 << 20, Ref: "r1"}}}),
			[]string{"Show less", "Cut here: load all 3.0 MB"}, []string{"Show all"}},
		{"server cut offers the whole text", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Bash", Result: &shared.ToolResult{Text: "head", Cut: &shared.Cut{Bytes: 3 << 20, Ref: "r1"}}}),
			[]string{"Cut here: load all 3.0 MB"}, nil},
		{"a coloured output reads as its text, in its colours", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Bash", Result: &shared.ToolResult{Text: "\x1b[32mPASS\x1b[0m ok\x1b]0;title\x07 then a lone \x1b."}}),
			[]string{`<span class="sgr sgr-green">`, "PASS", " ok then a lone ␛."}, []string{"␛[", "title"}},
		{"bash mode's output too", nil, shared.Message{Cursor: "c1", Role: "user", Blocks: []shared.Block{{Type: shared.BlockOutput, Text: "\x1b[1;31merror\x1b[m: x"}}},
			[]string{`<span class="sgr sgr-red sgr-bold">`, "error", ": x"}, []string{"␛"}},
		{"a colour of the output's choosing is the text's own", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Bash", Result: &shared.ToolResult{Text: "\x1b[38;2;1;2;3mrgb\x1b[0m \x1b[30mblack"}}),
			[]string{"rgb black"}, []string{"sgr", "style="}},
		{"markup in a coloured run is text", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Bash", Result: &shared.ToolResult{Text: "\x1b[31m" + hostile + "\x1b[0m"}}),
			[]string{`<span class="sgr sgr-red">`, "&lt;script&gt;"}, []string{"<script", "<img"}},
		{"a tool's input keeps what it was given", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Bash", Input: json.RawMessage(`{"command":"printf '\u001b[31m'"}`)}),
			[]string{"␛[31m"}, nil},
		{"subagent link", []string{"c1#0"}, toolMsg(&shared.Tool{Name: "Task", AgentID: "a1b2c3", Result: &shared.ToolResult{Text: "done"}}),
			[]string{`href="/s/claude/5b000000-0000-4000-8000-000000000001?agent=a1b2c3"`}, nil},
		{"thinking collapsed", nil, shared.Message{Cursor: "c1", Role: "assistant", Blocks: []shared.Block{{Type: shared.BlockThinking, Text: "secret plan"}}},
			[]string{"Thinking"}, []string{"secret plan"}},
		{"image placeholder", nil, shared.Message{Cursor: "c1", Role: "user", Blocks: []shared.Block{{Type: shared.BlockImage, MediaType: "image/png", Bytes: 2048}}},
			[]string{"[image png, 2 KB]"}, []string{"<img"}},
		{"an image by its path: named, no size", nil, shared.Message{Cursor: "c1", Role: "user", Blocks: []shared.Block{{Type: shared.BlockImage, MediaType: "image/png", Text: "shot<b>.png"}}},
			[]string{"[image shot&lt;b&gt;.png png]"}, []string{"<b>", "0 B"}},
		{"separators", nil, shared.Message{Cursor: "c1", Role: "system", Blocks: []shared.Block{{Type: shared.BlockCompaction}, {Type: shared.BlockCommand, Text: "/clear"}}},
			[]string{"Conversation compacted", `class="separator command">/clear`}, nil},
		{"user prompt is text, not Markdown", nil, shared.Message{Cursor: "c1", Role: "user", Blocks: []shared.Block{{Type: shared.BlockText, Text: "**not bold** " + hostile}}},
			[]string{"**not bold**", "&lt;script&gt;"}, []string{"<strong", "<script"}},
		{"assistant Markdown", nil, shared.Message{Cursor: "c1", Role: "assistant", Blocks: []shared.Block{{Type: shared.BlockText, Text: "**bold** [x](javascript:alert(1))"}}},
			[]string{"<strong>bold</strong>", `class="link-text">x`}, []string{"javascript:alert"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pageFor(tt.open...)
			out := app.HTMLString(p.renderMessage(0, &tt.msg))
			checkMarkup(t, out, tt.want, tt.notWant)
		})
	}
}

// TestFindMarksColouredOutput: find marks a match in a coloured output
// where it shows, one that crosses two colours in each; a screenful cut
// ends the runs where it ends the text.
func TestFindMarksColouredOutput(t *testing.T) {
	p := pageFor("c1#0")
	p.term = "pass ok"
	m := toolMsg(&shared.Tool{Name: "Bash", Result: &shared.ToolResult{Text: "\x1b[32mPASS\x1b[0m ok, \x1b[1mpass ok\x1b[0m\n" + strings.Repeat("\x1b[31mred\x1b[0m\n", 500)}})
	out := app.HTMLString(p.renderMessage(0, &m))
	if n := strings.Count(out, "<mark>"); n != 3 {
		t.Errorf("%d marks, want 3 (PASS, then  ok, then pass ok):\n%.2000s", n, out)
	}
	if n := strings.Count(out, "sgr-red"); n != screenLines-1 {
		t.Errorf("%d red runs shown, want %d, a screenful:\n%.2000s", n, screenLines-1, out)
	}
	if !strings.Contains(out, "Show all 501 lines") {
		t.Errorf("no Show all for the rest:\n%.2000s", out)
	}
}

// TestColouredOutputBounded: Show all of an output of many colour
// changes draws at most maxStyledRuns runs in colour, the rest as text,
// none of it lost.
func TestColouredOutputBounded(t *testing.T) {
	p := pageFor("c1#0", "c1#0outall")
	p.term = "z"
	m := toolMsg(&shared.Tool{Name: "Bash", Result: &shared.ToolResult{Text: strings.Repeat("\x1b[31mr\x1b[32mg", maxStyledRuns) + "z"}})
	out := app.HTMLString(p.renderMessage(0, &m))
	if n := strings.Count(out, `class="sgr `); n != maxStyledRuns {
		t.Errorf("%d runs drawn in colour, want %d", n, maxStyledRuns)
	}
	if n := strings.Count(out, "<mark>"); n != 1 || !strings.Contains(out, strings.Repeat("rg", maxStyledRuns/2)) {
		t.Errorf("the rest of the output (and its match) is not there as text: %d marks", n)
	}
}

func TestFindMarksMatches(t *testing.T) {
	p := pageFor()
	p.term = "needle"
	m := shared.Message{Cursor: "c1", Role: "assistant", Blocks: []shared.Block{{Type: shared.BlockText, Text: "a Needle in *the needle* stack"}}}
	out := app.HTMLString(p.renderMessage(0, &m))
	if strings.Count(out, "<mark>") != 2 {
		t.Fatalf("want 2 marks:\n%s", out)
	}
}

func TestFormats(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{duration(45_000), "45 s"},
		{duration(12 * 60_000), "12 min"},
		{duration(3*3600_000 + 5*60_000), "3 h 5 min"},
		{duration(3 * 3600_000), "3 h"},
		{duration(47*3600_000 + 59*60_000), "47 h 59 min"},
		{duration(52 * 3600_000), "2 d 4 h"},
		{byteSize(512), "512 B"},
		{byteSize(12 << 10), "12 KB"},
		{byteSize(3<<20 + 400<<10), "3.3 MB"},
		{screenful(strings.Repeat("x\n", 100)), strings.Repeat("x\n", screenLines-1) + "x"},
		{screenful(strings.Repeat("é", 2000))[:10], strings.Repeat("é", 5)},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if s := screenful(strings.Repeat("é", 2000)); len(s) > screenChars || !strings.HasSuffix(s, "é") {
		t.Errorf("screenful cut inside a rune or too long: %d bytes", len(s))
	}
}

// An older page moves every index: the current match stays on its message.
func TestRefindKeepsTheCurrentMatch(t *testing.T) {
	p := pageFor()
	text := func(cursor, s string) shared.Message {
		return shared.Message{Cursor: cursor, Role: "assistant", Blocks: []shared.Block{{Type: shared.BlockText, Text: s}}}
	}
	p.convo.Reset(shared.MessagePage{Messages: []shared.Message{text("c", "needle one"), text("d", "hay"), text("e", "needle two")}, Before: "c"})
	p.term, p.match = "needle", -1
	p.refind()
	p.match, p.curCursor = 1, "e" // on "needle two"
	p.convo.Prepend(shared.MessagePage{Messages: []shared.Message{text("a", "needle zero"), text("b", "hay")}})
	p.refind()
	if want := []int{0, 2, 4}; len(p.matches) != 3 || p.matches[0] != want[0] || p.matches[2] != want[2] {
		t.Fatalf("matches %v, want %v", p.matches, want)
	}
	if p.match != 2 || p.convo.Msgs[p.matches[p.match]].Cursor != "e" {
		t.Fatalf("current match %d (%v), want the message e", p.match, p.matches)
	}
}

// checkMarkup fails t for each of want missing from out and each of
// notWant found in it.
func checkMarkup(t *testing.T, out string, want, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q in\n%s", w, out)
		}
	}
	for _, w := range notWant {
		if strings.Contains(out, w) {
			t.Errorf("unexpected %q in\n%s", w, out)
		}
	}
}

// Below the last message the page says the session is at work, while
// helmd says so; not for a session waiting or idle, nor for a status
// only last known (offline).
func TestWorkingLine(t *testing.T) {
	for _, c := range []struct {
		status shared.Status
		state  string
		want   bool
	}{
		{shared.StatusWorking, "ready", true},
		{shared.StatusWaiting, "ready", false},
		{shared.StatusIdle, "ready", false},
		{shared.StatusWorking, "offline", false},
	} {
		p := pageFor()
		p.state = c.state
		p.detail = &shared.SessionDetail{Session: shared.Session{Status: c.status}}
		p.convo.Reset(textMsgs(map[string]string{"c1": "hello"}, "c1"))
		out := app.HTMLString(p.renderTranscript())
		if got := strings.Contains(out, `id="working"`); got != c.want {
			t.Errorf("%s, %s: the working line shown %v, want %v", c.status, c.state, got, c.want)
		}
	}
}

// An OpenCode answer written before its parts: while the session works
// and it is the last message, its head joins the working line (class
// writing), with nothing else to say; one that ended with no part says
// "No text." rather than show a bare head.
func TestAnswerWithoutParts(t *testing.T) {
	empty := shared.Message{Cursor: "c2", Role: "assistant", Model: "gpt-5", Blocks: []shared.Block{}}
	hello := textMsgs(map[string]string{"c1": "hello"}, "c1").Messages[0]
	for _, c := range []struct {
		name   string
		status shared.Status
		msgs   []shared.Message
		want   []string
		unwant []string
	}{
		{"being written", shared.StatusWorking, []shared.Message{hello, empty},
			[]string{`class="msg role-assistant writing"`, `id="working"`}, []string{"No text."}},
		{"ended empty", shared.StatusIdle, []shared.Message{hello, empty},
			[]string{"No text."}, []string{"writing", `id="working"`}},
		{"empty, then more", shared.StatusWorking, []shared.Message{empty, hello},
			[]string{"No text.", `id="working"`}, []string{"writing"}},
	} {
		p := pageFor()
		p.state = "ready"
		p.detail = &shared.SessionDetail{Session: shared.Session{Status: c.status}}
		p.convo.Reset(shared.MessagePage{Messages: c.msgs})
		p.win.First, p.win.Last = 0, len(c.msgs)
		out := app.HTMLString(p.renderTranscript())
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: lacks %s:\n%s", c.name, w, out)
			}
		}
		for _, w := range c.unwant {
			if strings.Contains(out, w) {
				t.Errorf("%s: has %s:\n%s", c.name, w, out)
			}
		}
	}
}
