package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/internal/fixture"
)

// acme is where most of the projects of a developer's machine live: a
// long start they share, told apart only by their ends.
const acme = "/home/alice/src/github.com/acme/"

// acmeProjects are the projects of TestBrowserUsagePathEnds: four under
// acme, two of them deeper under the same folders again (too long for
// the column at any width), and a short one.
var acmeProjects = []string{
	acme + "widgets-service", acme + "widgets-web", acme + "platform/services/payments/billing-api",
	acme + "platform/services/search/indexer-api", "/home/alice/notes",
}

// shownJS is a JavaScript function of an element holding a path (a
// bar's name, a fact's value): the path as the document has it (its
// text), and as a reader sees it: each character drawn whole inside the
// element and every box between them that clips, from left to right,
// after the "…" of a .fit-end when that is drawn (a pseudo-element: its
// box from its computed style). overlap says whether the "…" runs into
// the text after it.
const shownJS = `(el => {
	const box = e => e.getBoundingClientRect().toJSON();
	const clip = e => {
		let c = box(el);
		for (; e && e !== el; e = e.parentElement) {
			if (getComputedStyle(e).overflowX === "visible") continue;
			const b = box(e);
			c = {left: Math.max(c.left, b.left), right: Math.min(c.right, b.right), top: Math.max(c.top, b.top), bottom: Math.min(c.bottom, b.bottom)};
		}
		return c;
	};
	const within = (b, c) => b.width > 0 && b.left >= c.left - 0.5 && b.right <= c.right + 0.5 && b.top >= c.top - 0.5 && b.bottom <= c.bottom + 0.5;
	const chars = [], walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
	for (let n; (n = walk.nextNode());) {
		const c = clip(n.parentElement), r = document.createRange();
		for (let i = 0; i < n.length; i++) {
			r.setStart(n, i); r.setEnd(n, i + 1);
			const b = r.getBoundingClientRect();
			if (within(b, c)) chars.push({x: b.left, right: b.right, ch: n.data[i]});
		}
	}
	chars.sort((a, b) => a.x - b.x);
	let mark = null;
	const fit = el.querySelector(".fit-end");
	if (fit) {
		const s = getComputedStyle(fit, "::before"), f = box(fit);
		if (s.content !== "none" && s.display !== "none") {
			const left = f.left + parseFloat(s.left), top = f.top + parseFloat(s.top);
			const b = {left, top, right: left + parseFloat(s.width), bottom: top + parseFloat(s.height)};
			b.width = b.right - b.left;
			if (within(b, box(el))) mark = b;
		}
	}
	return {text: el.textContent, box: box(el), mark: !!mark,
		shown: (mark ? "…" : "") + chars.map(c => c.ch).join(""),
		overlap: !!mark && chars.length > 0 && chars[0].x < mark.right - 0.5};
})`

// pathShown is what shownJS reads.
type pathShown struct {
	Text, Shown   string
	Box           box
	Mark, Overlap bool
}

// readsEnd reports whether shown is how a box too small for it may
// show path: whole, or "…" and then the path's end from the start of a
// folder ("…acme/widgets-web", not "…b.com/acme/widgets-web"), the last
// folder at least.
func readsEnd(path, shown string) bool {
	if shown == path {
		return true
	}
	rest, ok := strings.CutPrefix(shown, "…")
	if !ok || !strings.HasSuffix(path, rest) {
		return false
	}
	k := len(path) - len(rest)
	last := path[strings.LastIndex(strings.TrimSuffix(path, "/"), "/")+1:]
	return k > 0 && path[k-1] == '/' && len(rest) >= len(last)
}

