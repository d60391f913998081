package main

import (
	"vibecraft.sh/helm/server/api"
	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/connlimit"
	"vibecraft.sh/helm/server/live"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/push"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/server/watch"
	"vibecraft.sh/helm/shared"
)

// statusDoc is GET /api/status: what a user needs to tell why sessions
// are missing or stale.
type statusDoc struct {
	Version       string           `json:"version"`
	Commit        string           `json:"commit"`
	StartedAt     int64            `json:"startedAt"`
	UptimeSeconds int64            `json:"uptimeSeconds"`
	Listen        string           `json:"listen"`
	Sessions      int              `json:"sessions"`
	Watcher       watch.Status     `json:"watcher"`
	Stream        stream.Stats     `json:"stream"`
	Live          live.Stats       `json:"scan"`
	Claude        claudeStatus     `json:"claude"`
	OpenCode      *opencode.Status `json:"opencode,omitempty"`
	Conns         *connlimit.Stats `json:"connections,omitempty"`
	Hooks         api.HookStats    `json:"hooks"`
	PageStreams   int              `json:"pageStreams"` // open session pages following their transcript
	Push          push.Stats       `json:"push"`

	// Listed is every session the list holds (GET /api/sessions): this
	// machine's (Sessions, as indexed) and, on a hub (--fleet), other
	// machines' (RemoteSessions of them). Machines says whose, when
	// sessions name a machine (in a fleet).
	Listed         int              `json:"listed"`
	RemoteSessions int              `json:"remoteSessions"`
	Machines       []shared.Machine `json:"machines,omitempty"`
}

// countList counts the sessions of the list, the fleet's among them, and
// their machines (none without a fleet, where no session names its
// machine). helmd status said "Sessions: 3" on a hub listing 9.
func countList(ss []shared.Session) (listed, remote int, machines []shared.Machine) {
	for i := range ss {
		if ss[i].Remote {
			remote++
		}
	}
	return len(ss), remote, shared.Machines(ss)
}

type claudeStatus struct {
	Roots []string     `json:"roots"`
	Stats claude.Stats `json:"stats"`
}
