package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"vibecraft.sh/helm/server/api"
	"vibecraft.sh/helm/server/fleet/pages"
	"vibecraft.sh/helm/server/live"
	"vibecraft.sh/helm/shared"
)

// wsClearer serves the WebSocket's "clear" requests as
// POST /api/sessions/<source>/<id>/clear does: only a session the stream
// has published can be cleared, and another machine's is cleared by that
// machine, the request passed on as the page's is (remote).
type wsClearer struct {
	live   *live.Live
	lookup func(key string) (shared.Session, bool)
	// remote serves a page's clear of another machine's session
	// (…/clear?host=: fleetclear.go, then over NATS); nil: refused.
	remote http.Handler
}

var errNoSuchSession = errors.New("no such session")

var errRemoteSession = errors.New("another machine's session: clear it on that machine's Helm")

func (c wsClearer) Clear(ctx context.Context, key string, waitingSince int64) error {
	src, id, ok := strings.Cut(key, ":")
	if !ok || id == "" {
		return errNoSuchSession
	}
	s, ok := c.lookup(key)
	switch {
	case !ok:
		return errNoSuchSession
	case s.Remote && c.remote == nil:
		return errRemoteSession // its machine's helmd keeps its clears
	}
	if err := api.SameWaitAsSeen(s, waitingSince); err != nil {
		return err // a remote session's machine checks again: its list may be newer
	}
	if s.Remote {
		return c.clearRemote(ctx, s, waitingSince)
	}
	c.live.Clear(shared.Source(src), id, waitingSince)
	return nil
}

// clearRemote passes the clear of remote session s to its machine as a
// page's POST …/clear?host= goes, and says what the machine (or the hub,
// for a machine offline) answered when it is not a success.
func (c wsClearer) clearRemote(ctx context.Context, s shared.Session, waitingSince int64) error {
	u := "/api/sessions/" + url.PathEscape(string(s.Source)) + "/" + url.PathEscape(s.ID) + "/clear?host=" + url.QueryEscape(s.Host)
	if waitingSince != 0 {
		u += "&waitingSince=" + strconv.FormatInt(waitingSince, 10)
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return fmt.Errorf("clear on %s: %w", s.Host, err)
	}
	w := pages.NewRecorder()
	c.remote.ServeHTTP(w, r)
	if w.Status/100 == 2 {
		return nil
	}
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error == "" {
		e.Error = fmt.Sprintf("machine %q answered HTTP %d", shared.CutRunes(s.Host, maxRemoteError), w.Status)
	}
	// Another machine's words, up to the 900 KB a reply may hold: the
	// socket's reply says what went wrong in a line, not in a page.
	return errors.New(shared.CutRunes(e.Error, maxRemoteError))
}

// maxRemoteError is the most of a machine's refusal a socket's reply
// carries, in runes.
const maxRemoteError = 300
