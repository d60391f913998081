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
}

type claudeStatus struct {
	Roots []string     `json:"roots"`
	Stats claude.Stats `json:"stats"`
}
