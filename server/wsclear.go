package main

import (
	"context"
	"errors"
	"strings"

	"vibecraft.sh/helm/server/live"
	"vibecraft.sh/helm/shared"
)

// wsClearer serves the WebSocket's "clear" requests as
// POST /api/sessions/<source>/<id>/clear does: only a session the stream
// has published can be cleared.
type wsClearer struct {
	live   *live.Live
	lookup func(key string) (shared.Session, bool)
}

var errNoSuchSession = errors.New("no such session")

var errRemoteSession = errors.New("another machine's session: clear it on that machine's Helm")

func (c wsClearer) Clear(_ context.Context, key string) error {
	src, id, ok := strings.Cut(key, ":")
	if !ok || id == "" {
		return errNoSuchSession
	}
	if s, ok := c.lookup(key); !ok {
		return errNoSuchSession
	} else if s.Remote {
		return errRemoteSession // its machine's helmd keeps its clears
	}
	c.live.Clear(shared.Source(src), id)
	return nil
}