// TestBrowserUsagePathEnds: in the projects' bar chart, a path too long
// for its column shows its end, the last folders each whole after a
// "…", so that projects that share a long start read apart; one that
// fits shows whole. The label stays in its column, clear of the bar; the
// tooltip and the accessible text have the path whole. At a phone's
// 390 px, at 1280 and at 1600 px, light and dark.
func TestBrowserUsagePathEnds(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	now := time.Now()
	for i, path := range acmeProjects {
		sid := fmt.Sprintf("5e000000-0000-4000-8000-%012d", i)
		fixture.Append(t, fixture.Path(claude, path, sid), fixture.User(sid, path, "work", now.Add(-time.Hour)))
		for j := 0; j <= i; j++ { // costs apart, so the bars keep their order
			fixture.Append(t, fixture.Path(claude, path, sid), spent(sid, path, fmt.Sprintf("msg_%d_%d", i, j), sonnetModel, now.Add(-time.Minute)))
		}
	}
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/usage")
	c.waitJS(30*time.Second, "the projects' bars", fmt.Sprintf(`document.querySelectorAll("#chart-projects .hbars .bar").length === %d`, len(acmeProjects)))

	type bar struct {
		Key, Title, Value string
		Name              pathShown
		Row, Track        box
	}
	read := func() []bar {
		return mustEval[[]bar](c, `[...document.querySelectorAll("#chart-projects .hbars .bar")].map(bar => ({
			key: bar.dataset.key, title: bar.title, value: bar.querySelector(".bar-value").textContent,
			name: (`+shownJS+`)(bar.querySelector(".bar-name")),
			row: bar.getBoundingClientRect().toJSON(), track: bar.querySelector(".bar-track").getBoundingClientRect().toJSON()}))`)
	}
	for _, look := range []struct {
		width  int64
		scheme string
	}{{390, "light"}, {390, "dark"}, {1280, "light"}, {1280, "dark"}, {1600, "light"}, {1600, "dark"}} {
		viewport(c, look.width, 900, look.width < 600, look.scheme)
		what := fmt.Sprintf("%d px, %s", look.width, look.scheme)
		shown := map[string]string{}
		cut := 0
		for _, l := range read() {
			n := l.Name
			if n.Text != l.Key || l.Title != l.Key+": "+l.Value {
				t.Errorf("%s: the bar of %q holds %q, tooltip %q; want the path whole in both", what, l.Key, n.Text, l.Title)
			}
			if !readsEnd(l.Key, n.Shown) || n.Overlap {
				t.Errorf("%s: %q reads %q (the … over the text: %v); want it whole, or … and its last folders whole", what, l.Key, n.Shown, n.Overlap)
			}
			if n.Shown != l.Key {
				cut++
			}
			if other, ok := shown[n.Shown]; ok {
				t.Errorf("%s: %q and %q both read %q", what, other, l.Key, n.Shown)
			}
			shown[n.Shown] = l.Key
			if !n.Box.inside(l.Row) || n.Box.Right > l.Track.Left {
				t.Errorf("%s: %q's label %+v is not in its column of the row %+v, left of the bar %+v", what, l.Key, n.Box, l.Row, l.Track)
			}
		}
		if want := map[int64]int{390: 4, 1280: 2, 1600: 2}[look.width]; cut < want {
			t.Errorf("%s: %d of the paths cut, want %d: the column holds more than it should, and the test proves little", what, cut, want)
		}
		mustEval[bool](c, `document.querySelector("#chart-projects").scrollIntoView(), true`)
		c.screenshot(fmt.Sprintf("usage-path-ends-%d-%s", look.width, look.scheme))
		if axe := axeIfPresent(t); axe != "" && look.width != 1600 {
			axeCheck(t, c, axe, "usage, "+what, 40)
		}
	}

	// What a screen reader reads of each bar: the path whole, and the cost.
	viewport(c, 390, 900, true, "light")
	for _, l := range read() {
		if got := axText(c, fmt.Sprintf("#chart-projects .bar[data-key=%q]", l.Key)); got != l.Key+l.Value {
			t.Errorf("a screen reader reads the bar of %q as %q, want the path whole and its cost", l.Key, got)
		}
	}
}

// axText is the text a screen reader finds in the element sel: the
// accessibility tree's text under it, not ignored, in order; "" when
// the tree leaves the element out (aria-hidden) or it lies inside an
// image, whose content a reader does not read.
func axText(c *chrome, sel string) string {
	c.t.Helper()
	var text strings.Builder
	c.do(10*time.Second, "reading the accessibility tree of "+sel, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		doc, err := cdp.Call(ctx, tg, dom.GetDocument, dom.GetDocumentParams{})
		if err != nil {
			return err
		}
		n, err := cdp.Call(ctx, tg, dom.QuerySelector, dom.QuerySelectorParams{NodeID: doc.Root.NodeID, Selector: sel})
		if err != nil {
			return err
		}
		d, err := cdp.Call(ctx, tg, dom.DescribeNode, dom.DescribeNodeParams{NodeID: n.NodeID})
		if err != nil {
			return err
		}
		tree, err := cdp.Call(ctx, tg, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
		if err != nil {
			return err
		}
		byID := map[accessibility.NodeID]*accessibility.Node{}
		var top *accessibility.Node
		for _, a := range tree.Nodes {
			byID[a.NodeID] = a
			if a.BackendDOMNodeID == d.Node.BackendNodeID && !a.Ignored {
				top = a
			}
		}
		// An image's content is presentational: a reader says its name only.
		for a := top; a != nil; a = byID[a.ParentID] {
			if a.Role != nil && strings.Contains(string(a.Role.Value), "image") {
				return nil
			}
		}
		var walk func(a *accessibility.Node)
		walk = func(a *accessibility.Node) {
			if a == nil {
				return
			}
			if !a.Ignored && a.Role != nil && a.Name != nil && strings.Contains(string(a.Role.Value), "StaticText") {
				var s string
				if json.Unmarshal(a.Name.Value, &s) == nil {
					text.WriteString(s)
				}
				return
			}
			for _, id := range a.ChildIDs {
				walk(byID[id])
			}
		}
		walk(top)
		return nil
	}))
	return text.String()
}
