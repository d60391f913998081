package ui

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/app/mdview"
	"vibecraft.sh/helm/shared"
)

// A tool result or output longer than this shows cut, with "show all".
const (
	screenChars = 3000
	screenLines = 40
)

// renderMessage is one row of the transcript. Everything in it is
// transcript text, and goes in as text (p.mark, mdview.Render), never markup.
func (p *SessionPage) renderMessage(i int, m *shared.Message) app.UI {
	row := el.Article().Class("msg", "role-"+roleClass(m.Role)).
		DataSet("i", i).DataSet("role", roleClass(m.Role)).DataSet("cursor", m.Cursor)
	if p.isMatch(i) {
		row = row.Class("current-match")
	}
	when := app.If(m.Time > 0, func() app.UI {
		return el.Time().Class("time").Attr("datetime", isoTime(m.Time)).Title("%s", absTime(m.Time)).Text(p.msgTime(i, m, time.Now()))
	})
	var head app.UI
	if p.continues(i, m) {
		// The same speaker and model again, minutes later: its time only,
		// beside its first line. A session of tool calls, one a
		// response, repeated "Assistant claude-sonnet-4-5-20250929" on
		// every row, and eight calls filled a screen.
		row = row.Class("cont")
		head = el.Div().Class("msg-head").Body(when)
	} else {
		head = el.Div().Class("msg-head").Body(
			el.Span().Class("role").Text(roleLabel(m.Role)),
			app.If(m.Model != "", func() app.UI {
				return el.Span().Class("model").Title("%s", attr(md.Clean(m.Model))).Text(md.Clean(shared.ModelWords(m.Model)))
			}),
			when,
		)
	}
	body := make([]app.UI, 0, len(m.Blocks)+1)
	body = append(body, head)
	for j := range m.Blocks {
		body = append(body, p.renderBlock(m, j))
	}
	if len(m.Blocks) == 0 && m.Role == "assistant" {
		// OpenCode writes an answer before its parts: the answer being
		// written is its head over the "Working…" line, joined to it
		// (the stylesheet drops the divider between them); one that
		// ended with no part says so rather than show a bare head.
		if p.working() && i == len(p.convo.Msgs)-1 {
			return row.Class("writing").Body(body...)
		}
		body = append(body, el.P().Class("empty-answer").Text("No text."))
	}
	return row.Body(body...)
}

// continues reports whether message i (m) goes on from the one before:
// the assistant again, with the same model, within continueWithin.
func (p *SessionPage) continues(i int, m *shared.Message) bool {
	msgs := p.convo.Msgs
	if i <= 0 || i >= len(msgs) || &msgs[i] != m || m.Role != "assistant" {
		return false
	}
	prev := &msgs[i-1]
	return prev.Role == m.Role && prev.Model == m.Model && prev.Time > 0 && m.Time >= prev.Time &&
		m.Time-prev.Time <= continueWithin.Milliseconds()
}

// msgTime is a message's time as its head shows it: the clock alone
// ("14:05:12") when the message before it is of the same day, else with
// the day ("Dec 4, 14:05:12", the year too when it is not now's). The
// whole date on every message was noise in a session of one day; the
// tooltip has it.
func (p *SessionPage) msgTime(i int, m *shared.Message, now time.Time) string {
	t := time.UnixMilli(m.Time).Local()
	msgs := p.convo.Msgs
	if i > 0 && i < len(msgs) && &msgs[i] == m && msgs[i-1].Time > 0 && sameDay(t, time.UnixMilli(msgs[i-1].Time)) {
		return t.Format("15:04:05")
	}
	if t.Year() == now.Local().Year() {
		return t.Format("Jan 2, 15:04:05")
	}
	return t.Format("Jan 2, 2006, 15:04:05")
}

// continueWithin is how close in time an answer must follow the one
// before to be shown as going on from it.
const continueWithin = 10 * time.Minute

func roleClass(r string) string {
	switch r {
	case "user", "assistant":
		return r
	}
	return "system"
}

func roleLabel(r string) string {
	switch r {
	case "user":
		return "You"
	case "assistant":
		return "Assistant"
	}
	return "System"
}

// withoutPasteMarks is a prompt without the lines Claude Code writes
// around pasted text (shared.StripPastes): the text reads as it was
// pasted.
func withoutPasteMarks(s string) string {
	if !strings.Contains(s, "pasted_content") {
		return s
	}
	// Claude Code writes the marks with line breaks around them.
	return strings.Trim(string(shared.StripPastes([]byte(s))), "\n")
}

