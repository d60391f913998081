package list

import (
	"vibecraft.sh/helm/shared"
)

// Snapshot is what the client keeps in browser storage (app/ui stores it
// in a form of its own) so that a restart, or a start without a server,
// shows the last list at once.
type Snapshot struct {
	Sessions []shared.Session
	SavedAt  int64    // epoch milliseconds
	Watched  []string // folders the server watches, for the empty state
}

// Snapshot captures the list as of savedAt (epoch milliseconds).
func (l *List) Snapshot(savedAt int64, watched []string) Snapshot {
	return Snapshot{Sessions: l.Sessions(), SavedAt: savedAt, Watched: watched}
}
