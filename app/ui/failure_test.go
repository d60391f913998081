package ui

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
)

// The browser's words for a failed fetch: Chromium's as app/browser
// reports it, and an error whose text is only the browser's own words.
var (
	chromiumFetchFailed = &browser.JSError{Name: "TypeError", Message: "Failed to fetch"}
	firefoxFetchFailed  = errors.New("TypeError: NetworkError when attempting to fetch resource.")
)

// TestFailedSaysWhyPlainly: a failed clear, load or usage read is told in
// a plain sentence that names the likely cause, never in the browser's
// words.
func TestFailedSaysWhyPlainly(t *testing.T) {
	badJSON := json.Unmarshal([]byte("<html>proxy login</html>"), new(struct{}))
	for _, tc := range []struct {
		what string
		err  error
		want string
	}{
		{"Could not clear “Fix the cart”", chromiumFetchFailed,
			"Could not clear “Fix the cart”. The server does not answer. Is helmd running?"},
		{"Could not load this session", firefoxFetchFailed,
			"Could not load this session. The server does not answer. Is helmd running?"},
		{"Could not load the messages", &browser.HTTPError{Method: "GET", URL: "/api/x", Status: 404},
			"Could not load the messages. The server refused the request (HTTP 404)."},
		{"Could not load the whole text", &browser.HTTPError{Method: "GET", URL: "/api/x", Status: 401},
			"Could not load the whole text. The server refused this page (HTTP 401): open the address helmd printed, with its token."},
		{"Could not clear “Fix the cart”", &browser.HTTPError{Method: "POST", URL: "/api/x", Status: 503},
			"Could not clear “Fix the cart”. The server had a problem (HTTP 503)."}, // once: no "retrying"
		{"Could not clear “Fix the cart”", &browser.ServerError{Status: 500, Message: "clear: disk full"},
			"Could not clear “Fix the cart”. The server had a problem (HTTP 500)."},
		{"Could not read the usage", badJSON,
			"Could not read the usage. The server's answer could not be read (is a proxy in between?)."},
	} {
		got := failed(tc.what, tc.err)
		if got != tc.want {
			t.Errorf("failed(%q, %v) = %q, want %q", tc.what, tc.err, got, tc.want)
		}
		for _, raw := range []string{"TypeError", "fetch", "/api/", "invalid character"} {
			if strings.Contains(got, raw) {
				t.Errorf("failed(%q, %v) = %q: speaks the browser's words (%q)", tc.what, tc.err, got, raw)
			}
		}
	}
}

// TestPushFailedSaysWhyPlainly: helmd's own answer is shown as it is; a
// browser's refusal and a server that does not answer are told apart, in
// plain words.
func TestPushFailedSaysWhyPlainly(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"helmd's own answer", &browser.ServerError{Status: 400, Message: "push: the subscription has no endpoint"},
			"push: the subscription has no endpoint"},
		{"permission refused", &browser.JSError{Name: "NotAllowedError", Message: "Registration failed - permission denied"},
			"Notifications are not allowed for this page: allow them in the browser's settings for this site."},
		{"push service failed", &browser.JSError{Name: "AbortError", Message: "Registration failed - push service error"},
			"The browser could not turn on push notifications; try again later."},
		{"server gone", chromiumFetchFailed,
			"Could not turn on push notifications. The server does not answer. Is helmd running?"},
		{"server error without a message", &browser.HTTPError{Method: "POST", URL: "/api/push/subscribe", Status: 502},
			"Could not turn on push notifications. The server had a problem (HTTP 502)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pushFailed("turn on push notifications", tc.err); got != tc.want {
				t.Errorf("pushFailed(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}

	// And on the page.
	if got := pushFailed("turn off push notifications", &browser.JSError{Name: "AbortError"}); !strings.Contains(got, "turn off") {
		t.Errorf("turning push off failed: %q does not say so", got)
	}
	p := &PushToggle{checked: true, msg: pushFailed("turn on push notifications", chromiumFetchFailed)}
	e := app.NewTestEngine()
	if err := e.Load(p); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	if out := app.HTMLString(p); strings.Contains(out, "TypeError") || !strings.Contains(out, "Is helmd running?") {
		t.Errorf("the push error on the page is not a plain sentence:\n%s", out)
	}
}
