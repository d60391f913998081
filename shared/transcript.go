package shared

import "encoding/json"

// The session page's wire types: GET /api/sessions/<source>/<id> answers a
// SessionDetail, GET …/messages a MessagePage. Every string in them is
// transcript text, written by an assistant, a tool or a web page it
// fetched: the client shows it as text, never as markup.

// SessionDetail is a Session plus what the page header needs.
type SessionDetail struct {
	Session
	// Transcripts are the files the session is read from, main first
	// (OpenCode: the database file).
	Transcripts []string `json:"transcripts"`
	// Models are every model the session used, sorted.
	Models []string `json:"models"`
	// ResumeCommand reopens the session in its assistant, from its project.
	ResumeCommand string `json:"resumeCommand"`
	// Subagents are the subagent transcripts of a Claude session (open one
	// with …/messages?agent=<agentId>), or an OpenCode session's children
	// (open one as a session of its own).
	Subagents []Subagent `json:"subagents"`
	// DurationMs is UpdatedAt - CreatedAt: from the first record to the last.
	DurationMs int64 `json:"durationMs"`
	// Question is the first line of the last assistant message when the
	// session waits for its user: what it asked.
	Question string `json:"question,omitempty"`
	// Agent is the subagent a request with ?agent= is about (Claude
	// Code): what its own transcript and meta file say. Everything else
	// here is its parent session's: the status, the question, the resume
	// command and the counts are the parent's.
	Agent *AgentDetail `json:"agent,omitempty"`
	// Unlisted says the list leaves the session out for now: a Claude
	// transcript just created, or rewritten in place, holding no complete
	// line yet. The session is only its id and source here (no title,
	// status or figures: keep those shown, if any); the files are known.
	// The page stream's session event says when the list has it again.
	Unlisted bool `json:"unlisted,omitempty"`
}

// AgentDetail is a subagent's own facts, for its page's header.
type AgentDetail struct {
	ID string `json:"id"`
	// Type and Description are from agent-<id>.meta.json beside its
	// transcript ("Explore", "Explore code"); "" when it has none.
	Type        string `json:"type,omitempty"`
	Description string `json:"description,omitempty"`
	// FirstPrompt is the task it was given.
	FirstPrompt string `json:"firstPrompt,omitempty"`
	Path        string `json:"path"`
	// Models, Tokens and CostUSD are of its own responses (the parent's
	// figures include them).
	Models  []string `json:"models"`
	Tokens  Tokens   `json:"tokens"`
	CostUSD float64  `json:"costUSD"`
	// Unpriced says some of its tokens are of a model helmd has no price
	// for, as Session.Unpriced: CostUSD leaves them out, and "$0" is not
	// free (CostOrUnpricedText).
	Unpriced bool `json:"unpriced,omitempty"`
	// CreatedAt and UpdatedAt are its first and latest records (epoch
	// ms; 0 when none is dated).
	CreatedAt int64 `json:"createdAt"`
	UpdatedAt int64 `json:"updatedAt"`
}

// Subagent is one subagent transcript or child session.
type Subagent struct {
	ID   string `json:"id"`
	Path string `json:"path,omitempty"`
}

// MessagePage is a run of messages in transcript order (newest last).
type MessagePage struct {
	Messages []Message `json:"messages"`
	// Before fetches the page of older messages; "" at the start.
	Before string `json:"before"`
	// After fetches what was written after this page, starting with this
	// page's last message again (it may have grown: same cursor, replace
	// it); "" for an empty transcript means "from the start".
	After string `json:"after"`
	// More, on a page asked for with after=, says that the limit stopped
	// it: ask again with the new After.
	More bool `json:"more,omitempty"`
	// Again, on a page stream's event, says that its messages were all
	// sent before and changed since (a call above the last message sent
	// ended): replace those held, add none.
	Again bool `json:"again,omitempty"`
}

