// Package hook is Helm's side of Claude Code's hooks: the payload a hook
// receives on stdin and what it says about a session (payload.go), the
// `helmd hook` command that forwards it to helmd (forward.go), and the
// settings.json entries that install it (settings.go).
package hook

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"

	"vibecraft.sh/helm/server/attn"
	"vibecraft.sh/helm/server/internal/calldigest"
	"vibecraft.sh/helm/server/internal/dialog"
	"vibecraft.sh/helm/shared"
)

// MaxPayload bounds a hook payload. Payloads carry a tool's input or the
// last assistant message, which can be large; what Helm needs is small.
const MaxPayload = 1 << 20

// Reasons to refuse a payload. Each is counted where payloads arrive.
var (
	ErrTooLarge  = errors.New("hook payload too large")
	ErrMalformed = errors.New("hook payload is not a JSON object")
	ErrBadID     = errors.New("hook payload has no valid session_id")
	ErrUnknown   = errors.New("hook event not handled")
)

// Signal is what one hook event says of its session.
type Signal struct {
	SessionID  string
	Event      string
	Status     shared.Status
	WaitingFor string
	Active     bool
	// Prompt names a PermissionRequest's dialog (promptID): "" for any
	// other event, or when the payload gave no tool input.
	Prompt string
	// Sent is when `helmd hook` ran, by its clock (epoch ms); 0 when the
	// payload did not say (Claude Code's own, an older `helmd hook`).
	// Use SentAt, which bounds it.
	Sent int64
	// Question is what a PermissionRequest's dialog that asks no
	// permission shows the user (dialog.Question): the question asked, the
	// plan's first line. "" for any other event or tool, or when the
	// payload gave neither the tool's input nor the line.
	Question string
}

// maxLate bounds how long before its arrival a hook may say it ran: a
// hook gives up after Timeout, so one dated earlier than this says more
// of a clock that differs from helmd's than of its delay.
const maxLate = time.Minute

// SentAt is when the hook ran, for a hint that arrives at now: its Sent,
// kept within [now-maxLate, now] (a payload is untrusted, and a hint
// from the future would outlast every record); zero when none was sent.
func (s Signal) SentAt(now time.Time) time.Time {
	if s.Sent <= 0 {
		return time.Time{}
	}
	at := time.UnixMilli(s.Sent)
	switch {
	case at.After(now):
		return now
	case at.Before(now.Add(-maxLate)):
		return now.Add(-maxLate)
	}
	return at
}

// payload is the part of a hook's stdin Helm reads. Every event carries
// session_id and hook_event_name; the rest depends on the event.
type payload struct {
	SessionID        string `json:"session_id"`
	Event            string `json:"hook_event_name"`
	NotificationType string `json:"notification_type,omitempty"` // Notification: the matcher's value
	Message          string `json:"message,omitempty"`           // Notification
	ToolName         string `json:"tool_name,omitempty"`         // PermissionRequest
	// ToolInput is PermissionRequest's, as Claude Code sent it; Reduce
	// forwards only its digest, as Prompt (promptID).
	ToolInput json.RawMessage `json:"tool_input,omitempty"`
	Prompt    string          `json:"dialog,omitempty"` // Helm's own: the digest Reduce forwards
	// Question is Helm's own too: the line Reduce forwards of a question's
	// or a plan's input (dialog.Question), in place of the input.
	Question string `json:"helm_question,omitempty"`
	// Sent is Helm's own too: when `helmd hook` ran (epoch ms), which
	// Reduce adds. A hook's POST can reach helmd after later hooks of the
	// session (attn.Hint.Sent); this dates the event itself.
	Sent json.Number `json:"helm_sent_ms,omitempty"`
	// BackgroundTasks is Stop's (Claude Code 2.1.2xx): the tasks still
	// running as the turn ended. Raw: an entry of a shape Helm does not
	// know must not make the Stop itself unreadable.
	BackgroundTasks json.RawMessage `json:"background_tasks,omitempty"`
}

// agentAtWork reports whether p, a Stop, ended its turn while an agent
// it started in the background works on: the model waits for the agent's
// report and answers it by itself, so the session is not waiting for its
// user. A shell or monitor left running (a dev server, say) asks nothing
// of the model: such a Stop waits, as Claude Code's registry tells it
// ("shell", in place of "idle").
func (p *payload) agentAtWork() bool {
	var tasks []struct {
		Type   string `json:"type"`
		Status string `json:"status"`
	}
	if len(p.BackgroundTasks) == 0 || json.Unmarshal(p.BackgroundTasks, &tasks) != nil {
		return false
	}
	for _, t := range tasks {
		switch {
		case t.Status != "running" && t.Status != "pending":
		case t.Type == "subagent", t.Type == "agent", t.Type == "local_agent":
			return true
		}
	}
	return false
}

// agentTasks is what Reduce forwards of a Stop's background tasks: one
// running agent when there is one, for agentAtWork, and nothing of the
// commands and descriptions the payload carries.
var agentTasks = json.RawMessage(`[{"type":"subagent","status":"running"}]`)

// promptID names the permission dialog p asks about: the digest of its
// tool's name and input (calldigest.Of), which helmd computes of the
// transcript's tool_use it asks for (claude Source.Asks), or the digest
// Reduce forwarded in their place. Two PermissionRequests of one
// assistant message (parallel tool calls) have inputs of their own; one
// dialog told twice (Helm's hook installed twice) has the same. "" when
// p gives neither, or a digest of another form (an older `helmd hook`'s,
// which no transcript call matches).
func (p *payload) promptID() string {
	if len(p.ToolInput) > 0 {
		sum, ok := calldigest.Of(p.ToolName, p.ToolInput)
		if !ok {
			return ""
		}
		return sum.String()
	}
	sum, ok := calldigest.Parse(p.Prompt)
	if !ok {
		return ""
	}
	return sum.String()
}

