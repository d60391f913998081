// Package attn holds what Helm knows about sessions that need their user
// beyond what the sessions' files say: hints from Claude Code's hooks,
// which are instant and exact but short-lived, and the sessions a user
// cleared from "Needs you", kept on disk so every page and device agrees.
//
// It does no I/O on its own but the cleared file's, and no locking: the
// live package's owner goroutine is its only user.
package attn

import (
	"time"

	"vibecraft.sh/helm/shared"
)

// Hint is what a hook said of a session at At: its status, why it waits
// ("" unless waiting), and whether its process is running.
type Hint struct {
	Source     shared.Source
	ID         string
	Event      string // the hook event: for logs, and to tell a resume after an end
	Status     shared.Status
	WaitingFor string
	Active     bool
	// Prompt names the permission dialog a PermissionRequest tells of
	// (a digest of its tool's input); "" for other events, or when the
	// hook sent none.
	Prompt string
	// Question is what the dialog of a question or a plan to approve
	// shows (the hook's Signal.Question), the session's question line
	// while the hint holds: the transcript's last text is not what is
	// asked then. "" for any other hint.
	Question string
	At       time.Time
	// Sent is when Claude Code ran the hook, by the hook's own clock
	// (the transcript's); zero when the hook did not say. A hook's POST
	// can reach helmd late, after later hooks and records of the same
	// session: Sent, not At, orders it among them (late).
	Sent time.Time
}

// when is when h's event happened, as best known: Sent, else At.
func (h Hint) when() time.Time {
	if !h.Sent.IsZero() {
		return h.Sent
	}
	return h.At
}

// Key is the session's index key.
func (h Hint) Key() string { return string(h.Source) + ":" + h.ID }

// maxID bounds a session id: Claude's are UUIDs (36), OpenCode's ~30.
const maxID = 128

// ValidID reports whether id can be a session id: 1 to 128 letters,
// digits, '-' or '_', starting with a letter or digit. Anything else (a
// path, "..", a NUL) is refused before it reaches a map or a file.
func ValidID(id string) bool {
	if id == "" || len(id) > maxID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}
