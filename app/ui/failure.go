package ui

import (
	"errors"
	"fmt"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/md"
)

// failed says that what (a sentence, without its full stop) could not be
// done, and why in plain words: never the browser's own ("TypeError:
// Failed to fetch" names no cause and differs between browsers).
//
// A server error is said without feed.PlainError's "retrying": that is
// true of the list's feed, not of a request made once.
//
// helmd's own words for its 5xx (a hub's "machine … is not answering")
// are said instead: "the server had a problem" blamed a hub that was
// fine for a machine behind it that was off.
func failed(what string, err error) string {
	if said := helmdSaid(err); said != "" {
		return what + ". " + said
	}
	if code := browser.Status(err); code >= 500 {
		return fmt.Sprintf("%s. The server had a problem (HTTP %d).", what, code)
	}
	return what + ". " + feed.PlainError(err)
}

// pushFailed says why push notifications could not be turned on or off,
// or checked (action: "turn on push notifications"…). helmd's own answer
// says what to fix and is shown as it is; a refusal by the browser is
// told apart from a server that does not answer.
func pushFailed(action string, err error) string {
	var server *browser.ServerError
	var js *browser.JSError
	switch {
	case errors.As(err, &server):
		return server.Message
	case errors.As(err, &js) && js.Name == "NotAllowedError":
		return "Notifications are not allowed for this page: allow them in the browser's settings for this site."
	case errors.As(err, &js) && js.Name != "TypeError": // a TypeError is fetch's network failure
		return "The browser could not " + action + "; try again later."
	}
	return failed("Could not "+action, err)
}

// helmdSaid is helmd's own message in err (browser.HTTPError.Message)
// as a sentence, "" when it has none. It may name a machine: it is
// cleaned and shown as text only.
func helmdSaid(err error) string {
	var h *browser.HTTPError
	if !errors.As(err, &h) || h.Message == "" {
		return ""
	}
	s := md.Clean(h.Message)
	if c := s[0]; 'a' <= c && c <= 'z' { // helmd's words are English, lower case first
		s = string(c-'a'+'A') + s[1:]
	}
	return s + "."
}
