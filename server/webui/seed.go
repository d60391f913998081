package webui

import (
	"encoding/json"
	"slices"
	"time"

	"vibecraft.sh/helm/app/ui"
	"vibecraft.sh/helm/shared"
)

// The pre-rendered page carries only the first screen of sessions: it is
// a first paint, and the stream's init brings the whole list moments
// later. Embedding every session made each page as big as the list (MBs
// at 10k sessions), held per client until it was sent.
const (
	seedSessions = 60        // newest sessions embedded, at most: more than a tall screen shows, and the page stays under 200 KB
	seedBytes    = 200 << 10 // their JSON, at most (long titles and prompts)
)

func (h *Handler) seed() ui.Seed {
	now := time.Now()
	if h.opts.Scanned != nil && !h.opts.Scanned() {
		// No list yet (At 0): an empty one would read "No sessions yet".
		return ui.Seed{Watched: h.opts.Watched(), Now: now, Host: h.opts.Host, Demo: h.opts.Demo, Instance: h.opts.Instance}
	}
	all, id, release := h.opts.Sessions()
	if release != nil {
		defer release()
	}
	first := firstScreen(all, seedSessions, seedBytes)
	seed := ui.Seed{Sessions: first, Watched: h.opts.Watched(), At: now.UnixMilli(), Now: now,
		Host: h.opts.Host, Demo: h.opts.Demo, Instance: h.opts.Instance}
	if len(first) < len(all) {
		// A partial list is no base for changes: the client starts from
		// the stream's init instead of resuming.
		seed.Total = len(all)
	} else {
		seed.EventID = id
	}
	return seed
}

// firstScreen is the longest prefix of sessions (newest first) of at
// most n sessions whose JSON fits in limit bytes. A prefix is copied, so
// the whole list it was cut from is not kept alive by the render.
func firstScreen(sessions []shared.Session, n, limit int) []shared.Session {
	size := 0
	for i := range sessions {
		if i == n {
			return slices.Clone(sessions[:i])
		}
		b, err := json.Marshal(&sessions[i])
		if err != nil {
			return slices.Clone(sessions[:i])
		}
		if size += len(b) + 1; size > limit {
			return slices.Clone(sessions[:i])
		}
	}
	return slices.Clone(sessions) // sessions may be the hub's read-only list
}