// Message is one user prompt, one assistant response (however many lines
// it was written as, with the results of its tool calls), or a separator.
type Message struct {
	// Cursor names this message: unique within a transcript, the key to
	// replace a message that grew, and the `before` of the page above it.
	Cursor string `json:"cursor"`
	// ID is the message's own id (Claude message.id or uuid, OpenCode msg_…).
	ID     string  `json:"id,omitempty"`
	Role   string  `json:"role"` // "user", "assistant" or "system"
	Time   int64   `json:"time,omitempty"`
	Model  string  `json:"model,omitempty"`
	Blocks []Block `json:"blocks"`
}

// ShowsRunning reports whether m shows a call running: one without its
// result, not answered further down. Such a call can end without m
// growing at the end of the page (its process killed, the session gone
// on: helmd then gives it an error result), so a page reads m again.
func (m *Message) ShowsRunning() bool {
	for _, b := range m.Blocks {
		if b.Tool != nil && b.Tool.Name != "" && b.Tool.Result == nil && !b.Tool.Later {
			return true
		}
	}
	return false
}

// Block types.
const (
	BlockText       = "text"       // Text: a prompt or assistant Markdown, shown as text
	BlockThinking   = "thinking"   // Text: collapsed by default
	BlockTool       = "tool"       // Tool: one call, joined to its result
	BlockImage      = "image"      // MediaType, Bytes: a placeholder, never the data
	BlockFile       = "file"       // Text (its name), MediaType, Bytes: an attachment, never its data
	BlockCompaction = "compaction" // Text (the summary, may be ""): a quiet separator
	BlockCommand    = "command"    // Text: "/name args", a quiet separator
	BlockOutput     = "output"     // Text: a local command's output
	BlockError      = "error"      // Text: an API error or failed step; Detail: the error as written, if Text says it otherwise
	BlockOmitted    = "omitted"    // Bytes: a record too large to read here
)

// Block is one piece of a message.
type Block struct {
	Type      string `json:"type"`
	Text      string `json:"text,omitempty"`
	Tool      *Tool  `json:"tool,omitempty"`
	MediaType string `json:"mediaType,omitempty"`
	Bytes     int64  `json:"bytes,omitempty"`
	Cut       *Cut   `json:"cut,omitempty"`
	// Detail is, for an error, the text it was written as, when Text
	// says it in words: shown on demand, not as the main line.
	Detail string `json:"detail,omitempty"`
}

// Tool is a tool call: the line the page shows is Name and Summary.
type Tool struct {
	ID      string          `json:"id,omitempty"`
	Name    string          `json:"name"`
	Summary string          `json:"summary,omitempty"` // the main argument: a path, command, pattern, URL…
	Input   json.RawMessage `json:"input,omitempty"`
	// InputCut is set when a string inside Input was cut.
	InputCut *Cut `json:"inputCut,omitempty"`
	// Result is nil while the call runs (or its result is not written yet).
	// A call that will never have one (its process killed, its answer
	// crashed) once the session went on past it has an error result
	// saying so, written by helmd, not the assistant.
	Result *ToolResult `json:"result,omitempty"`
	// Later says that a call without Result here has one, written further
	// down the transcript after other messages, where it stands on its
	// own: the call is done, not running, on a page that ends before it.
	Later bool `json:"later,omitempty"`
	// AgentID opens the subagent this call ran: a Claude Task call's
	// agent (…/messages?agent=), or the child session an OpenCode task
	// call ran in (a session of its own).
	AgentID string `json:"agentId,omitempty"`
}

// ToolResult is what a tool call returned.
type ToolResult struct {
	Text    string `json:"text"`
	IsError bool   `json:"isError,omitempty"`
	Images  int    `json:"images,omitempty"` // image results, not sent
	Cut     *Cut   `json:"cut,omitempty"`
}

// Cut marks a text that was cut to keep pages small: Bytes is its full
// size as stored, and GET …/full?ref=<Ref> streams it whole as text.
type Cut struct {
	Bytes int64  `json:"bytes"`
	Ref   string `json:"ref,omitempty"`
}
