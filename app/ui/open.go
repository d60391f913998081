package ui

import (
	"net/url"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// SessionPath is the session page's path for a session.
func SessionPath(source, id string) string {
	return "/s/" + url.PathEscape(source) + "/" + url.PathEscape(id)
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
