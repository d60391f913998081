package transcript

import (
	"bytes"
	"cmp"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"vibecraft.sh/helm/server/internal/usertext"
	"vibecraft.sh/helm/shared"
)

// parsed is one indexed line as read for a page.
type parsed struct {
	off, size int64
	l         *line // nil: malformed or too large
	tooBig    bool
	typ       string // tooBig: the record's type, as far as it was found
	cs        []content
	bytes     int // of its cut copy: what it costs the page
	// placed: a find for a term the line cannot show may pass over
	// it (its place is all it is decoded for, findskip.go). Told to a
	// find only.
	placed bool
}

// group is one message being assembled from its lines.
type group struct {
	off     int64
	msg     shared.Message
	assist  string // message.id when an assistant response
	command bool
	// prompt: it starts at a prompt the user typed; side: at a
	// sidechain record (a subagent's, a side question's). Both say
	// whether the session went on past a call (over.go).
	prompt, side bool
}

// grouper turns lines, in file order, into messages. A message starts at
// a prompt, a separator, or an assistant line whose message.id differs
// from the current response's; tool results, meta records and the further
// lines of a response join the message before them. A tool result is
// shown with its call when the call is in the message its record joins;
// else on its own, in that message (see start). Starting mid-file,
// the first message may have begun before the first line read: lines are
// "uncertain" until a line that starts a message whatever came before.
type grouper struct {
	refs refMaker
	// tags reads from the file the outputs a cut string left out; nil
	// (a find's skeleton, tests): they are not shown.
	tags   tagReader
	groups []*group
	// tools are the calls of the current message, by id: a result
	// joins its call only there (see start).
	tools map[string]*shared.Tool
	// known: the lines before are known (the read began at the file's
	// start, or at a line that starts a message whatever precedes it).
	known    bool
	unsure   int // groups[:unsure] may have begun before the read
	lastSeen string
}

// refMaker makes a full-text ref for the string at an absolute offset:
// of the whole string when tag is 0, else of the text inside its tag
// outputTags[tag-1], which is what the page shows of it.
type refMaker func(at int64, tag uint8) string

// tagReader is the text inside the tag outputTags[tag-1] of the string
// at an absolute offset, read from the file, as the page shows a long
// string: its head, and a cut when that is not all of it.
type tagReader func(at int64, tag uint8) (string, *shared.Cut)

func newGrouper(atStart bool, refs refMaker) *grouper {
	return &grouper{known: atStart, refs: refs, tools: map[string]*shared.Tool{}}
}

func (g *grouper) cur() *group {
	if len(g.groups) == 0 {
		return nil
	}
	return g.groups[len(g.groups)-1]
}

// start opens a new message at p.
func (g *grouper) start(p *parsed, role string) *group {
	gr := &group{off: p.off, msg: shared.Message{Role: role, Blocks: []shared.Block{}}}
	if p.l != nil {
		gr.msg.Time = millis(p.l.Timestamp)
		gr.side = p.l.IsSidechain
	}
	g.groups = append(g.groups, gr)
	// A result joins its call in the message its record joins, never
	// one further up: a page holds its messages whole but not those
	// above them, and a page that follows the end is sent only its last
	// message again. A result joined to a call further up showed with it
	// on a page that held both, in the message before it on a page that
	// did not, and on none when the page read the call's line without
	// showing its message. Now a call whose result comes after its
	// message shows without one, and the result stands on its own where
	// it was written: the same on every page, live, and in find.
	clear(g.tools)
	if !g.known {
		g.unsure = len(g.groups)
	}
	return gr
}

// join returns the current message for a line that continues it, or a
// new one when there is none yet.
func (g *grouper) join(p *parsed, role string) *group {
	if c := g.cur(); c != nil {
		return c
	}
	return g.start(p, role)
}

