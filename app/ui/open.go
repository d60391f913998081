package ui

import (
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// SessionOfPath is shared.SessionPath's inverse: the source and id that a path
// the session route takes names; ok is false for any other path. The
// server renders a session's page from it, and the page reads its own
// URL with it, so both agree on what a path names.
//
// It reads the path as SessionRoute matches it, "/s/", two segments,
// perhaps a last "/", without compiling that regexp a second time (the
// router compiles it): the client's start paid the compile, in code the
// browser had not yet optimised (TestSessionOfPathIsTheRoute holds the
// two to the same paths).
func SessionOfPath(p string) (source, id string, ok bool) {
	rest, ok := strings.CutPrefix(p, "/s/")
	if !ok {
		return "", "", false
	}
	source, id, ok = strings.Cut(strings.TrimSuffix(rest, "/"), "/")
	if !ok || source == "" || id == "" || strings.Contains(id, "/") {
		return "", "", false
	}
	source, err := url.PathUnescape(source)
	if err != nil {
		return "", "", false
	}
	if id, err = url.PathUnescape(id); err != nil {
		return "", "", false
	}
	return source, id, true
}

// openedKey is the session the list last opened: back on the list, its
// row is selected and focused again, so j and k go on from it (the list
// is a new component, which would start from the top).
var openedKey string

// openSession goes to the page of the session with key. The list's view
// is in its URL, so the back button (or Esc there) restores it.
func (h *Home) openSession(ctx app.Context, key string) {
	s, ok := h.sessions.Get(key)
	if !ok {
		return
	}
	openedFromList, openedKey = true, key
	prefetchSession(key, &s, h.instance)
	ctx.Navigate(sessionPath(&s)) // another machine's session names its host
}
