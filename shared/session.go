// Package shared holds the types that the server and the WebAssembly client
// both speak: the session model and the stream events of DESIGN.md §2–§3.
//
// It has no OS, file or network code, so it compiles for GOOS=js GOARCH=wasm
// as well as for the server.
package shared

import (
	"net/url"
	"slices"
	"strings"
)

// Source names the assistant that wrote a session.
type Source string

const (
	SourceClaude   Source = "claude"
	SourceOpenCode Source = "opencode"
)

// Label is the human name of a source, as the list shows it.
func (s Source) Label() string {
	switch s {
	case SourceClaude:
		return "Claude Code"
	case SourceOpenCode:
		return "OpenCode"
	}
	return string(s)
}

// Status is what a session is doing now, as far as its files tell.
type Status string

const (
	// StatusWorking: the assistant is producing a response or running a tool.
	StatusWorking Status = "working"
	// StatusWaiting: the assistant finished its turn and waits for the user.
	StatusWaiting Status = "waiting"
	// StatusIdle: nothing happened recently.
	StatusIdle Status = "idle"
)

// Label is the human name of a status, as the badge shows it.
func (s Status) Label() string {
	switch s {
	case StatusWorking:
		return "working"
	case StatusWaiting:
		return "waiting for input"
	}
	return "idle"
}

// MaxTokenCount bounds each token count of one response, in every
// source. No request comes near it (a context window is at most a few
// million tokens); a corrupt or hostile record's 1e18 is cut to it, so
// that sums of counts, and of costs in int64 nano-dollars, cannot
// overflow for any transcript that fits on a disk (two OpenCode messages
// of 9e18 input tokens summed to a negative count).
const MaxTokenCount = 1 << 27

// TokenCount is f as one response's token count, by the rule every
// source reads counts by: a whole number from 0 to MaxTokenCount, in any
// JSON notation (12, 12.0, 1.2e1). Anything else is no count at all (0,
// false), never a guess: a fraction (12.7) or a negative is not a count
// of tokens, and a number past the bound is not one any request made;
// cut to the bound, each such line added $10,000 of Opus output to its
// session. The caller counts what it refused, where a user can see it.
func TokenCount(f float64) (int, bool) {
	if !(f >= 0 && f <= MaxTokenCount) || f != float64(int64(f)) { // also NaN
		return 0, false
	}
	return int(f), true
}

// Tokens are token totals, deduplicated per API response.
type Tokens struct {
	Input      int `json:"input"`
	Output     int `json:"output"`
	CacheRead  int `json:"cacheRead"`
	CacheWrite int `json:"cacheWrite"`
	// CacheWrite1h is the part of CacheWrite written to the 1-hour cache,
	// which costs 2x input where a 5-minute write costs 1.25x: it is why
	// two sessions with the same counts can cost differently.
	CacheWrite1h int `json:"cacheWrite1h"`
}

// Total is the sum of the four counters (CacheWrite1h is part of
// CacheWrite, not added again).
func (t Tokens) Total() int { return t.Input + t.Output + t.CacheRead + t.CacheWrite }

// Add returns the element-wise sum of t and o.
func (t Tokens) Add(o Tokens) Tokens {
	return Tokens{
		Input:        t.Input + o.Input,
		Output:       t.Output + o.Output,
		CacheRead:    t.CacheRead + o.CacheRead,
		CacheWrite:   t.CacheWrite + o.CacheWrite,
		CacheWrite1h: t.CacheWrite1h + o.CacheWrite1h,
	}
}