// add places one line.
func (g *grouper) add(p *parsed) {
	if p.l == nil {
		if p.tooBig {
			g.omitted(p)
		}
		return
	}
	l := p.l
	switch l.Type {
	case "assistant":
		if l.IsAPIError {
			// Claude Code's own record of a failed call, not a response:
			// a notice of its own, as a system api_error record is.
			// Its id as a response's: the session went on past a call
			// before it, here as where over.go walks below a page.
			g.known = true
			gr := g.start(p, "system")
			gr.msg.ID, gr.assist = l.UUID, cmp.Or(l.Message.ID, l.UUID)
			g.lastSeen = gr.assist
			g.apiError(gr, p)
			return
		}
		c := g.cur()
		id := l.Message.ID
		switch {
		case c != nil && c.assist != "" && c.assist == id:
		case !g.known && g.lastSeen == "":
			// Whether it continues a response begun before the read is
			// unknown; the next response it is not part of is known.
			g.lastSeen = id
			c = g.start(p, "assistant")
		default:
			g.known = true
			c = g.start(p, "assistant")
		}
		if id == "" {
			id = l.UUID
		}
		c.assist, c.msg.ID, g.lastSeen = id, id, id
		if l.Message.Model != "" && l.Message.Model != "<synthetic>" {
			c.msg.Model = l.Message.Model
		}
		g.assistant(c, p)
	case "user":
		k := kindOf(l, p.cs)
		if k == userOutput && (!g.known || g.cur() != nil && g.cur().command) {
			// A command's output joins it; read from mid-file, whether
			// its command came just before is unknown.
			g.results(g.join(p, "system"), p, k)
			return
		}
		switch k {
		case userResults, userHidden:
			g.results(g.join(p, "user"), p, k)
			return
		}
		g.known = true
		role := "system"
		if k == userPrompt {
			role = "user"
		}
		gr := g.start(p, role)
		gr.msg.ID = l.UUID
		gr.command = k == userCommand || k == userShell
		gr.prompt = k.typed()
		g.results(gr, p, k)
	case "system":
		g.known = true
		gr := g.start(p, "system")
		gr.msg.ID = l.UUID
		g.system(gr, p)
	case "attachment":
		text, ok := queuedPrompt(l)
		var role string
		switch _, notice := usertext.TaskID([]byte(text)); {
		case !ok:
			return
		case notice:
			// A background task's report that came while the session
			// worked: a notice between the calls it came between.
			role, text = "system", noticeLine(text)
		case typedWhileWorking(l, text):
			// A prompt typed while the session worked: a row of the
			// user's, but not one the session went on past a call at
			// (over.go): the turn it was typed in goes on.
			role = "user"
		default:
			return
		}
		g.known = true
		gr := g.start(p, role)
		gr.msg.ID = l.UUID
		gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockText, text, p.off))
	}
}

// queuedCommand is the type of the attachment that Claude Code records a
// prompt typed while the session worked as, instead of a user record.
const queuedCommand = "queued_command"

// queuedPrompt is the prompt of l, an attachment, when it is a
// queued_command's, a string: a prompt typed while the session worked, a
// background task's report, a command.
func queuedPrompt(l *line) (string, bool) {
	a := &l.Attachment
	var s string
	if a.Type != queuedCommand || len(a.Prompt) == 0 || a.Prompt[0] != '"' || json.Unmarshal(a.Prompt, &s) != nil {
		return "", false
	}
	return s, true
}

// typedWhileWorking reports whether text, the prompt of l, a
// queued_command attachment, is one the user typed while the session
// worked (usertext.QueuedByUser), as the list counts it (server/claude):
// a prompt by its text.
func typedWhileWorking(l *line, text string) bool {
	a := &l.Attachment
	var mode, origin *string
	var o struct {
		Kind *string `json:"kind"`
	}
	_ = json.Unmarshal(a.CommandMode, &mode)
	if len(a.Origin) > 0 && a.Origin[0] == '{' && json.Unmarshal(a.Origin, &o) == nil {
		origin = o.Kind
	}
	return usertext.QueuedByUser(bytesOf(mode), bytesOf(origin)) && usertext.Of([]byte(text)) == usertext.Prompt
}

