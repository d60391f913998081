package main

import (
	"log/slog"
	"net/http"
	"time"

	"vibecraft.sh/helm/server/api"
	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/server/tail"
	"vibecraft.sh/helm/server/transcript"
)

// installTranscripts mounts the session page's endpoints (detail and
// messages) on mux, behind the same guard as the rest of the API, and
// returns what serves the WebSocket's subscribe requests from the same
// files. A page's stream follows its header through hub.
func installTranscripts(mux *http.ServeMux, ix *index.Index, hub *stream.Hub, c *claude.Source, oc *opencode.Source,
	pages *tail.Hub, keepalive time.Duration, log *slog.Logger) *api.Follower {
	d := api.TranscriptDeps{Sessions: ix, Claude: c, Files: transcript.NewFiles(0), Logger: log, Live: pages, Keepalive: keepalive,
		Published: hub}
	if oc != nil { // a nil *Source in the interface would not read as nil
		d.OpenCode = oc
		for _, s := range oc.WatchSpecs() {
			d.OpenCodeWatch = append(d.OpenCodeWatch, s.Path)
		}
	}
	return api.InstallTranscripts(mux, d)
}
