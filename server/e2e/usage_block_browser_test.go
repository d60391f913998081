package e2e

import (
	"regexp"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestBrowserUsageBlock: the current block says only what is true as the
// spending goes on. A response six hours ago: no block runs, and the page
// says when the last one ended and its cost, not that nothing was spent.
// One response now: a block runs, but one response tells no rate, so
// there is no burn rate nor projection, only when the block ends. A
// response 40 minutes before it: the use spans long enough, and both
// show.
func TestBrowserUsageBlock(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	path := fixture.Path(claude, cwd, sidA)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sidA, cwd, "morning's work", now.Add(-6*time.Hour-time.Minute)))
	fixture.Append(t, path, fixture.Assistant(sidA, cwd, "msg_a", "end_turn", now.Add(-6*time.Hour)))
	p := serveList(t, claude)

	c := b.tab(t)
	c.navigate(p.URL + "/usage?refresh=1s")
	c.waitJS(30*time.Second, "the block's section", present("#usage-block h2"))
	ended := regexp.MustCompile(`^No block running: the last one ended at \w{3} \d\d:00 \((<?\$[0-9.,]+)\)\.$`)
	if got := c.text("#block-none"); !ended.MatchString(got) {
		t.Errorf("six hours after a response, the block reads %q; want when the last one ended and its cost", got)
	}

	fixture.Append(t, path, fixture.Assistant(sidA, cwd, "msg_b", "end_turn", time.Now()))
	c.waitJS(10*time.Second, "a block running", present("#block-cost"))
	left := regexp.MustCompile(`^\w{3} \d\d:00 \((\d+ h( \d{1,2} min)?|\d+ min|\d+ s) left\)$`)
	if got := c.text("#block-burn"); got != "Too early to tell: a rate needs more than 15 minutes of use" {
		t.Errorf("one response: the burn rate reads %q, want that it is too early to tell", got)
	}
	if got := c.text("#block-ends"); !left.MatchString(got) || mustEval[bool](c, present("#block-projected")) {
		t.Errorf("one response: the block ends %q, projected shown %v; want when it ends, and no projection",
			got, mustEval[bool](c, present("#block-projected")))
	}

	fixture.Append(t, path, fixture.Assistant(sidA, cwd, "msg_c", "end_turn", now.Add(-40*time.Minute)))
	c.waitJS(10*time.Second, "a burn rate", present("#block-projected"))
	if got := c.text("#block-burn"); !regexp.MustCompile(`^<?\$[0-9.,]+ per hour$`).MatchString(got) {
		t.Errorf("use over 40 minutes: the burn rate reads %q", got)
	}
	if got := c.text("#block-projected"); !regexp.MustCompile(`^<?\$[0-9.,]+ at \w{3} \d\d:00 \(.+ left\)$`).MatchString(got) || mustEval[bool](c, present("#block-ends")) {
		t.Errorf("use over 40 minutes: projected %q; want a figure, when the block ends and the time left", got)
	}
}