// bytesOf is *s as bytes, nil when s is.
func bytesOf(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

// omitted places a record too large to read: what it holds is unknown,
// its type is not. An assistant record joins the response before it, as
// Claude Code writes one response as several lines; after anything else
// it starts a response of its own. Any other record is a row of its own
// with its role: a user record may be a prompt or tool results, and a
// row of its own is right for either, where joining the message before
// showed a prompt as part of the answer above it.
func (g *grouper) omitted(p *parsed) {
	var gr *group
	switch c := g.cur(); {
	case p.typ == "assistant" && c != nil && c.assist != "":
		gr = c
	case p.typ == "assistant":
		// Read from mid-file with nothing before it, whether it
		// continues a response begun before the read is unknown: start
		// leaves the grouper unsure, as for a response's first line.
		gr = g.start(p, "assistant")
	default:
		role := "system"
		if p.typ == "user" {
			role = "user"
		}
		g.known = true // it starts a message whatever precedes it
		gr = g.start(p, role)
	}
	gr.msg.Blocks = append(gr.msg.Blocks, shared.Block{Type: shared.BlockOmitted, Bytes: p.size})
}

// text makes a text-like block from a decoded string, cut or not.
func (g *grouper) text(typ string, s string, lineOff int64) shared.Block {
	b := shared.Block{Type: typ}
	b.Text, b.Cut = g.cutOf(s, lineOff, 0)
	return b
}

// outputs adds the blocks of a command's output, s: each text inside its
// tag. A cut one's ref loads the text inside the same tag, so that the
// whole reads as the cut one did; a ref to the string loaded it raw,
// tags and all, the stderr run into the stdout.
//
// The page keeps a string's first maxString bytes: a stdout longer than
// that left its stderr out of s, and the error output of a command that
// printed a lot, what a person looks for, never showed. A stderr whose
// tag s does not reach is read from the file (tagReader), in bounded
// memory, and cut as any long text is.
func (g *grouper) outputs(gr *group, s string, lineOff int64) {
	kept, at, _, wasCut := uncut(s)
	found := outputs(s)
	for i := range outputTags {
		var b shared.Block
		switch {
		case len(found) > 0 && found[0].tag == i:
			b.Text, b.Cut = g.cutOf(found[0].text, lineOff, uint8(i+1))
			found = found[1:]
		case wasCut && g.tags != nil && i%2 == 1 && strings.Contains(kept, "<"+outputTags[i-1]+">") &&
			!strings.Contains(kept, "<"+outputTags[i]+">"):
			// A stderr (odd: each stdout's tag is followed by its
			// stderr's in outputTags) after a stdout the cut fell in.
			b.Text, b.Cut = g.tags(lineOff+at, uint8(i+1))
		}
		if b.Text != "" || b.Cut != nil {
			b.Type = shared.BlockOutput
			gr.msg.Blocks = append(gr.msg.Blocks, b)
		}
	}
}

func (g *grouper) cutOf(s string, lineOff int64, tag uint8) (string, *shared.Cut) {
	t, at, size, wasCut := uncut(s)
	if !wasCut {
		return s, nil
	}
	return t, &shared.Cut{Bytes: size, Ref: g.refs(lineOff+at, tag)}
}

func (g *grouper) assistant(gr *group, p *parsed) {
	for _, c := range p.cs {
		switch c.Type {
		case "text":
			gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockText, c.Text, p.off))
		case "thinking":
			gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockThinking, c.Thinking, p.off))
		case "redacted_thinking":
			// Its data is encrypted: a thinking block without text, as
			// the API's omitted thinking is (its text empty, only its
			// signature), which the page says is not in the transcript.
			gr.msg.Blocks = append(gr.msg.Blocks, shared.Block{Type: shared.BlockThinking})
		case "tool_use", "server_tool_use":
			t := g.toolUse(c, p.off)
			if c.ID != "" {
				g.tools[c.ID] = t
			}
			gr.msg.Blocks = append(gr.msg.Blocks, shared.Block{Type: shared.BlockTool, Tool: t})
		case "image":
			gr.msg.Blocks = append(gr.msg.Blocks, g.image(c))
		default:
			if strings.HasSuffix(c.Type, "_tool_result") && c.ToolUseID != "" {
				g.serverResult(gr, c, p.off)
			}
		}
	}
}

