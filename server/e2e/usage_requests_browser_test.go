package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestBrowserUsageAsksOnlyWhatIsThere: the usage page of a helmd that is
// no fleet hub asks it for nothing it does not serve. It asked for
// /api/fleet, whose 404 the browser logs as an error at every visit.
func TestBrowserUsageAsksOnlyWhatIsThere(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	now := time.Now()
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.User(sidA, cwd, "work", now.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.Assistant(sidA, cwd, "msg_a", "end_turn", now))
	p := serveList(t, claude)

	c := b.tab(t)
	var mu sync.Mutex
	var answered []string // "<status> <path>" of each answer the page got
	statusSeen, refused := false, false
	responses := chromedp.Events(c.ctx, network.ResponseReceived)
	go func() {
		for ev, err := range responses {
			if err != nil {
				return // the tab is gone
			}
			path := strings.TrimPrefix(ev.Response.URL, p.URL)
			mu.Lock()
			answered = append(answered, fmt.Sprintf("%d %s", ev.Response.Status, path))
			statusSeen = statusSeen || strings.HasPrefix(path, "/api/status")
			refused = refused || ev.Response.Status >= 400
			mu.Unlock()
		}
	}()
	c.navigate(p.URL + "/usage")
	c.waitJS(30*time.Second, "the usage charts", present("#chart-days svg g.bar"))
	// Whatever else the page asks of a lone helmd, it asks once its
	// status is in: whether the Helm lists other machines.
	waitUntil(t, 10*time.Second, "the page's question of /api/status", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return statusSeen || refused
	})
	// What the page asks after reading its status comes within a moment:
	// a lone helmd's page says nothing of other machines, and asks nothing
	// more of it (its /api/fleet would be a 404).
	if !c.staysAbsent("#this-machine", time.Second) {
		t.Error("a lone helmd's usage page speaks of other machines")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, a := range answered {
		if a[0] != '2' && a[0] != '3' {
			t.Errorf("the page got %s; every answer: %q", a, answered)
		}
	}
}
