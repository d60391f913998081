package list

import (
	"vibecraft.sh/helm/shared"
)

// Snapshot is what the client keeps in browser storage so that a restart,
// or a start without a server, shows the last list at once.
type Snapshot struct {
	Sessions []shared.Session `json:"sessions"`
	SavedAt  int64            `json:"savedAt"`           // epoch milliseconds
	Watched  []string         `json:"watched,omitempty"` // folders the server watches, for the empty state
}

// Snapshot captures the list as of savedAt (epoch milliseconds).
func (l *List) Snapshot(savedAt int64, watched []string) Snapshot {
	return Snapshot{Sessions: l.Sessions(), SavedAt: savedAt, Watched: watched}
}
