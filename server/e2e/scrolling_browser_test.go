package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// topRowJS is the key of the first row whose bottom is in the window.
const topRowJS = `(() => {
	const r = [...document.querySelectorAll("#sessions li.session")].find(r => r.getBoundingClientRect().bottom > 1);
	return r ? r.dataset.key : "";
})()`

// TestScrollingKeepsTheReadingPlace: a reader scrolled down the list
// stays where they read, while the next page of rows is added below and
// after a reload.
//
// Near the end of the rows the next page is added. At the very end, the
// browser's own scroll anchoring, with the rows excluded (the page holds
// the reading row itself), chose "Show more" below them as its anchor and
// kept it in place: the page scrolled down by as many rows as were added,
// to the end again, and ran on to the end of the list. On a reload the browser puts
// the scroll back on the server's page (a whole first page of rows); the
// client's first render must not then cut the page short under the
// reader.
func TestScrollingKeepsTheReadingPlace(t *testing.T) {
	beside(t)
	const n = 200
	b := startBrowser(t)
	claude := t.TempDir()
	writeN(t, claude, n)
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	c.waitJS(10*time.Second, "a whole page of rows", `document.querySelectorAll("#sessions li.session").length === 50`)

	// To the very end (the End key), "Show more" in view: the next page,
	// and there the page stays.
	mustEval[bool](c, `(window.scrollTo(0, document.documentElement.scrollHeight), true)`)
	c.waitJS(10*time.Second, "the next page of rows", `document.querySelectorAll("#sessions li.session").length === 100`)
	if ran := stillIn(c, 100, mustEval[string](c, topRowJS)); ran != "" {
		t.Fatalf("after the next page was added at the end of the rows, the page ran on: %s", ran)
	}

	// Anew, from the top: row 31 at the top of the window, near the end
	// of the first page, which brings the next; then a reload.
	c.navigate(p.URL + "/")
	waitLive(c)
	c.waitJS(10*time.Second, "a whole page of rows", `document.querySelectorAll("#sessions li.session").length === 50`)
	want := mustEval[string](c, `(() => {
		const r = document.querySelectorAll("#sessions li.session")[30];
		window.scrollTo(0, r.getBoundingClientRect().top + window.scrollY);
		return r.dataset.key;
	})()`)
	c.waitJS(10*time.Second, "the next page of rows", `document.querySelectorAll("#sessions li.session").length === 100`)
	if moved := stillIn(c, 100, want); moved != "" {
		t.Fatalf("the reader's row %s did not stay at the top: %s", want, moved)
	}
	c.do(30*time.Second, "reloading", chromedp.Reload())
	waitLive(c)
	c.waitJS(10*time.Second, "a whole page of rows again", `document.querySelectorAll("#sessions li.session").length >= 50`)
	if got, y := mustEval[string](c, topRowJS), mustEval[float64](c, `window.scrollY`); got != want {
		t.Errorf("after the reload the top row is %q (scrollY %.0f), want %q, where the reader was", got, y, want)
	}
}

// stillIn waits a second and reports how the page moved if it did: rows
// shown other than rows, or a top row other than top.
func stillIn(c *chrome, rows int, top string) string {
	c.t.Helper()
	return mustEval[string](c, fmt.Sprintf(`new Promise(done => {
		const end = performance.now() + 1000;
		const look = () => {
			const rows = document.querySelectorAll("#sessions li.session").length, top = %s;
			if (rows !== %d || top !== %s) return done("rows " + rows + ", top row " + top + " at scrollY " + window.scrollY);
			if (performance.now() > end) return done("");
			requestAnimationFrame(look);
		};
		look();
	})`, topRowJS, rows, jsString(top)))
}