// question is the line a PermissionRequest's dialog that asks no
// permission shows (dialog.Question), of its tool's input, or the line
// Reduce forwarded in its place: made safe again, as any payload is
// untrusted. "" for a tool whose dialog asks a permission.
func (p *payload) question() string {
	tool := cleanText(p.ToolName, maxTool)
	if shared.DialogReason(tool) == "" {
		return ""
	}
	if len(p.ToolInput) > 0 {
		return dialog.Question(tool, p.ToolInput)
	}
	return shared.QuestionText(p.Question)
}

// maxMessage bounds the notification message Reduce keeps.
const maxMessage = 1024

// Reduce keeps of a hook payload only the fields Parse reads, so that
// what `helmd hook` sends helmd is small (payloads carry whole tool
// inputs and assistant messages, which helmd does not need and should
// not be handed) and never over the server's body limit, and adds sent,
// when the hook ran (zero: none).
func Reduce(data []byte, sent time.Time) ([]byte, error) {
	if len(data) > MaxPayload {
		return nil, ErrTooLarge
	}
	var p payload
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, ErrMalformed
	}
	if !attn.ValidID(p.SessionID) {
		return nil, ErrBadID
	}
	// The digest first, of the tool's name as sent: Parse of the payload
	// itself computes the same.
	prompt, question := "", ""
	if p.Event == "PermissionRequest" {
		prompt, question = p.promptID(), p.question()
	}
	p.Prompt, p.Question, p.ToolInput, p.Sent = prompt, question, nil, ""
	if p.Event == "Stop" && p.agentAtWork() {
		p.BackgroundTasks = agentTasks
	} else {
		p.BackgroundTasks = nil
	}
	if !sent.IsZero() {
		p.Sent = json.Number(strconv.FormatInt(sent.UnixMilli(), 10))
	}
	p.Event = cleanText(p.Event, maxTool)
	p.NotificationType = cleanText(p.NotificationType, maxTool)
	p.ToolName = cleanText(p.ToolName, 4*maxTool)
	p.Message = cleanText(p.Message, maxMessage)
	return json.Marshal(p)
}

// Parse reads a hook payload and maps its event to a status and reason:
//
//	Notification permission_prompt  waiting "permission prompt"
//	Notification idle_prompt        waiting "input needed"
//	Notification elicitation_dialog waiting "dialog open"
//	PermissionRequest               waiting "permission: <tool>"
//	  of AskUserQuestion            waiting "question", with its question
//	  of ExitPlanMode               waiting "plan to approve", with its plan's first line
//	Stop                            waiting "input needed"
//	  with an agent at work in the  working (the model waits for its
//	  background                    report, not for its user)
//	SubagentStop, UserPromptSubmit  working (the main agent goes on)
//	SessionStart                    idle, its process running
//	SessionEnd                      idle, no process
//
// The reasons match those of Claude Code's own process registry. Any
// other event or notification (auth_success, say) is ErrUnknown.
func Parse(data []byte) (Signal, error) {
	if len(data) > MaxPayload {
		return Signal{}, ErrTooLarge
	}
	var p payload
	if err := json.Unmarshal(data, &p); err != nil {
		return Signal{}, ErrMalformed
	}
	if !attn.ValidID(p.SessionID) {
		return Signal{}, ErrBadID
	}
	sig := Signal{SessionID: p.SessionID, Event: p.Event, Active: true}
	if n, err := p.Sent.Int64(); err == nil {
		sig.Sent = n // not a whole number: as if none was sent
	}
	switch p.Event {
	case "Notification":
		reason := notificationReason(p.NotificationType, p.Message)
		if reason == "" {
			return Signal{}, ErrUnknown
		}
		sig.Status, sig.WaitingFor = shared.StatusWaiting, reason
	case "PermissionRequest":
		sig.Status, sig.WaitingFor = shared.StatusWaiting, "permission prompt"
		sig.Prompt = p.promptID()
		tool := cleanText(p.ToolName, maxTool)
		switch {
		case shared.DialogReason(tool) != "":
			sig.WaitingFor, sig.Question = shared.DialogReason(tool), p.question()
		case tool != "":
			sig.WaitingFor = "permission: " + tool
		}
	case "Stop":
		sig.Status, sig.WaitingFor = shared.StatusWaiting, "input needed"
		if p.agentAtWork() {
			sig.Status, sig.WaitingFor = shared.StatusWorking, ""
		}
	case "SubagentStop", "UserPromptSubmit":
		sig.Status = shared.StatusWorking
	case "SessionStart":
		sig.Status = shared.StatusIdle
	case "SessionEnd":
		sig.Status, sig.Active = shared.StatusIdle, false
	default:
		return Signal{}, ErrUnknown
	}
	return sig, nil
}

// notificationReason maps a Notification to a reason, "" when it is not
// one that waits for the user. Payloads without notification_type (older
// versions) are recognised by their message.
func notificationReason(typ, msg string) string {
	switch typ {
	case "permission_prompt":
		return "permission prompt"
	case "idle_prompt":
		return "input needed"
	case "elicitation_dialog":
		return "dialog open"
	case "":
		m := strings.ToLower(msg)
		switch {
		case strings.Contains(m, "permission"):
			return "permission prompt"
		case strings.Contains(m, "waiting for your input"):
			return "input needed"
		}
	}
	return ""
}

// maxTool bounds a tool's name in a reason: MCP tools have long names
// (mcp__server__tool), and the reason is a label.
const maxTool = 64

// cleanText keeps the printable runes of s, at most max: a reason is
// shown as text, and a payload is untrusted.
func cleanText(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			break
		}
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) {
			continue
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}
