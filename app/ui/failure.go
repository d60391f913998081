package ui

import (
	"errors"
	"fmt"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/feed"
)

// failed says that what (a sentence, without its full stop) could not be
// done, and why in plain words: never the browser's own ("TypeError:
// Failed to fetch" names no cause and differs between browsers).
//
// A server error is said without feed.PlainError's "retrying": that is
// true of the list's feed, not of a request made once.
func failed(what string, err error) string {
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
