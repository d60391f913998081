package transcript

import (
	"encoding/json"
	"strings"
	"time"
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
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		return []content{{Type: "text", Text: s}}
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
	userPrompt  userKind = iota // a prompt: starts a message
	userResults                 // tool results only: joins the current message
	userHidden                  // meta text, caveats: shown nowhere
	userCommand                 // a /command: a separator
	userOutput                  // a local command's output
	userCompact                 // the summary a compaction left
)

// kindOf classifies a user record by its flags and content.
func kindOf(l *line, cs []content) userKind {
	if l.IsCompactSummary {
		return userCompact
	}
	if l.IsMeta {
		return userHidden
	}
	results, texts := 0, 0
	for _, c := range cs {
		switch c.Type {
		case "tool_result":
			results++
		case "text":
			texts++
			t := strings.TrimSpace(c.Text)
			switch {
			case strings.HasPrefix(t, "<command-name>") || strings.HasPrefix(t, "<command-message>"):
				return userCommand
			case strings.HasPrefix(t, "<local-command-stdout>") || strings.HasPrefix(t, "<local-command-stderr>"):
				return userOutput
			case strings.HasPrefix(t, "<local-command-caveat>"):
				return userHidden
			}
		default:
			texts++
		}
	}
	if results > 0 && texts == 0 {
		return userResults
	}
	if len(cs) == 0 {
		return userHidden
	}
	return userPrompt
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