// Session is one assistant conversation, the unit the list shows.
// Times are epoch milliseconds, as the original Node version sent them.
type Session struct {
	ID           string  `json:"id"`
	Source       Source  `json:"source"`
	ProjectPath  string  `json:"projectPath"`
	ProjectName  string  `json:"projectName"`
	Title        string  `json:"title"`
	FirstPrompt  string  `json:"firstPrompt"`
	GitBranch    string  `json:"gitBranch"`
	Model        string  `json:"model"`
	MessageCount int     `json:"messageCount"`
	Tokens       Tokens  `json:"tokens"`
	CostUSD      float64 `json:"costUsd"`
	// Unpriced says some of the session's tokens are of a model helmd
	// has no price for (one newer than its table): CostUSD leaves them
	// out, so it is not what the session cost, and "$0" is not free
	// (CostOrUnpricedText). Claude Code sessions only: OpenCode prices its
	// own. omitempty keeps a priced session's JSON as it was; a change
	// back to false still travels (AppendChange sends differing fields).
	Unpriced bool   `json:"unpriced,omitempty"`
	Status   Status `json:"status"`
	// WaitingFor says why a waiting session waits ("permission prompt",
	// "input needed", "permission: Bash", …); "" when it does not wait.
	// Not omitempty: a change back to "" must travel in changes.
	WaitingFor string `json:"waitingFor"`
	// WaitingSince is when a waiting session started to wait (epoch ms):
	// its last record, the registry's status change or the hook that said
	// so; 0 when it does not wait. "Needs you" sorts and ages by it.
	// An offline machine's session (HostOffline) keeps the last one, so a
	// machine back with the same wait is not news.
	WaitingSince int64 `json:"waitingSince"`
	// ClearedAt is when the user cleared the session from "Needs you"
	// (epoch ms); 0 when not cleared, or when it changed since.
	ClearedAt int64 `json:"clearedAt"`
	Active    bool  `json:"active"`
	CreatedAt int64 `json:"createdAt"`
	UpdatedAt int64 `json:"updatedAt"`
	// WorkMs is how long the session spent working, in ms: the sum of
	// its turns as the assistant timed them (Claude Code's turn_duration
	// records, OpenCode's answers from created to completed), without
	// the idle time between them that UpdatedAt - CreatedAt counts. 0
	// when the transcript does not say (Claude Code before 2.1).
	WorkMs   int64  `json:"workMs,omitempty"`
	Version  string `json:"version"`
	ParentID string `json:"parentId,omitempty"`

	// Host names the machine the session runs on, in a fleet (see
	// --host-name); "" for this machine's own sessions when no fleet is
	// configured.
	Host string `json:"host,omitempty"`
	// Remote marks a session another machine's helmd published to the
	// fleet: its Key includes Host, since a session resumed on two
	// machines can carry the same id on both.
	Remote bool `json:"remote,omitempty"`
	// HostOffline marks a remote session whose machine stopped sending
	// heartbeats: its last known state, shown greyed. (A change back to
	// false still travels: changes send every differing field.)
	HostOffline bool `json:"hostOffline,omitempty"`
	// HostClockAheadMs is, for a remote session, how far the clock of
	// its machine runs ahead of the hub's (behind: negative), the clock
	// all its times are of; 0 within a few seconds. The hub says so
	// rather than moving the times (a wait's start is how pages and
	// notifications know a wait they already told): a page shows how
	// long ago something was with OnHubClock. An int32 (±24 days; a
	// clock further off is told as that far) beside HostOffline's byte:
	// the struct is no larger for it, which 100,000 sessions held in
	// several lists count.
	HostClockAheadMs int32 `json:"hostClockAheadMs,omitempty"`

	// Question is, for a waiting session only, the first line of the last
	// assistant message: what it asked. Not omitempty, so that a change
	// back to "" (the user answered) reaches the client.
	Question string `json:"question"`
}

// OnHubClock is t, one of s's times (epoch ms, its machine's clock), on
// the hub's clock: what to measure "how long ago" with. 0 stays 0 (no
// time).
func (s *Session) OnHubClock(t int64) int64 {
	if t == 0 {
		return 0
	}
	return t - int64(s.HostClockAheadMs)
}

// MaxTurnMs bounds one timed turn or answer that counts into WorkMs (30
// days): a longer one is a clock's garbage, not work.
const MaxTurnMs = 30 * 24 * 3600 * 1000

// Key identifies a session across sources: IDs are only unique within one.
// A remote session's key also names its host ("claude:<id>@<host>"), so it
// never collides with this machine's own session of the same id.
func (s Session) Key() string {
	if s.Remote {
		return string(s.Source) + ":" + s.ID + "@" + s.Host
	}
	return string(s.Source) + ":" + s.ID
}

