package transcript

import "regexp"

// Ids from a URL are checked before they go near a path or a query: a
// Claude session id is a UUID (files named otherwise are accepted if they
// use only these characters), a subagent id is what agent-<id>.jsonl
// carries, and OpenCode ids are ses_/msg_ plus base62.
var (
	claudeID     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$`)
	agentID      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	openCodeID   = regexp.MustCompile(`^ses_[A-Za-z0-9]{1,64}$`)
	openCodeMs   = regexp.MustCompile(`^msg_[A-Za-z0-9]{1,64}$`)
	openCodePart = regexp.MustCompile(`^prt_[A-Za-z0-9]{1,64}$`)
)

// ValidClaudeID reports whether id can name a Claude Code session.
func ValidClaudeID(id string) bool { return claudeID.MatchString(id) }

// ValidAgentID reports whether id can name a Claude Code subagent.
func ValidAgentID(id string) bool { return agentID.MatchString(id) }

// ValidOpenCodeID reports whether id can name an OpenCode session.
func ValidOpenCodeID(id string) bool { return openCodeID.MatchString(id) }

// ValidOpenCodeMessageID reports whether id can name an OpenCode message.
func ValidOpenCodeMessageID(id string) bool { return openCodeMs.MatchString(id) }
