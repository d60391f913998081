package demo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// A session of the demo sometimes stops on a tool call until its user
// allows it, as Claude Code does in its default permission mode for a
// command, an edit or a new file: the list then shows it first in Needs
// you, "needs approval", and its page marks the call waiting for your
// approval. Claude Code says so in its process registry
// (<root>/sessions/<pid>.json, status "waiting", waitingFor "permission
// prompt"); the demo writes that entry under helmd's own PID, which is
// alive, so one session at a time can ask.

// asksPermission are the tools Claude Code asks before it runs.
var asksPermission = map[string]bool{"Bash": true, "Edit": true, "Write": true}

// mayAsk reports whether s's next tool call stops for the user: a tool
// that asks, every other turn, when no other session is asking.
func (w *world) mayAsk(s *session) bool {
	return w.asking == nil && asksPermission[s.topic.tool] && s.turns%2 == 0
}

// registryPath is the demo's registry entry: helmd's own PID.
func (w *world) registryPath() string {
	return filepath.Join(w.root, "sessions", fmt.Sprintf("%d.json", os.Getpid()))
}

// ask writes s's registry entry: waiting for a permission since at.
func (w *world) ask(s *session, at time.Time) error {
	ms := at.UnixMilli()
	path := w.registryPath() // .json.tmp: not a registry file to helmd
	if err := writeWhole(path, path+".tmp", map[string]any{
		"pid": os.Getpid(), "sessionId": s.id, "cwd": s.cwd, "startedAt": ms, "version": "2.1.90",
		"kind": "interactive", "entrypoint": "cli", "status": "waiting", "waitingFor": "permission prompt",
		"updatedAt": ms, "statusUpdatedAt": ms,
	}); err != nil {
		return err
	}
	w.asking = s
	return nil
}

// answered removes s's registry entry: its user allowed the call, which
// then runs (its result is the session's next write).
func (w *world) answered(s *session) error {
	w.asking = nil
	if err := os.Remove(w.registryPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}