// blockKey names block j of m for the open/closed state.
func blockKey(m *shared.Message, j int) string { return m.Cursor + "#" + itoa(j) }

func (p *SessionPage) renderBlock(m *shared.Message, j int) app.UI {
	b := &m.Blocks[j]
	key := blockKey(m, j)
	switch b.Type {
	case shared.BlockText:
		if m.Role == "user" {
			// A prompt over 64 KiB comes cut too: it offers its whole.
			prompt := el.Div().Class("prompt").Dir("auto").Body(p.mark(withoutPasteMarks(p.whole(b.Text, b.Cut)))...)
			if note := p.cutNote(b.Cut); note != nil {
				return el.Div().Class("prompt-wrap").Body(prompt, note)
			}
			return prompt
		}
		return el.Div().Class("md").Body(append(mdview.RenderBlocks(p.parse(p.whole(b.Text, b.Cut)), p.mark), p.cutNote(b.Cut))...)
	case shared.BlockThinking:
		if b.Cut == nil && strings.TrimSpace(b.Text) == "" {
			// Redacted, or sent without its text (Opus 4.7 and later):
			// a Thinking line opening onto nothing said less than this.
			return el.Div().Class("placeholder").Text("[thinking: not in the transcript]")
		}
		return p.toggle(key, "thinking", "Thinking", "", func() app.UI {
			return el.Div().Class("thinking-text").Dir("auto").Body(p.mark(p.whole(b.Text, b.Cut))...)
		})
	case shared.BlockTool:
		if b.Tool == nil {
			return nil
		}
		return p.renderTool(m, key, b.Tool)
	case shared.BlockImage:
		name := ""
		if b.Text != "" {
			name = " " + md.Clean(b.Text)
		}
		return el.Div().Class("placeholder").Text("[image" + name + media(b.MediaType) + sized(b.Bytes) + "]")
	case shared.BlockFile:
		return el.Div().Class("placeholder").Text("[file " + md.Clean(b.Text) + media(b.MediaType) + sized(b.Bytes) + "]")
	case shared.BlockCompaction:
		if b.Text == "" {
			return el.Div().Class("separator").Text("Conversation compacted")
		}
		// The summary the compaction left: read as text, at the start of
		// its lines. As a centred separator, its paragraphs were centred.
		return p.toggle(key, "summary", "Summary of the conversation so far", "", func() app.UI {
			return el.Div().Class("md").Body(mdview.RenderBlocks(p.parse(b.Text), p.mark)...)
		})
	case shared.BlockCommand:
		return el.Div().Class("separator", "command").Body(p.mark(b.Text)...)
	case shared.BlockOutput:
		return p.longText(key, "output", b.Text, b.Cut)
	case shared.BlockError:
		if b.Detail == "" {
			return el.Div().Class("error").Body(el.Strong().Text("Error: "), el.Span().Body(p.mark(b.Text)...))
		}
		// A failed API call in words ("API error 529: Overloaded"), the
		// text Claude Code wrote (the API's JSON) behind a line.
		return el.Div().Class("api-error").Body(el.Div().Class("error").Body(p.mark(b.Text)...),
			p.toggle(key, "detail", "As written", "", func() app.UI {
				return el.Pre().Class("long").TabIndex(0).Body(p.mark(b.Detail)...)
			}))
	case shared.BlockOmitted:
		return el.Div().Class("separator").Text("A record too large to show (" + byteSize(b.Bytes) + ")")
	}
	return el.Div().Class("separator").Text("[" + md.Clean(b.Type) + "]")
}

