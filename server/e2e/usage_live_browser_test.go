package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// usageReads is how many requests for the usage the page has made.
const usageReads = `performance.getEntriesByType("resource").filter(e => new URL(e.name).pathname.startsWith("/api/usage")).length`

// TestBrowserUsageStaysCurrent: the usage page follows the spending
// without a reload, and says how current its figures are. New spending
// shows within a refresh period (shortened by ?refresh= from half a
// minute to a second); while the server fails, the figures stay, said in
// plain words to be from their time; when it is back, they are current
// again; a hidden tab reads nothing, and reads at once when shown.
func TestBrowserUsageStaysCurrent(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	path := fixture.Path(claude, cwd, sidA)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sidA, cwd, "today's work", now.Add(-time.Minute)))
	fixture.Append(t, path, fixture.Assistant(sidA, cwd, "msg_a", "end_turn", now))
	p := serveList(t, claude)
	proxy := newFaultProxy(t, p.URL)

	c := b.tab(t)
	c.navigate(proxy.URL + "/usage?refresh=1s")
	c.waitJS(30*time.Second, "the usage charts", present("#chart-days svg g.bar"))
	mustEval[bool](c, `(performance.setResourceTimingBufferSize(100000), true)`)
	total := c.text("#usage-total")
	if !strings.Contains(total, "30 tokens") {
		t.Fatalf("the total reads %q, want the fixture's 30 tokens", total)
	}

	// Spending goes on: the page shows it, no reload needed, and says
	// its figures are current.
	fixture.Append(t, path, fixture.Assistant(sidA, cwd, "msg_a2", "end_turn", time.Now()))
	c.waitJS(10*time.Second, "the new spending on the page, without a reload", hasTextContaining("#usage-total", "60 tokens"))
	if got := c.text("#usage-fresh"); got != "Updated just now" {
		t.Errorf("after a reading, the page says %q, want Updated just now", got)
	}

	// The server fails: the figures stay, said to be from their time.
	total = c.text("#usage-total")
	proxy.set(failAll)
	c.waitJS(10*time.Second, "the page to say its figures are old", present("#usage-fresh.stale"))
	stale := c.text("#usage-fresh")
	if !regexp.MustCompile(`^These figures are from \d\d:\d\d: they could not be read again\. The server had a problem \(HTTP 502\)\. Trying again every 1 s\.$`).MatchString(stale) {
		t.Errorf("with the server failing, the page says %q", stale)
	}
	if got := c.text("#usage-total"); got != total || mustEval[bool](c, present("#usage-error")) {
		t.Errorf("with the server failing, the total reads %q (want %q, kept), error shown %v", got, total, mustEval[bool](c, present("#usage-error")))
	}
	proxy.set(passAll)
	c.waitJS(10*time.Second, "the figures current again", hasText("#usage-fresh", "Updated just now")+" && "+`!document.querySelector("#usage-fresh.stale")`)

	// A hidden tab reads nothing; shown again, it reads at once.
	setHidden := func(hidden bool) {
		mustEval[bool](c, fmt.Sprintf(`(Object.defineProperty(document, "hidden", {configurable: true, get: () => %v}),
			document.dispatchEvent(new Event("visibilitychange")), true)`, hidden))
	}
	setHidden(true)
	// A reading begun before may still land; then none, for three
	// refresh periods.
	c.waitJS(5*time.Second, "the reading in flight to land", `document.getElementById("usage-page").dataset.reading === "false"`)
	before := mustEval[int](c, usageReads)
	if n := readsWithin(c, 3*time.Second); n != 0 {
		t.Errorf("a hidden tab made %d requests for the usage in 3 s", n)
	}
	setHidden(false)
	c.waitJS(3*time.Second, "a reading once the tab is shown", fmt.Sprintf(`%s > %d`, usageReads, before))
}

// readsWithin watches, frame by frame for d, how many requests for the
// usage the page makes; it returns at the first.
func readsWithin(c *chrome, d time.Duration) int {
	c.t.Helper()
	return mustEval[int](c, fmt.Sprintf(`new Promise(done => {
		const count = () => %s, start = count(), end = performance.now() + %d;
		const look = () => {
			if (count() !== start) return done(count() - start);
			if (performance.now() > end) return done(0);
			requestAnimationFrame(look);
		};
		look();
	})`, usageReads, d.Milliseconds()))
}
