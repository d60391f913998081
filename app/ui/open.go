package ui

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// SessionPath is the session page's path for a session.
func SessionPath(source, id string) string {
	return "/s/" + url.PathEscape(source) + "/" + url.PathEscape(id)
}

// sessionRoute is SessionRoute, compiled for SessionOfPath.
var sessionRoute = regexp.MustCompile(SessionRoute)

// SessionOfPath is SessionPath's inverse: the source and id that a path
// the session route takes names; ok is false for any other path. The
// server renders a session's page from it, and the page reads its own
// URL with it, so both agree on what a path names.
func SessionOfPath(p string) (source, id string, ok bool) {
	if !sessionRoute.MatchString(p) {
		return "", "", false
	}
	parts := strings.Split(strings.Trim(p, "/"), "/") // "s", the source, the id
	source, err := url.PathUnescape(parts[1])
	if err != nil {
		return "", "", false
	}
	if id, err = url.PathUnescape(parts[2]); err != nil {
		return "", "", false
	}
	return source, id, true
}

// openSession goes to the page of the session with key. The list's view
// is in its URL, so the back button (or Esc there) restores it.
func (h *Home) openSession(ctx app.Context, key string) {
	s, ok := h.sessions.Get(key)
	if !ok {
		return
	}
	openedFromList = true
	prefetchSession(key, &s)
	ctx.Navigate(sessionPath(&s)) // another machine's session names its host
}