// serverResult joins the result of a server tool (web_search_tool_result,
// web_fetch_tool_result…), which the API writes in the assistant's own
// content right after its server_tool_use, to its call. Left out, the
// call had no result, and once the session went on it showed as one
// whose process was stopped: an error where the search had answered.
// Its content is a list of results (a search's: titles and URLs), one
// result object, or an error object ({"type": "…_error", "error_code"}).
func (g *grouper) serverResult(gr *group, c content, lineOff int64) {
	r := &shared.ToolResult{}
	var lines []string
	keep := func(s string) string {
		t, cut := g.cutOf(s, lineOff, 0)
		if cut != nil && r.Cut == nil {
			r.Cut = cut
		}
		return t
	}
	one := func(raw json.RawMessage) {
		var v struct {
			Type      string          `json:"type"`
			Title     string          `json:"title"`
			URL       string          `json:"url"`
			Text      string          `json:"text"`
			ErrorCode string          `json:"error_code"`
			Content   json.RawMessage `json:"content"`
		}
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		switch {
		case v.ErrorCode != "" || strings.HasSuffix(v.Type, "_error"):
			r.IsError = true
			lines = append(lines, "Error: "+keep(cmp.Or(v.ErrorCode, v.Type)))
		case v.Title != "" || v.URL != "":
			lines = append(lines, strings.TrimSpace(keep(v.Title)+" "+keep(v.URL)))
		case v.Text != "":
			lines = append(lines, keep(v.Text))
		}
	}
	switch raw := bytes.TrimSpace(c.Content); {
	case len(raw) > 0 && raw[0] == '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) == nil {
			for _, it := range items {
				one(it)
			}
		}
	case len(raw) > 0 && raw[0] == '{':
		one(raw)
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			lines = append(lines, keep(s))
		}
	}
	r.Text = strings.Join(lines, "\n")
	t := g.tools[c.ToolUseID]
	if t == nil {
		t = &shared.Tool{ID: c.ToolUseID}
		gr.msg.Blocks = append(gr.msg.Blocks, shared.Block{Type: shared.BlockTool, Tool: t})
	}
	t.Result = r
}

// results places a user record's blocks: prompt text, images, command
// separators, and tool results joined to their calls.
func (g *grouper) results(gr *group, p *parsed, k userKind) {
	if k == userHidden {
		return
	}
	var agentID string
	if len(p.l.ToolUseResult) > 0 && p.l.ToolUseResult[0] == '{' {
		var r struct {
			AgentID string `json:"agentId"`
		}
		if json.Unmarshal(p.l.ToolUseResult, &r) == nil && ValidAgentID(r.AgentID) {
			agentID = r.AgentID
		}
	}
	for _, c := range p.cs {
		switch c.Type {
		case "tool_result":
			g.result(gr, c, p.off, agentID)
		case "image":
			gr.msg.Blocks = append(gr.msg.Blocks, g.image(c))
		case "text":
			switch k {
			case userCommand:
				// Through g.text, as bash input is: a long argument
				// (a pasted log) is cut, and showed the cut marker raw.
				gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockCommand, commandLine(c.Text), p.off))
			case userShell:
				// As Claude Code shows it: "!git status". Through
				// g.text, as the input may be long enough to be cut.
				gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockCommand, shellLine(c.Text), p.off))
			case userInterrupt:
				gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockCommand, interruptLine(c.Text), p.off))
			case userOutput:
				g.outputs(gr, c.Text, p.off)
			case userResults:
				// A reminder the CLI added to the results: not shown.
			case userCompact:
				gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockCompaction, c.Text, p.off))
			case userNotice:
				gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockText, noticeLine(c.Text), p.off))
			default:
				gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockText, c.Text, p.off))
			}
		}
	}
}

// agentInText finds a subagent id in a Task result's text, for versions
// that did not record it in toolUseResult.
var agentInText = regexp.MustCompile(`agentId: ([A-Za-z0-9_-]{1,64})`)

func (g *grouper) result(gr *group, c content, lineOff int64, agentID string) {
	r := &shared.ToolResult{IsError: c.IsError}
	var texts []string
	for _, b := range blocks(c.Content) {
		switch b.Type {
		case "text":
			t, cut := g.cutOf(b.Text, lineOff, 0)
			texts = append(texts, t)
			if cut != nil && r.Cut == nil {
				r.Cut = cut
			}
		case "image":
			r.Images++
		}
	}
	r.Text = strings.Join(texts, "\n")
	t := g.tools[c.ToolUseID]
	if t == nil {
		// Its call is in an earlier message (or was never written).
		t = &shared.Tool{ID: c.ToolUseID}
		gr.msg.Blocks = append(gr.msg.Blocks, shared.Block{Type: shared.BlockTool, Tool: t})
	}
	t.Result = r
	if agentID == "" && (t.Name == "Task" || t.Name == "Agent") {
		if m := agentInText.FindStringSubmatch(r.Text); m != nil {
			agentID = m[1]
		}
	}
	if agentID != "" {
		t.AgentID = agentID
	}
}

