package transcript

import (
	"encoding/json"
	"strings"
	"time"
	"unsafe"

	"vibecraft.sh/helm/server/internal/jsonstr"
	"vibecraft.sh/helm/server/internal/usertext"
)

// line is the part of a Claude Code record the page shows, decoded from
// its cut copy (cut.go): every string in it is at most maxString long
// plus a cut marker.
type line struct {
	Type             string          `json:"type"`
	Subtype          string          `json:"subtype"`
	UUID             string          `json:"uuid"`
	Timestamp        string          `json:"timestamp"`
	IsMeta           bool            `json:"isMeta"`
	IsCompactSummary bool            `json:"isCompactSummary"`
	IsSidechain      bool            `json:"isSidechain"`
	IsAPIError       bool            `json:"isApiErrorMessage"`
	Content          json.RawMessage `json:"content"` // system records
	Level            string          `json:"level"`
	Error            json.RawMessage `json:"error"`
	Message          struct {
		ID      string          `json:"id"`
		Model   string          `json:"model"`
		Content json.RawMessage `json:"content"` // a string or blocks
	} `json:"message"`
	ToolUseResult json.RawMessage `json:"toolUseResult"`
	CompactMeta   struct {
		Trigger   string `json:"trigger"`
		PreTokens int64  `json:"preTokens"`
	} `json:"compactMetadata"`
	Attachment struct {
		Type        string          `json:"type"`
		Prompt      json.RawMessage `json:"prompt"` // a queued_command's: a string
		CommandMode json.RawMessage `json:"commandMode"`
		Origin      json.RawMessage `json:"origin"`
	} `json:"attachment"`
}

// content is one block of a message's content.
type content struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	Thinking  string          `json:"thinking"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"` // tool_result: a string or blocks
	IsError   bool            `json:"is_error"`
	Source    struct {
		MediaType string `json:"media_type"`
		Data      string `json:"data"`
	} `json:"source"`
}

// blocks decodes a content field: a plain string is one text block.
func blocks(raw json.RawMessage) []content {
	if len(raw) == 0 {
		return nil
	}
	if raw[0] == '"' && len(raw) >= 2 && raw[len(raw)-1] == '"' {
		// Every caller's raw is a value of a line json.Unmarshal read,
		// so valid: decoded without Unmarshal's check of it again (half
		// of a find's time in a transcript of long prompts).
		text := jsonstr.Unescape(make([]byte, 0, len(raw)-2), raw[1:len(raw)-1])
		// text is this string's own, never written again: no second copy.
		return []content{{Type: "text", Text: unsafe.String(unsafe.SliceData(text), len(text))}}
	}
	if out, ok := fastBlocks(raw); ok {
		return out
	}
	var out []content
	if json.Unmarshal(raw, &out) != nil {
		return nil
	}
	return out
}

// millis parses an ISO timestamp to epoch ms; 0 when there is none.
func millis(ts string) int64 {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return 0
	}
	return t.UnixMilli()
}

// userKind is what a user record is on the page.
type userKind uint8

const (
	userPrompt    userKind = iota // a prompt: starts a message
	userResults                   // tool results (and no prompt): joins the current message
	userHidden                    // meta text, caveats, reminders: shown nowhere
	userCommand                   // a /command: a separator
	userShell                     // bash mode's "!command": a separator
	userOutput                    // a local command's or bash mode's output
	userCompact                   // the summary a compaction left
	userInterrupt                 // "[Request interrupted by user…]": a separator
	userNotice                    // a background task's report: a notice (noticeLine)
)

// typed reports whether the user typed what a record of kind k holds
// (a prompt, a slash command, bash mode's input) or pressed Esc: the
// session went on past any call still without a result (over.go), as
// the list ends its pending calls (server/claude, aggregate.user).
func (k userKind) typed() bool {
	return k == userPrompt || k == userCommand || k == userShell || k == userInterrupt
}

