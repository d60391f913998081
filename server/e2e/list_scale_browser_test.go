package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/internal/fixture"
)

// testListFindsBeyondTheSeed: with 5,000 sessions the page embeds only
// the first screen (the seed), yet once Live a search finds the oldest
// session, which no first page holds: search sees every session. It
// reports the time to Live; it asserts no time.
func testListFindsBeyondTheSeed(t *testing.T, b *browser) {
	const n = 5000
	claude := t.TempDir()
	old := time.Now().Add(-3 * time.Hour)
	oldest := ""
	for i := range n {
		sid := fmt.Sprintf("5c000000-0000-4000-8000-%012d", i)
		cwd := fmt.Sprintf("/srv/q%02d", i%40)
		title := fmt.Sprintf("routine chore number %d", i)
		if i == 0 {
			oldest, title = sid, "quixotic zeppelin audit" // written first: the last row of all
		}
		at := old.Add(time.Duration(i) * time.Second)
		path := fixture.Path(claude, cwd, sid)
		writeDated(t, path, fixture.User(sid, cwd, title, at), at)
	}
	p := serveList(t, claude)
	c := b.tab(t)
	c.onEveryDocument(timingScript)
	c.onEveryDocument(heldScript(n))
	c.navigate(p.URL + "/")
	if mustEval[bool](c, fmt.Sprintf(`!!document.querySelector('li.session[data-key="claude:%s"]')`, oldest)) {
		t.Fatal("the oldest session is already in the page: the test would not be about what the seed leaves out")
	}
	waitLive(c)
	c.waitJS(30*time.Second, "5,000 sessions", `document.getElementById("count").textContent === "5,000 sessions"`)
	c.waitJS(30*time.Second, "the whole list", `window.__held !== undefined`)
	tm := mustEval[timings](c, `window.__helm`)
	held := mustEval[float64](c, `window.__held`)
	t.Logf("FIGURE 5000 sessions: navigation→Live %s, →every session held %s (→rows %s, →wasm %s; %s)",
		ms(tm.Live), ms(&held), ms(tm.Rows), ms(tm.Wasm), requests(c))

	c.do(5*time.Second, "focusing the search", chromedp.Evaluate[chromedp.Void](`document.getElementById("search").focus()`))
	for _, k := range "zeppelin" {
		keys(c, string(k))
	}
	waitRows(c, "the search finds the oldest session", oldest)
}