// renderTool is one line (name and main argument) that opens to the
// call's input and result.
func (p *SessionPage) renderTool(m *shared.Message, key string, t *shared.Tool) app.UI {
	state := ""
	var call string
	var answered bool
	if t.Result == nil || t.Name == "" { // a half: rare, and a look through every loaded message
		call, answered = p.otherHalf(m, t)
	}
	asks := ""
	if t.Result == nil {
		asks = p.asksFor(m, t)
	}
	switch {
	case asks != "":
		state = asks
	case t.Result == nil && (answered || t.Later):
		// Its result is further down, loaded or not (helmd says so):
		// done, not running.
		state = "answered"
	case t.Result == nil && p.detail != nil && p.detail.Status == shared.StatusIdle:
		// Nothing runs in an idle session: its process was killed, or
		// it was left mid-call. A spinner would say it still runs.
		state = "stopped"
	case t.Result == nil:
		state = "running"
	case t.Result.IsError:
		state = "error"
	}
	name := t.Name
	if name == "" && t.Result != nil {
		// A result that stands on its own, its call in an earlier message.
		name = "Result of an earlier call"
		if call != "" {
			name = "Result of " + call
		}
	}
	return p.toggle(key, "tool", name, t.Summary, func() app.UI {
		parts := []app.UI{}
		if t.ShowsInput() {
			parts = append(parts, el.Div().Class("label").Text("Input"), p.renderInput(key, t))
		}
		if r := t.Result; r != nil {
			label := "Result"
			if r.IsError {
				label = "Error"
			}
			if r.Images > 0 {
				label += " (+" + plural(r.Images, "image", "images") + ", not shown)"
			}
			parts = append(parts, el.Div().Class("label").Text(label), p.longText(key+"out", "result", r.Text, r.Cut))
		} else if asks != "" {
			parts = append(parts, el.Div().Class("label", "asks").Text("Waiting for your "+asks))
		} else if state == "answered" {
			parts = append(parts, el.Div().Class("label").Text("Its result came later: below, after other messages"))
		} else if state == "stopped" {
			parts = append(parts, el.Div().Class("label").Text("No result: the session stopped before the call returned"))
		} else {
			parts = append(parts, el.Div().Class("label").Text("No result yet"))
		}
		switch {
		case t.AgentID == "" || p.agent != "":
		case p.source == string(shared.SourceOpenCode):
			// OpenCode runs a task in a child session: a page of its own.
			parts = append(parts, el.A().Class("subagent").Attr("href", shared.PagePath(p.source, t.AgentID, "", p.host)).
				Text("Open the subagent's session"))
		default:
			// The host too: a remote session's subagent lives on its machine.
			href := shared.PagePath(p.source, p.id, t.AgentID, p.host)
			parts = append(parts, el.A().Class("subagent").Attr("href", href).Text("Open the subagent's transcript").
				OnClick(p.onSubagent))
		}
		return el.Div().Class("tool-body").Body(parts...)
	}, state)
}

// otherHalf finds, in the loaded messages other than m, the other half
// of t: helmd shows a result written after other messages on its own,
// where it was written (the same on every page), so its call has no
// result and the result no name. It returns the call's name, for a
// result, and whether a result came later, for a call.
func (p *SessionPage) otherHalf(m *shared.Message, t *shared.Tool) (name string, answered bool) {
	for i := range p.convo.Msgs {
		if o := &p.convo.Msgs[i]; o != m && t.ID != "" {
			for _, b := range o.Blocks {
				if b.Tool != nil && b.Tool.ID == t.ID {
					if b.Tool.Name != "" {
						name = b.Tool.Name
					}
					answered = answered || b.Tool.Result != nil
				}
			}
		}
	}
	return name, answered
}

// asksFor is what the session waits on the user to give t, a call
// without a result of its last message: "approval" for the call of the
// tool a permission names (any call when it names none) and for the plan
// of a plan to approve (ExitPlanMode's), "answer" for the call of a
// question (AskUserQuestion's); "" for any other call. The dialog's call
// is what it asks about, as a permission's is.
func (p *SessionPage) asksFor(m *shared.Message, t *shared.Tool) string {
	d, msgs := p.detail, p.convo.Msgs
	if d == nil || d.Status != shared.StatusWaiting || len(msgs) == 0 || m != &msgs[len(msgs)-1] {
		return ""
	}
	name := md.Clean(t.Name)
	switch r := shared.WaitReason(d.Status, d.WaitingFor); {
	case r == shared.ReasonQuestion || r == shared.ReasonPlan:
		// The dialog's call: the tool shared names the reason after.
		if shared.DialogReason(name) != r {
			return ""
		}
		if r == shared.ReasonQuestion {
			return "answer"
		}
		return "approval"
	case shared.WaitsForPermission(d.WaitingFor):
		if tool := shared.PermissionTool(d.WaitingFor); tool != "" && tool != name {
			return ""
		}
		return "approval"
	}
	return ""
}

