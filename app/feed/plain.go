package feed

import (
	"encoding/json"
	"errors"
	"fmt"
)

// errBadList: an answer that is not a session list.
var errBadList = errors.New("the answer was not a session list")

// httpStatus is the HTTP status an error carries, or 0. A Poller's error
// carries one by having an HTTPStatus method (app/browser.HTTPError).
func httpStatus(err error) int {
	var s interface{ HTTPStatus() int }
	if errors.As(err, &s) {
		return s.HTTPStatus()
	}
	return 0
}

// PlainError says what a failed request means to the person looking at
// the page. The browser's own words ("TypeError: Failed to fetch",
// "NetworkError when attempting to fetch resource.") name no cause and
// differ between browsers: every network error is the server not
// answering.
func PlainError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch code := httpStatus(err); {
	case errors.Is(err, errBadList):
		return "The server's answer was not a session list (is a proxy in between?)."
	case errors.As(err, &syntax) || errors.As(err, &typ):
		return "The server's answer could not be read (is a proxy in between?)."
	case code == 401 || code == 403:
		return fmt.Sprintf("The server refused this page (HTTP %d): open the address helmd printed, with its token.", code)
	case code >= 500:
		return fmt.Sprintf("The server had a problem (HTTP %d); retrying.", code)
	case code != 0:
		return fmt.Sprintf("The server refused the request (HTTP %d).", code)
	}
	return "The server does not answer. Is helmd running?"
}