// AppendKey appends s.Key() to b: with a buffer on the caller's stack a
// key is compared or looked up without building a string (a sort of
// 100,000 sessions made millions of them).
func AppendKey(b []byte, s *Session) []byte {
	b = append(b, s.Source...)
	b = append(b, ':')
	b = append(b, s.ID...)
	if s.Remote {
		b = append(b, '@')
		b = append(b, s.Host...)
	}
	return b
}

// SortNewestFirst sorts sessions in list order (see Newer).
func SortNewestFirst(sessions []Session) {
	slices.SortFunc(sessions, func(a, b Session) int {
		switch {
		case Newer(a, b):
			return -1
		case Newer(b, a):
			return 1
		}
		return 0
	})
}

// Newer reports whether a sorts before b in the list: newest ListTime
// first, ties broken by key so the order is stable.
func Newer(a, b Session) bool {
	if at, bt := a.ListTime(), b.ListTime(); at != bt {
		return at > bt
	}
	return a.Key() < b.Key()
}

// ListTime is what the list sorts by: UpdatedAt on the hub's clock
// (OnHubClock), so that a session of a fleet's machine whose clock is off
// sorts where its row's "how long ago" puts it; UpdatedAt itself for
// every other session.
func (s *Session) ListTime() int64 { return s.OnHubClock(s.UpdatedAt) }

// SessionPath is the web client's path of a session's page: the list's
// links, a notification's click and the server's render of a session's
// page all name it so (the client's ui.SessionOfPath reads it back).
func SessionPath(source, id string) string {
	return "/s/" + url.PathEscape(source) + "/" + url.PathEscape(id)
}

// PagePath is SessionPath with what else names the page: a Claude
// subagent's transcript (?agent=), and, on a fleet hub, the machine of
// another machine's session (?host=), so that the hub's page of it is
// never its own session of the same id. "" leaves either out.
func PagePath(source, id, agent, host string) string {
	u := SessionPath(source, id)
	q := url.Values{}
	if agent != "" {
		q.Set("agent", agent)
	}
	if host != "" {
		q.Set("host", host)
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// NeedsYou reports whether s belongs in "Needs you": it waits for the
// user and the user has not cleared it since it started to. The page's
// group and badge, its notifications and pushes, and helmd watch
// --waiting --count all count by it.
func NeedsYou(s *Session) bool {
	return s.Status == StatusWaiting && s.ClearedAt == 0
}

// SameWait reports whether s, which waits, waits the same wait as prev,
// which waited: no message came since and the reason is of the same kind.
// Claude Code tells of one wait several times, each later than the last
// (the transcript's end of turn, its Stop hook, a turn_duration line, the
// idle_prompt notification a minute later, a permission_prompt one after
// its PermissionRequest), and a restart of helmd dates it anew from the
// files; none of them is a new wait. A new turn adds a message (the
// answer, at least); a permission prompt after "input needed" is new even
// when the messages between are not read yet.
func SameWait(prev, s *Session) bool {
	return s.Status == StatusWaiting && prev.Status == StatusWaiting &&
		s.MessageCount == prev.MessageCount && SameAsk(s.WaitingFor, prev.WaitingFor)
}

// InWaitSince reports whether a clear of the wait that began at since
// (WaitingSince; 0: whatever the session waits for) is one of s's wait.
// A session that no longer waits can be cleared: it is out of "Needs
// you" already, and the clear is dropped at its next change.
func (s *Session) InWaitSince(since int64) bool {
	return since == 0 || s.Status != StatusWaiting || s.WaitingSince == since
}

// SameAsk reports whether two reasons ask the same of the user
// (AskKind): "permission: Bash" and "permission prompt" both ask for a
// permission.
func SameAsk(a, b string) bool { return AskKind(a) == AskKind(b) }

// AskKind is what a wait's reason asks of the user: "permission prompt"
// (the registry's and the Notification hook's) and "permission: <tool>"
// (the PermissionRequest hook's) are one prompt, told twice. So are a
// question's and a plan's (ReasonQuestion, ReasonPlan): Claude Code
// tells of their dialog by a PermissionRequest and a permission_prompt
// Notification alike (anthropics/claude-code#74052).
func AskKind(reason string) string {
	if strings.HasPrefix(reason, "permission") || reason == ReasonQuestion || reason == ReasonPlan {
		return "permission"
	}
	return reason
}