// toggle is a collapsed line that expands to body(). Its state is kept
// per block (not per DOM node, which the virtual list reuses).
func (p *SessionPage) toggle(key, class, name, arg string, body func() app.UI, state ...string) app.UI {
	open := p.open[key]
	btn := el.Button().Class("line").Aria("expanded", strconv.FormatBool(open)).DataSet("key", key).OnClick(p.onToggle).Body(
		el.Span().Class("name").Text(md.Clean(name)),
		app.If(arg != "", func() app.UI { return el.Span().Class("arg").Dir("auto").Body(p.mark(arg)...) }),
		// The call the session waits on: said on its line, seen closed.
		app.If(len(state) > 0 && (state[0] == "approval" || state[0] == "answer"), func() app.UI {
			return el.Span().Class("asks").Text("waiting for your " + state[0])
		}),
		app.If(len(state) > 0 && state[0] == "stopped", func() app.UI {
			return el.Span().Class("no-result").Text("no result")
		}),
	)
	d := el.Div().Class("block", class)
	if len(state) > 0 && state[0] != "" {
		d = d.DataSet("state", state[0])
	}
	return d.Body(btn, app.If(open, body))
}

// onToggle opens or closes a block where it is: the view stops following
// the end (which would scroll a block opened at the end of a live
// transcript off the top, to show the end of what it opened) and stops
// holding find's match, so the block grows or shrinks below its line.
func (p *SessionPage) onToggle(ctx app.Context, _ app.Event) {
	k := ctx.JSSrc().Get("dataset").Get("key").String()
	p.open[k] = !p.open[k]
	p.follow, p.pin = false, -1
	p.afterChange()
}

// longText is preformatted text cut to about a screen, with "show all";
// a text the server cut loads whole through the full endpoint.
func (p *SessionPage) longText(key, class, text string, cut *shared.Cut) app.UI {
	text = p.whole(text, cut)
	var runs []shared.Run
	if class != "input" {
		// A command's output: a terminal's escapes (colours, cursor
		// moves) are not its text, and its colours are drawn
		// (markOutput). An input shows what it was given.
		if runs = shared.StyledRuns(text); runs != nil {
			text = joinRuns(runs)
		}
	}
	all := p.open[key+"all"]
	shown := text
	if !all {
		shown = screenful(text)
	}
	pre := el.Pre().Class("long", class).TabIndex(0).Body(p.markOutput(runs, shown)...) // scrolls sideways: a tab stop for the keyboard
	if len(shown) < len(text) {
		return el.Div().Class("longtext").Body(pre, el.Button().Class("show-all").DataSet("key", key+"all").OnClick(p.onToggle).
			Text(p.showAllLabel(text, cut)))
	}
	var less app.UI
	if all && len(screenful(text)) < len(text) {
		// In the place of Show all, so the keyboard's focus stays on it.
		less = el.Button().Class("show-all").DataSet("key", key+"all").OnClick(p.onToggle).Text("Show less")
	}
	return el.Div().Class("longtext").Body(pre, less, p.cutNote(cut))
}

// showAllLabel says what Show all shows: the lines and bytes of text,
// or, when the server cut it and the rest is not loaded, how much of the
// whole it is: "Show all (7 KB)" on a 5 MB output promised what it did
// not give.
func (p *SessionPage) showAllLabel(text string, cut *shared.Cut) string {
	size := byteSize(int64(len(text)))
	if cut != nil && cut.Ref != "" && cut.Bytes > int64(len(text)) {
		if _, loaded := p.full[cut.Ref]; !loaded {
			return "Show the first " + size + " of " + byteSize(cut.Bytes)
		}
	}
	lines := strings.Count(text, "\n")
	if !strings.HasSuffix(text, "\n") {
		lines++
	}
	if lines > 1 {
		return "Show all " + grouped(lines) + " lines (" + size + ")"
	}
	return "Show all (" + size + ")"
}

// screenful is text cut to screenLines lines or screenChars bytes.
func screenful(s string) string {
	cut := len(s)
	if cut > screenChars {
		cut = screenChars
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
	}
	lines := 0
	for i := 0; i < cut; i++ {
		if s[i] == '\n' {
			if lines++; lines == screenLines {
				cut = i
				break
			}
		}
	}
	return s[:cut]
}

// whole is the full text of a cut block once loaded, else the text.
func (p *SessionPage) whole(text string, cut *shared.Cut) string {
	if cut != nil && cut.Ref != "" {
		if full, ok := p.full[cut.Ref]; ok {
			return full
		}
	}
	return text
}

