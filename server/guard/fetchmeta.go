package guard

import (
	"net/http"
	"strings"
)

// crossSiteRead reports a request another site made the browser send
// other than as a top-level navigation: an image, script, fetch or frame
// pointing at Helm. Its bytes would not be readable cross-origin, but the
// work is done and its timing leaks, so it is refused before any.
//
// Fetch metadata says who asked: "same-origin" and "none" (the address
// bar, a bookmark, the installed app) pass; "cross-site" and "same-site"
// are refused unless they navigate the whole tab. same-site is refused
// too: it ignores ports, so a page on another localhost port (another
// program, perhaps another user's) is "same-site" yet another origin.
// A request without the headers (curl, an old browser) is judged by the
// token alone. The --cors-origin, when set, is the one exception.
func crossSiteRead(r *http.Request, trustedOrigin string) bool {
	switch strings.ToLower(r.Header.Get("Sec-Fetch-Site")) {
	case "cross-site", "same-site":
	default:
		return false
	}
	if trustedOrigin != "" && r.Header.Get("Origin") == trustedOrigin {
		return false
	}
	if !strings.EqualFold(r.Header.Get("Sec-Fetch-Mode"), "navigate") {
		return true
	}
	// A navigation inside a frame is not the user opening Helm.
	dest := strings.ToLower(r.Header.Get("Sec-Fetch-Dest"))
	return dest != "" && dest != "document"
}