func (g *grouper) image(c content) shared.Block {
	_, _, size, wasCut := uncut(c.Source.Data)
	if !wasCut {
		size = int64(len(c.Source.Data))
	}
	return shared.Block{Type: shared.BlockImage, MediaType: c.Source.MediaType, Bytes: size * 3 / 4}
}

func (g *grouper) system(gr *group, p *parsed) {
	l := p.l
	switch l.Subtype {
	case "compact_boundary":
		gr.msg.Blocks = append(gr.msg.Blocks, shared.Block{Type: shared.BlockCompaction, Text: ""})
	case "local_command":
		var s string
		_ = json.Unmarshal(l.Content, &s)
		if strings.Contains(s, "<local-command-stdout>") {
			g.outputs(gr, s, p.off)
		} else {
			gr.command = true
			gr.msg.Blocks = append(gr.msg.Blocks, shared.Block{Type: shared.BlockCommand, Text: commandLine(s)})
		}
	case "api_error":
		gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockError, apiErrorText(l.Error), p.off))
	case "away_summary":
		// A recap, which Claude Code writes into a session left idle
		// and shows its user on return: its text, less the hint on
		// turning recaps off that ends it.
		var s string
		_ = json.Unmarshal(l.Content, &s)
		if s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), recapHint)); s != "" {
			gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockText, s, p.off))
		}
	case "informational":
		// A notice Claude Code shows its user: a usage limit and when
		// it resets, a safeguard that stopped a response, a hook's
		// message. At level "info" it is a hook's chatter (Stop …
		// completed successfully), kept out as Claude Code keeps it.
		var s string
		if l.Level != "info" && json.Unmarshal(l.Content, &s) == nil && strings.TrimSpace(s) != "" {
			gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockText, s, p.off))
		}
	}
}

// recapHint ends a recap's text.
const recapHint = "(disable recaps in /config)"

// apiError places an assistant record Claude Code wrote for a failed
// API call (isApiErrorMessage): its text, "API Error: 529 {…JSON…}", in
// words, the text as written behind them; a text not of that form as
// it is.
func (g *grouper) apiError(gr *group, p *parsed) {
	var texts []string
	for _, c := range p.cs {
		if c.Type == "text" {
			texts = append(texts, c.Text)
		}
	}
	raw := strings.Join(texts, "\n")
	if line, ok := shared.APIErrorLine(raw); ok {
		gr.msg.Blocks = append(gr.msg.Blocks, shared.Block{Type: shared.BlockError, Text: line, Detail: raw})
		return
	}
	if strings.TrimSpace(raw) == "" {
		raw = "API error"
	}
	gr.msg.Blocks = append(gr.msg.Blocks, g.text(shared.BlockError, raw, p.off))
}

// apiErrorText is what a retried API call's error says. Claude Code
// writes the SDK's error object: the API's own body sits two levels
// down ({"status":529,"error":{"type":"error","error":{"message":…}}}),
// a network failure has only a cause ({"cause":{"code":
// "FailedToOpenSocket"}}), some records have no error at all. Only the
// first two levels were read, and the others showed their raw JSON.
func apiErrorText(raw json.RawMessage) string {
	type msg struct {
		Message string `json:"message"`
		Code    string `json:"code"`
	}
	var e struct {
		msg
		Status int `json:"status"`
		Error  struct {
			msg
			Error msg `json:"error"`
		} `json:"error"`
		Cause msg `json:"cause"`
	}
	if len(raw) == 0 || string(raw) == "null" {
		return "API error"
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	if json.Unmarshal(raw, &e) != nil {
		return string(raw)
	}
	text := cmp.Or(e.Error.Error.Message, e.Error.Message, e.Message, e.Cause.Message, e.Cause.Code, e.Error.Code, e.Code)
	switch {
	case text != "" && e.Status != 0:
		return text + " (status " + strconv.Itoa(e.Status) + ")"
	case text != "":
		return text
	case e.Status != 0:
		return "API error (status " + strconv.Itoa(e.Status) + ")"
	}
	return string(raw)
}
