package ui

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/shared"
)

// Every request of a session's page names its Helm's instance, so that
// another helmd answering at the address refuses it instead of answering
// of its own sessions; a page that knows no instance names none.
func TestSessionPageRequestsNameItsHelm(t *testing.T) {
	p := pageFor()
	p.which = Which{Host: "alpha", Instance: "ab12"}
	for _, u := range []string{
		p.api("", nil),
		p.api("/messages", lastPageQuery()),
		p.api("/messages", url.Values{"after": {"c9"}}),
		p.api("/messages/stream", url.Values{"after": {"c9"}}),
		p.api("/find", url.Values{"q": {"x"}}),
	} {
		v, err := url.Parse(u)
		if err != nil || v.Query().Get("instance") != "ab12" {
			t.Errorf("%s does not name the page's instance", u)
		}
	}
	p.which.Instance = ""
	if u := p.api("/messages", nil); strings.Contains(u, "instance") {
		t.Errorf("a page that knows no instance asks %s", u)
	}
}

// The page takes over the two requests the list starts as a row is
// pressed: they ask for the URLs the page would, instance included.
func TestSessionPageTakesTheListsEarlyRequests(t *testing.T) {
	p := pageFor()
	p.which = Which{Instance: "ab12"}
	prefetchSession("claude:"+p.id, nil, "ab12")
	t.Cleanup(func() {
		opening.mu.Lock()
		opening.key, opening.reqs = "", nil
		opening.mu.Unlock()
	})
	opening.mu.Lock()
	defer opening.mu.Unlock()
	for _, u := range []string{p.api("", nil), p.api("/messages", lastPageQuery())} {
		if opening.reqs[u] == nil {
			t.Errorf("the page asks %s, which the list did not start (it started %v)", u, opening.reqs)
		}
	}
}

// Under another Helm the page says so and names its own, as the list
// does; it does not say that the session is gone, and the header's
// status is the last known.
func TestRenderSessionElsewhere(t *testing.T) {
	p := pageFor()
	p.which = Which{Host: "alpha", Instance: "ab12"}
	p.state = "elsewhere"
	p.detail = &shared.SessionDetail{Session: shared.Session{ID: p.id, Source: shared.SourceClaude, Title: "Alpha's work", Status: shared.StatusWorking}}
	out := sortAttrs(app.HTMLString(p.Render()))
	for _, want := range []string{
		`<p [^>]*id="elsewhere"[^>]*>[^<]*the Helm on alpha answers here again`,
		`<span [^>]*data-state="elsewhere"[^>]*>Other Helm<`,
		`<span [^>]*data-stale[^>]*>working \(last known\)<`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("want %s in\n%s", want, out)
		}
	}
	if strings.Contains(out, "session-gone") || strings.Contains(out, "no longer has") {
		t.Errorf("the page says the session is gone:\n%s", out)
	}
}