// cutNote offers to load a text the server cut.
func (p *SessionPage) cutNote(cut *shared.Cut) app.UI {
	if cut == nil || cut.Ref == "" {
		return nil
	}
	if _, ok := p.full[cut.Ref]; ok {
		return nil
	}
	// The ref travels in the element, not in a closure: go-app keeps an
	// element's old handler when the new one is the same function, and
	// the virtual list reuses a row's button for another message's cut.
	return el.Button().Class("load-full").DataSet("ref", cut.Ref).
		Text("Cut here: load all " + byteSize(cut.Bytes)).OnClick(p.onLoadFull)
}

// Handlers read what they act on from the page or the element at the
// click, never from a closure: go-app keeps an element's first handler
// while its code is the same (it compares function pointers), and the
// virtual list moves other messages into the same elements.

// onLoadFull loads a cut text whole. The answer is applied through the
// page's context: the button's may be gone by then (the row scrolled
// out of the window, the block was closed), and go-app drops a Dispatch
// whose element is no longer mounted.
func (p *SessionPage) onLoadFull(ctx app.Context, _ app.Event) {
	if ref := ctx.JSSrc().Get("dataset").Get("ref").String(); ref != "" {
		p.loadFull(ref, nil)
	}
}

// loadFull loads the text ref names whole, then calls then (if set).
// Find searches a cut input in it once loaded (convo.Find): the matches
// are found again.
func (p *SessionPage) loadFull(ref string, then func()) {
	page := p.started
	browser.Fetch("GET", p.api("/messages/"+url.PathEscape(ref)+"/full", nil), func(body []byte, err error) {
		p.ctx.Dispatch(func(app.Context) {
			if p.started != page || !p.mounted {
				return // another session's page now
			}
			if err != nil {
				p.errText = failed("Could not load the whole text", err)
				return
			}
			p.full[ref] = string(body)
			if p.term != "" {
				p.refind()
			}
			if then != nil {
				then()
			}
			p.afterChange()
		})
	})
}

// onSubagent notes that this page opened a subagent's transcript, so
// Esc there goes back to it in history.
func (p *SessionPage) onSubagent(app.Context, app.Event) {
	subagentOpenedFrom = shared.PagePath(p.source, p.id, "", p.host)
}

// renderInput is a tool call's input as its fields, each value as its
// text ("npm test && npm run lint", an Edit's old and new strings on
// their lines), not as JSON escapes ("\u0026\u0026", "\n"). An input
// that is not an object, or that the server cut (its whole text loads
// as one string), shows as JSON. What it shows is shared.InputTexts,
// which find searches (reveal opens what holds a match).
func (p *SessionPage) renderInput(key string, t *shared.Tool) app.UI {
	fields, ok := shared.InputFields(t.Input)
	if !ok || t.InputCut != nil {
		return p.longText(key+"in", "input", shared.InputJSON(t.Input), t.InputCut)
	}
	items := make([]app.UI, 0, 2*len(fields))
	for k, f := range fields {
		items = append(items, el.Dt().Text(md.Clean(f.Name)),
			el.Dd().Body(p.longText(key+"in"+itoa(k), "input", f.Value, nil)))
	}
	return el.Dl().Class("input-fields").Body(items...)
}

func media(t string) string {
	if t == "" {
		return ""
	}
	return " " + md.Clean(strings.TrimPrefix(t, "image/"))
}

// sized is ", " and a size, or nothing for none: a file attached by its
// path (OpenCode 2) has no size in the transcript, and "0 B" said it was
// empty.
func sized(n int64) string {
	if n <= 0 {
		return ""
	}
	return ", " + byteSize(n)
}

// byteSize is n bytes for people: "512 B", "12 KB", "3.4 MB".
func byteSize(n int64) string {
	switch {
	case n < 1024:
		return itoa(int(n)) + " B"
	case n < 1024*1024:
		return itoa(int(n/1024)) + " KB"
	default:
		tenths := n * 10 / (1024 * 1024)
		return itoa(int(tenths/10)) + "." + itoa(int(tenths%10)) + " MB"
	}
}

// parsedKept bounds the cache of parsed Markdown (by text).
const parsedKept = 400

// parse is md.Parse, cached: the rows on screen render on every scroll
// step, and parsing is most of a row's cost in wasm.
func (p *SessionPage) parse(text string) []md.Block {
	if b, ok := p.parsed[text]; ok {
		return b
	}
	if p.parsed == nil || len(p.parsed) >= parsedKept {
		p.parsed = make(map[string][]md.Block)
	}
	b := md.Parse(text)
	p.parsed[text] = b
	return b
}
