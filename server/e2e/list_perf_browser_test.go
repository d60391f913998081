package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vibecraft.sh/helm/server/internal/fixture"
)

// testListKeystroke5000 measures one search keystroke over 5,000
// sessions in 40 projects: from the keydown to the list re-rendered (the
// DOM updated) and to the next frame. It asserts the list is right, and
// reports the times; it asserts no time (timed assertions are flaky).
func testListKeystroke5000(t *testing.T, b *browser) {
	const n, projects = 5000, 40
	claude := t.TempDir()
	r := rand.New(rand.NewPCG(5, 8))
	old := time.Now().Add(-3 * time.Hour)
	titles := make([]string, n)
	for i := range n {
		sid := fmt.Sprintf("5b000000-0000-4000-8000-%012d", i)
		cwd := fmt.Sprintf("/srv/p%02d", i%projects)
		titles[i] = fmt.Sprintf("%s the %s %s", searchWords[r.IntN(10)], searchWords[10+r.IntN(10)], searchWords[10+r.IntN(10)])
		at := old.Add(time.Duration(i) * time.Second)
		path := fixture.Path(claude, cwd, sid)
		writeDated(t, path, fixture.User(sid, cwd, titles[i], at), at)
	}
	p := serveList(t, claude)
	c := b.tab(t)
	c.onEveryDocument(timingScript)
	c.navigate(p.URL + "/")
	waitLive(c)
	c.waitJS(30*time.Second, "5,000 sessions", `document.getElementById("count").textContent === "5,000 sessions"`)
	tm := mustEval[timings](c, `window.__helm`)
	t.Logf("FIGURE 5000 sessions: navigation→rows in DOM %s, →first paint %s, →wasm running %s, →Live %s",
		ms(tm.Rows), ms(tm.FCP), ms(tm.Wasm), ms(tm.Live))
	if rows := len(rowKeys(c)); rows > 300 {
		t.Fatalf("%d rows in the DOM: the list should render a page, not everything", rows)
	}

	// keydown → first DOM change (the re-render, one synchronous pass)
	// → the next animation frame (painted).
	if _, err := eval[bool](c, `(() => {
		const h = window.__key = {t0: 0, res: null};
		document.addEventListener("keydown", e => { if (e.target.id === "search") h.t0 = performance.now(); }, true);
		new MutationObserver(() => {
			if (!h.t0 || !h.res) return;
			const t0 = h.t0, res = h.res, dom = performance.now() - t0;
			h.t0 = 0; h.res = null;
			requestAnimationFrame(() => res({dom, frame: performance.now() - t0}));
		}).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
		return true;
	})()`); err != nil {
		t.Fatal(err)
	}
	c.do(5*time.Second, "focusing the search", chromedp.Evaluate[chromedp.Void](`document.getElementById("search").focus()`))

	// Each step changes what the list shows, so each keystroke renders.
	typed := ""
	var doms, frames []float64
	for _, k := range []string{"r", "o", "u", "t", kb.Backspace, kb.Backspace, kb.Backspace, kb.Backspace, "b", "i", "l", "l"} {
		if k == kb.Backspace {
			typed = typed[:len(typed)-1]
		} else {
			typed += k
		}
		if _, err := eval[bool](c, `(window.__key.p = new Promise(r => { window.__key.res = r; }), true)`); err != nil {
			t.Fatal(err)
		}
		keys(c, k)
		got, err := eval[struct{ Dom, Frame float64 }](c, `Promise.race([window.__key.p, new Promise(r => setTimeout(() => r({dom: -1, frame: -1}), 5000))])`)
		if err != nil {
			t.Fatal(err)
		}
		if got.Dom < 0 {
			t.Fatalf("no re-render within 5 s of typing %q: %s", typed, c.describe())
		}
		doms, frames = append(doms, got.Dom), append(frames, got.Frame)
		// The list is right: the count is what a search of the sessions
		// gives (title = first prompt, project path, branch "main").
		want := 0
		for i, title := range titles {
			hay := strings.ToLower(title) + "\x00" + fmt.Sprintf("/srv/p%02d", i%projects) + "\x00main"
			if strings.Contains(hay, typed) {
				want++
			}
		}
		wantText := "5,000 sessions"
		if typed != "" {
			wantText = fmt.Sprintf("%s of 5,000 sessions", grouped(want))
		}
		c.waitJS(2*time.Second, "#count after "+typed, fmt.Sprintf(`document.getElementById("count").textContent === %s`, jsString(wantText)))
	}
	sort.Float64s(doms)
	sort.Float64s(frames)
	t.Logf("FIGURE search keystroke over 5000 sessions: %.1fms (median of %d keystrokes, keydown→list re-rendered; min %.1fms, max %.1fms; to the next frame: median %.1fms, max %.1fms)",
		doms[len(doms)/2], len(doms), doms[0], doms[len(doms)-1], frames[len(frames)/2], frames[len(frames)-1])
}

// grouped writes n with thousands separators, as the page does.
func grouped(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// writeDated writes a transcript (its folders too) whose file time is at,
// as a session last written then.
func writeDated(t *testing.T, path, content string, at time.Time) {
	t.Helper()
	fixture.Append(t, path, content)
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}