// kindOf classifies a user record by its flags and content. Its text is
// classified by the rule the session list counts prompts by
// (usertext.Of, server/claude): the first text block decides, unless it
// is only IDE context. Each had its own rule, and the page showed rows
// as "You" (bash mode, reminders, interrupts) that the list did not
// count: the header's count did not match the rows below it.
func kindOf(l *line, cs []content) userKind {
	if l.IsCompactSummary {
		return userCompact
	}
	if len(cs) == 1 && cs[0].Type == "text" {
		// Before IsMeta: some builds mark a report so.
		if _, ok := usertext.TaskID([]byte(cs[0].Text)); ok {
			return userNotice
		}
	}
	if l.IsMeta {
		return userHidden
	}
	results, others := 0, 0
	text := usertext.Empty
	for _, c := range cs {
		switch c.Type {
		case "tool_result":
			results++
		case "text":
			if text == usertext.Empty {
				text = usertext.Of([]byte(c.Text))
			}
		default:
			others++
		}
	}
	switch text {
	case usertext.Command:
		return userCommand
	case usertext.Shell:
		return userShell
	case usertext.Output:
		return userOutput
	case usertext.Hidden:
		if results > 0 {
			// A reminder the CLI added to tool results: the
			// results are shown with their calls, the reminder not.
			return userResults
		}
		return userHidden
	case usertext.Interrupt:
		return userInterrupt
	case usertext.Prompt:
		return userPrompt
	}
	// No text, or only white space and IDE context.
	switch {
	case others > 0:
		return userPrompt // an image, a document: shown as the user's
	case results > 0:
		return userResults
	}
	return userHidden
}

// tagText is the text inside <tag>…</tag> in s, or "".
func tagText(s, tag string) string {
	_, after, ok := strings.Cut(s, "<"+tag+">")
	if !ok {
		return ""
	}
	in, _, _ := strings.Cut(after, "</"+tag+">")
	return strings.TrimSpace(in)
}

// noticeLine is the row a background task's report shows (a task
// notification: Claude Code hands it to the model, which answers it as
// a prompt): its summary ("Agent "scan the logs" completed",
// "Background command "npm test" completed (exit code 0)"), or, without
// one, its status. The report's result, the agent's whole answer, is
// its own transcript's, a link away from the call that started it. The
// words the page adds are the line's own ("task", of
// task-notification), so a find's prefilter, which looks for a term's
// words in the line, lets it through (findskip.go).
func noticeLine(s string) string {
	if summary := tagText(s, "summary"); summary != "" {
		return summary
	}
	if status := tagText(s, "status"); status != "" {
		return "Task " + status
	}
	return "Task notification"
}

// commandLine is "/name args" from a command record's tags.
func commandLine(s string) string {
	name := tagText(s, "command-name")
	if name == "" {
		name = tagText(s, "command-message")
	}
	if args := tagText(s, "command-args"); args != "" {
		return name + " " + args
	}
	return name
}

// shellLine is bash mode's "!command" from its input record's tags.
func shellLine(s string) string { return "!" + tagText(s, "bash-input") }

// outputTags are the tags a command's output record holds its texts in,
// in the order the page shows them. A ref to one of them (kindTag) names
// its place in this list: append, never reorder.
var outputTags = [...]string{"local-command-stdout", "local-command-stderr", "bash-stdout", "bash-stderr"}

// output is one text of a command's output record, and its tag's index
// in outputTags.
type output struct {
	text string
	tag  int
}

// outputs are the texts of a command's output record that are not
// empty: a slash command's, or bash mode's stdout and then its stderr,
// kept apart so that neither runs into the other.
func outputs(s string) []output {
	var out []output
	for i, tag := range outputTags {
		if t := tagText(s, tag); t != "" {
			out = append(out, output{t, i})
		}
	}
	return out
}

// interruptLine is what an interrupt record says, without its brackets:
// "Request interrupted by user (for tool use)".
func interruptLine(s string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]")
}
