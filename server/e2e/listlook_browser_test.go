package e2e

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/internal/fixture"
)

// These tests look at the list as a person uses it all day: layout at
// desktop and phone widths, contrast (axe-core), the keyboard, the
// install button and badges that must not pretend to be live.
//
//	make build && HELM_BIN=$PWD/bin/helmd HELM_AXE=…/axe.min.js go test -run ListLook ./server/e2e/

// TestListLookBrowser runs them in one Chromium.
func TestListLookBrowser(t *testing.T) {
	beside(t)
	inOneBrowser(t, []browserTest{
		{"Geometry", testLookGeometry},
		{"ControlsStayPut", testLookControlsStayPut},
		{"Contrast", testLookContrast},
		{"Keyboard", testLookKeyboard},
		{"InstallAndStaleBadges", testLookInstallAndStale},
		{"PhoneRows", testLookPhoneRows},
		{"SessionHeaderOnAPhone", testLookSessionHeaderPhone},
	})
}

const (
	lkWaiting = "4b000000-0000-4000-8000-000000000001"
	lkWorking = "4b000000-0000-4000-8000-000000000002"
	lkIdle1   = "4b000000-0000-4000-8000-000000000003"
	lkIdle2   = "4b000000-0000-4000-8000-000000000004"
	lkIdle3   = "4b000000-0000-4000-8000-000000000005"
	// longBranch is the kind of branch name that used to push the cost
	// onto a line of its own.
	longBranch = "feature/very-long-branch-name-for-the-checkout-redesign-and-its-follow-ups-2026"
)

// writeLookFixture: a session waiting for input on a long branch, one
// working, three idle.
func writeLookFixture(t *testing.T) string {
	t.Helper()
	claude := t.TempDir()
	now := time.Now()
	waiting := fixture.Path(claude, webapp, lkWaiting)
	fixture.Append(t, waiting, strings.Replace(fixture.User(lkWaiting, webapp, "Redesign the checkout page", now.Add(-2*time.Minute)),
		`"gitBranch":"main"`, `"gitBranch":"`+longBranch+`"`, 1))
	fixture.Append(t, waiting, fixture.Assistant(lkWaiting, webapp, "msg_w", "end_turn", now.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(claude, webapp, lkWorking), fixture.User(lkWorking, webapp, "Add tests for the cart", now))
	old := now.Add(-13 * time.Hour)
	for i, sid := range []string{lkIdle1, lkIdle2, lkIdle3} {
		at := old.Add(time.Duration(i) * time.Minute)
		path := fixture.Path(claude, "/home/dev/site", sid)
		writeDated(t, path, fixture.User(sid, "/home/dev/site", fmt.Sprintf("Old task %d", i), at)+
			fixture.Assistant(sid, "/home/dev/site", "msg_"+sid[len(sid)-4:], "end_turn", at), at)
	}
	return claude
}

// viewport emulates a window of width × height CSS pixels (a phone's
// when mobile), and a color scheme ("" = the system's).
func viewport(c *chrome, width, height int64, mobile bool, scheme string) {
	c.t.Helper()
	c.do(10*time.Second, fmt.Sprintf("emulating %dx%d %s", width, height, scheme),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: width, Height: height, DeviceScaleFactor: 1, Mobile: mobile,
			}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}))
	// Two frames: the new layout is done.
	mustEval[bool](c, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
}

// box is an element's getBoundingClientRect.
type box struct{ Top, Bottom, Left, Right, Width, Height float64 }

func rect(c *chrome, sel string) box {
	c.t.Helper()
	b := mustEval[*box](c, fmt.Sprintf(`(e => e ? e.getBoundingClientRect().toJSON() : null)(document.querySelector(%s))`, jsString(sel)))
	if b == nil {
		c.t.Fatalf("no %s: %s", sel, c.describe())
	}
	return *b
}

// openLook opens the look fixture's list served by p, Live with every
// row, and returns the tab and the waiting row's selector.
func openLook(t *testing.T, b *browser, p *proc) (c *chrome, waitingRow string) {
	t.Helper()
	c = b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	waitRows(c, "the fixture", lkWorking, lkWaiting, lkIdle3, lkIdle2, lkIdle1)
	return c, rowSel("claude:" + lkWaiting)
}

// sameLine reports whether two boxes share a line of text.
func sameLine(a, b box) bool { return a.Top < b.Bottom && b.Top < a.Bottom }

// testLookGeometry: at 1280 and 1600 px the filters and the sort share
// one line; a long branch keeps the cost on its line; the source's name
// is quiet; Clear appearing moves nothing, on a desktop and on phones;
// on a phone the header and filters take less than a third of the
// screen, the filters behind one button, the header's actions on one
// line, and the titles in Needs you the row's width.
func testLookGeometry(t *testing.T, b *browser) {
	c, waitingRow := openLook(t, b, serveList(t, writeLookFixture(t)))
	for _, width := range []int64{1280, 1600} {
		viewport(c, width, 900, false, "light")
		search, sort := rect(c, "#search"), rect(c, "#sort")
		if !sameLine(search, sort) {
			t.Errorf("at %d px the sort (%+v) is not on the search's line (%+v)", width, sort, search)
		}
		for _, sel := range []string{"#source", "#project", "#status", "#clear"} {
			if r := rect(c, sel); !sameLine(search, r) {
				t.Errorf("at %d px %s (%+v) left the filters' line", width, sel, r)
			}
		}
		main := rect(c, "main")
		if used := main.Width / float64(width); used < 0.85 {
			t.Errorf("at %d px the list uses %.0f%% of the width", width, 100*used)
		}
		cost, messages := rect(c, waitingRow+" .cost"), rect(c, waitingRow+" .messages")
		if !sameLine(cost, messages) {
			t.Errorf("at %d px a long branch pushed the cost (%+v) off the line of the message count (%+v)", width, cost, messages)
		}
		if br := rect(c, waitingRow+" .branch"); br.Right > cost.Left {
			t.Errorf("at %d px the branch (%+v) runs into the cost (%+v)", width, br, cost)
		}
	}
	for _, scheme := range []string{"light", "dark"} {
		viewport(c, 1280, 900, false, scheme)
		lookQuietSource(t, c, waitingRow, scheme)
	}

	// The first keystroke shows Clear where it already had its place, on
	// a desktop and on phones (at 390 px Clear used to wrap onto a line
	// of its own and push the list 38 px down).
	for _, w := range []struct {
		width, height int64
		mobile        bool
	}{{1280, 900, false}, {500, 844, true}, {390, 844, true}, {320, 640, true}} {
		viewport(c, w.width, w.height, w.mobile, "light")
		lookClearStill(t, c, w.width)
	}

	// A phone: 390 × 844.
	viewport(c, 390, 844, true, "light")
	header := rect(c, "header.top")
	if header.Height > 844.0/3 {
		t.Errorf("on a phone the header takes %.0f px of 844", header.Height)
	}
	if mustEval[bool](c, `!!document.getElementById("project").getClientRects().length`) {
		t.Error("on a phone the filters show without being asked for")
	}
	// The header is two lines, its state and then its actions, all on
	// one: Refresh and "?" had one of their own, and Usage sat among the
	// state. "?" opens the keyboard's shortcuts; a phone has none.
	conn, usage, stable, refresh := rect(c, "#conn"), rect(c, "#to-usage"), rect(c, "#stable"), rect(c, "#refresh")
	if sameLine(conn, stable) || !sameLine(usage, stable) || !sameLine(stable, refresh) || refresh.Right > 390 {
		t.Errorf("on a phone the header's actions (Usage %+v, Stable order %+v, Refresh %+v) are not one line under its state (%+v)", usage, stable, refresh, conn)
	}
	if mustEval[bool](c, `!!document.getElementById("help-button").getClientRects().length`) {
		t.Error(`on a phone the header shows the keyboard shortcuts' "?" button`)
	}
	// In Needs you the title keeps the row's width: the buttons sit
	// beside the meta line, not beside the title, which they cut to a
	// few words.
	needs := fmt.Sprintf(`#needs-you li.needs[data-session=%q]`, "claude:"+lkWaiting)
	if title, actions, row := rect(c, needs+" .title"), rect(c, needs+" .actions"), rect(c, needs); actions.Top < title.Bottom || title.Width < row.Width*0.9 {
		t.Errorf("on a phone the Needs you buttons (%+v) share the title's line (%+v) in a row %+v", actions, title, row)
	}
	click(c, "#filters-toggle")
	c.waitJS(5*time.Second, "the filters to open", `document.getElementById("project").getClientRects().length > 0`)
	if got, _ := c.attr("#filters-toggle", "aria-expanded"); got != "true" {
		t.Errorf("the filters button says aria-expanded=%q when open", got)
	}
	// Clear keeps its place on the search's line, not on an empty line
	// under the open filters.
	if search, clear, project := rect(c, "#search"), rect(c, "#clear"), rect(c, "#project"); !sameLine(search, clear) || project.Top < search.Bottom {
		t.Errorf("on a phone with the filters open, Clear (%+v) left the search's line (%+v) or the filters (%+v) are not below it", clear, search, project)
	}
	if cost, title := rect(c, waitingRow+" .cost"), rect(c, waitingRow+" .title"); cost.Right > 390 || title.Right > 390 {
		t.Errorf("on a phone the row overflows: cost %+v, title %+v", cost, title)
	}
	click(c, "#filters-toggle")
	// 360 px, the narrowest phone still sold, and 320 px (a 2016 iPhone
	// SE), with Install offered (the widest the actions get): they keep
	// one line, and the count is not cut (at 360 px Refresh wrapped onto
	// a third line; at 320 px too, and the count read "9 s…").
	offerInstall(c)
	for _, width := range []float64{360, 320} {
		viewport(c, int64(width), 780, true, "light")
		usage, stable, install, refresh := rect(c, "#to-usage"), rect(c, "#stable"), rect(c, "#install"), rect(c, "#refresh")
		if !sameLine(usage, stable) || !sameLine(stable, install) || !sameLine(stable, refresh) || refresh.Right > width {
			t.Errorf("at %v px the header's actions (Usage %+v, Stable order %+v, Install %+v, Refresh %+v) are not one line", width, usage, stable, install, refresh)
		}
		if cut := mustEval[bool](c, `(e => e.scrollWidth > e.clientWidth)(document.getElementById("count"))`); cut {
			t.Errorf("at %v px the count %q is cut short", width, mustEval[string](c, `document.getElementById("count").textContent`))
		}
	}
	viewport(c, 1280, 900, false, "")
	// The push setting sits apart below the list, centred, not glued to
	// its last row's corner.
	if list, push := rect(c, "main"), rect(c, "#push"); push.Top-list.Bottom < 16 || math.Abs((push.Left+push.Right)/2-640) > 2 {
		t.Errorf("the push setting (%+v) is not set apart and centred below the list (%+v)", push, list)
	}
	c.screenshots("list-look")
}

// metaLines is how a row's meta line lays out: how many lines its parts
// take, which parts share the source's line, and which run out of the
// row.
type metaLines struct {
	Key       string
	Lines     int      // lines the meta parts take
	WithSrc   []string // the other parts on the source's line
	Overflows []string // parts past the row's right edge
}

func lookMetaLines(c *chrome) []metaLines {
	c.t.Helper()
	return mustEval[[]metaLines](c, `[...document.querySelectorAll("li.session")].map(row => {
		const right = row.getBoundingClientRect().right;
		const parts = [...row.querySelectorAll(".meta > span")].filter(e => e.getClientRects().length);
		const src = row.querySelector(".meta > .source").getBoundingClientRect();
		const tops = new Set(parts.map(e => Math.round(e.getBoundingClientRect().top)));
		return {key: row.dataset.key, lines: tops.size,
			withSrc: parts.filter(e => !e.matches(".source") && (b => b.top < src.bottom && src.top < b.bottom)(e.getBoundingClientRect())).map(e => e.className),
			overflows: parts.filter(e => e.getBoundingClientRect().right > right + 0.5).map(e => e.className)};
	})`)
}

// wholePixelRows fails the test for a row whose height is not a whole
// number of pixels: such rows (14px text at 1.4 made 19.6px lines) lost
// the divider between them, or showed a line of the page's background
// under it, depending on where a row fell on the pixel grid.
func wholePixelRows(t *testing.T, c *chrome, where string) {
	t.Helper()
	type row struct {
		Key    string
		Height float64
	}
	for _, r := range mustEval[[]row](c, `[...document.querySelectorAll("li.session")].map(e => ({key: e.dataset.key, height: e.getBoundingClientRect().height}))`) {
		if r.Height != math.Round(r.Height) {
			t.Errorf("%s the row of %s is %.3f px tall, not a whole number of pixels", where, r.Key, r.Height)
		}
	}
}

// waitingWords counts "waiting" in what the row shows.
func waitingWords(c *chrome, row string) int {
	c.t.Helper()
	return mustEval[int](c, fmt.Sprintf(`(document.querySelector(%s).innerText.match(/waiting/gi) || []).length`, jsString(row)))
}

// testLookPhoneRows: at 390 px a waiting row leaves its title most of
// the line (the pill and "waiting <1 min" beside it cut it to a few
// letters) and says "waiting" once; a row's meta takes two lines, the
// source's name never alone on one (a long branch is cut instead); a
// filtered count is read whole ("1 of 5", not "1 of 5 se…"). At
// 1280 and 1600 px the rows and the count are as they were.
func testLookPhoneRows(t *testing.T, b *browser) {
	// A machine's name as long as many are: the header's first line is
	// as full as the demo's ("vm" and its Demo mark), where the count was
	// cut.
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", writeLookFixture(t), "--no-opencode",
		"--keepalive", "2s", "--debounce", "50ms", "--host-name", "alices-macbook-pro")
	needClient(t, p)
	c, waitingRow := openLook(t, b, p)

	for _, width := range []int64{1280, 1600} {
		viewport(c, width, 900, false, "light")
		// The desktop row: its pill leads the title, the time ends the line.
		status, title, tm := rect(c, waitingRow+" .status"), rect(c, waitingRow+" .title"), rect(c, waitingRow+" .time")
		if !sameLine(status, title) || !sameLine(title, tm) || status.Right > title.Left || title.Right > tm.Left {
			t.Errorf("at %d px the waiting row's pill (%+v), title (%+v) and time (%+v) left their line", width, status, title, tm)
		}
		if n := waitingWords(c, waitingRow); n != 1 {
			t.Errorf("at %d px the waiting row says \"waiting\" %d times: %q", width, n, c.text(waitingRow))
		}
		for _, m := range lookMetaLines(c) {
			if m.Lines != 1 || len(m.Overflows) > 0 {
				t.Errorf("at %d px the meta of %s takes %d lines, overflowing with %v", width, m.Key, m.Lines, m.Overflows)
			}
		}
		wholePixelRows(t, c, fmt.Sprintf("at %d px", width))
	}

	viewport(c, 390, 844, true, "light")
	row, title := rect(c, waitingRow), rect(c, waitingRow+" .title")
	if title.Width < 0.6*row.Width {
		t.Errorf("on a phone a waiting row's title has %.0f px of the row's %.0f (%q)", title.Width, row.Width, c.text(waitingRow+" .title"))
	}
	if tm := rect(c, waitingRow+" .time"); !sameLine(title, tm) || tm.Right > row.Right {
		t.Errorf("on a phone the waiting row's time (%+v) is not at the end of its title's line (%+v)", tm, title)
	}
	if n := waitingWords(c, waitingRow); n != 1 {
		t.Errorf("on a phone the waiting row says \"waiting\" %d times: %q", n, mustEval[string](c, fmt.Sprintf(`document.querySelector(%s).innerText`, jsString(waitingRow))))
	}
	wholePixelRows(t, c, "on a phone")
	for _, m := range lookMetaLines(c) {
		if m.Lines > 2 || len(m.WithSrc) == 0 || len(m.Overflows) > 0 {
			t.Errorf("on a phone the meta of %s takes %d lines, the source beside %v, overflowing with %v", m.Key, m.Lines, m.WithSrc, m.Overflows)
		}
	}
	// The long branch is cut, on the project's line.
	if cut := mustEval[bool](c, fmt.Sprintf(`(e => e.scrollWidth > e.clientWidth)(document.querySelector(%s))`, jsString(waitingRow+" .branch"))); !cut {
		t.Error("on a phone the long branch is not cut")
	}
	if br, pr := rect(c, waitingRow+" .branch"), rect(c, waitingRow+" .project"); !sameLine(br, pr) {
		t.Errorf("on a phone the branch (%+v) left the project's line (%+v)", br, pr)
	}

	// A filter on: the count reads whole, on phones and on a desktop.
	click(c, "#waiting")
	waitRows(c, "the waiting filter", lkWaiting)
	for _, w := range []struct {
		width int64
		want  string
	}{{390, "1 of 5"}, {360, "1 of 5"}, {320, "1 of 5"}, {1280, "1 of 5 sessions"}} {
		viewport(c, w.width, 800, w.width < 560, "light")
		type count struct {
			Text   string
			Scroll int
			Client int
		}
		got := mustEval[count](c, `(e => ({text: e.innerText, scroll: e.scrollWidth, client: e.clientWidth}))(document.getElementById("count"))`)
		if got.Text != w.want || got.Scroll > got.Client {
			t.Errorf("at %d px with a filter the count reads %q (%d px of %d shown), want %q whole", w.width, got.Text, got.Client, got.Scroll, w.want)
		}
	}
	// The time's badge reads in both schemes (axe-core, when present).
	if axe := axeIfPresent(t); axe != "" {
		for _, scheme := range []string{"light", "dark"} {
			viewport(c, 390, 844, true, scheme)
			axeCheck(t, c, axe, "phone, waiting selected, "+scheme, 10)
		}
	}
	viewport(c, 390, 844, true, "light")
	c.screenshots("list-phone-rows")
}

// lookQuietSource: the source's name, once the loudest thing on every
// row, sits in the row's meta line after the cost, in the muted colour
// and not bold.
func lookQuietSource(t *testing.T, c *chrome, row, scheme string) {
	t.Helper()
	type look struct {
		Found, InMeta, AfterCost bool
		Weight                   int
		Color, Muted, Text       string
	}
	got := mustEval[look](c, fmt.Sprintf(`(row => {
		const src = row && row.querySelector(".source"), cost = row && row.querySelector(".cost");
		if (!src || !cost) return {found: false};
		const probe = document.createElement("span");
		probe.style.color = "var(--muted)";
		row.appendChild(probe);
		const muted = getComputedStyle(probe).color;
		probe.remove();
		const s = getComputedStyle(src);
		return {found: true, inMeta: src.parentElement.matches(".meta"),
			afterCost: !!(cost.compareDocumentPosition(src) & Node.DOCUMENT_POSITION_FOLLOWING),
			weight: parseInt(s.fontWeight, 10), color: s.color, muted, text: src.textContent};
	})(document.querySelector(%s))`, jsString(row)))
	switch {
	case !got.Found:
		t.Errorf("%s: the row has no source or no cost: %s", scheme, c.describe())
	case got.Text != "Claude Code":
		t.Errorf("%s: the source reads %q", scheme, got.Text)
	case !got.InMeta || !got.AfterCost:
		t.Errorf("%s: the source is not in the meta line after the cost (in meta: %v, after the cost: %v)", scheme, got.InMeta, got.AfterCost)
	}
	if got.Weight >= 600 {
		t.Errorf("%s: the source is bold (font-weight %d)", scheme, got.Weight)
	}
	if got.Color != got.Muted {
		t.Errorf("%s: the source's colour is %s, not the muted %s", scheme, got.Color, got.Muted)
	}
}

// lookClearStill: at this width, the first keystroke shows Clear where
// it already had its place and moves no row; Esc hides it again.
// testLookControlsStayPut: the counts in the filters and the header
// change as the list does; the controls beside them must not move under
// the pointer. A search takes the status counts from two figures to one
// and the project counts down; a session starting to wait brings the
// header's badge. (A reviewer measured the search box 8 px narrower and
// every filter 8 px further at a keystroke, and the Usage link moving
// with the badge.)
func testLookControlsStayPut(t *testing.T, b *browser) {
	claude := t.TempDir()
	old := time.Now().Add(-13 * time.Hour)
	for i := range 12 {
		sid := fmt.Sprintf("4c000000-0000-4000-8000-%012d", i)
		topic := "beta"
		if i < 3 {
			topic = "alpha"
		}
		at := old.Add(time.Duration(i) * time.Minute)
		cwd := fmt.Sprintf("/home/dev/project-%d", i%4)
		writeDated(t, fixture.Path(claude, cwd, sid), fixture.User(sid, cwd, fmt.Sprintf("Task %d on %s", i, topic), at)+
			fixture.Assistant(sid, cwd, fmt.Sprintf("msg_%d", i), "end_turn", at), at)
	}
	const working = "4c000000-0000-4000-8000-000000000099"
	fixture.Append(t, fixture.Path(claude, webapp, working), fixture.User(working, webapp, "Task 99 on gamma", time.Now()))
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	viewport(c, 1280, 900, false, "light")
	c.waitJS(5*time.Second, "13 rows", `document.querySelectorAll("li.session").length === 13`)
	controls := []string{"#to-usage", "#search", "#source", "#project", "#status", "#sort"}
	where := func() map[string]box {
		out := map[string]box{}
		for _, sel := range controls {
			out[sel] = rect(c, sel)
		}
		return out
	}
	same := func(what string, before, after map[string]box) {
		t.Helper()
		for _, sel := range controls {
			if b, a := before[sel], after[sel]; math.Abs(a.Left-b.Left) > 0.5 || math.Abs(a.Width-b.Width) > 0.5 {
				t.Errorf("%s moved %s: x %.1f → %.1f, width %.1f → %.1f", what, sel, b.Left, a.Left, b.Width, a.Width)
			}
		}
	}
	before := where()
	mustEval[bool](c, `(document.getElementById("search").focus(), true)`)
	keys(c, "alpha")
	c.waitJS(5*time.Second, "the search's 3 rows", `document.querySelectorAll("li.session").length === 3`)
	same("a search", before, where())
	keys(c, "\x1b")
	c.waitJS(5*time.Second, "every row again", `document.querySelectorAll("li.session").length === 13`)
	same("clearing the search", before, where())

	fixture.Append(t, fixture.Path(claude, webapp, working), fixture.Assistant(working, webapp, "msg_99", "end_turn", time.Now()))
	c.waitJS(10*time.Second, "the waiting badge", `!!document.getElementById("waiting")`)
	same("the waiting badge", before, where())
}

func lookClearStill(t *testing.T, c *chrome, width int64) {
	t.Helper()
	beforeClear, beforeRow := rect(c, "#clear"), rect(c, "li.session")
	if v := mustEval[string](c, `getComputedStyle(document.getElementById("clear")).visibility`); v != "hidden" {
		t.Errorf("at %d px Clear is %s with nothing to clear", width, v)
	}
	mustEval[bool](c, `(document.getElementById("search").focus(), true)`)
	keys(c, "o")
	c.waitJS(5*time.Second, "Clear to show", `getComputedStyle(document.getElementById("clear")).visibility === "visible"`)
	afterClear, afterRow := rect(c, "#clear"), rect(c, "li.session")
	if afterClear != beforeClear {
		t.Errorf("at %d px Clear moved when it appeared: %+v → %+v", width, beforeClear, afterClear)
	}
	if afterClear.Right > float64(width) || afterClear.Width == 0 {
		t.Errorf("at %d px Clear is not on the screen: %+v", width, afterClear)
	}
	if afterRow.Top != beforeRow.Top {
		t.Errorf("at %d px the list jumped %.0f px at the first keystroke", width, afterRow.Top-beforeRow.Top)
	}
	// Beyond a phone it sits at the search box's end, over the box's
	// padding: the text typed ends before it.
	if search := rect(c, "#search"); width > 560 && (afterClear.Left < search.Left || afterClear.Right > search.Right ||
		afterClear.Top < search.Top || afterClear.Bottom > search.Bottom) {
		t.Errorf("at %d px Clear (%+v) is not inside the search box (%+v)", width, afterClear, search)
	}
	if pad := mustEval[float64](c, `parseFloat(getComputedStyle(document.getElementById("search")).paddingRight)`); width > 560 && pad < afterClear.Width {
		t.Errorf("at %d px the search box's text runs under Clear: padding %v px, Clear %v px wide", width, pad, afterClear.Width)
	}
	keys(c, "\x1b") // Esc clears
	c.waitJS(5*time.Second, "Clear to hide", `getComputedStyle(document.getElementById("clear")).visibility === "hidden"`)
}

// axeScript loads axe-core (HELM_AXE: its axe.min.js, which .ci/run
// fetches) into the page; without it the test skips, loudly, except in
// CI, where it fails.
func axeScript(t *testing.T) string {
	t.Helper()
	src := axeIfPresent(t)
	if src == "" {
		t.Skip("SKIPPING — axe-core not found")
	}
	return src
}

// axeIfPresent is axeScript for a test that checks more than contrast:
// without axe-core it goes on (loudly, and never in CI) and returns "".
func axeIfPresent(t *testing.T) string {
	t.Helper()
	src, msg := readAxe()
	if msg != "" {
		if required() {
			t.Fatal(msg)
		}
		t.Log("SKIPPING the axe-core checks — " + msg)
	}
	return src
}

func readAxe() (src, problem string) {
	path := os.Getenv("HELM_AXE")
	if path == "" {
		path = os.ExpandEnv("$HOME/.cache/helm-axe/node_modules/axe-core/axe.min.js") // where .ci/run puts it
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "axe-core not found (" + err.Error() + "): npm install --prefix ~/.cache/helm-axe axe-core@4.14.1, or set HELM_AXE"
	}
	return string(b), ""
}

// axeViolation is one rule axe-core found broken, with its worst nodes.
type axeViolation struct {
	ID     string
	Impact string
	Help   string
	Nodes  []struct {
		Target         []string
		FailureSummary string
	}
}

// testLookContrast: axe-core finds no contrast problem, nor any other
// serious one, on the list in light and dark, with a session waiting,
// the waiting filter selected and the shortcuts dialog open.
func testLookContrast(t *testing.T, b *browser) {
	axe := axeScript(t)
	p := serveList(t, writeLookFixture(t))
	c := b.tab(t)
	for _, view := range []struct {
		name, query, scheme string
		help                bool
	}{
		{"light", "", "light", false},
		{"dark", "", "dark", false},
		{"light, waiting selected", "?status=waiting", "light", false},
		{"dark, waiting selected", "?status=waiting", "dark", false},
		{"dark, active selected", "?status=active", "dark", false},
		{"dark, shortcuts", "", "dark", true},
	} {
		c.navigate(p.URL + "/" + view.query)
		waitLive(c)
		c.waitJS(5*time.Second, "the waiting badge", present("#waiting"))
		viewport(c, 1280, 900, false, view.scheme)
		if view.help {
			keys(c, "?")
			c.waitJS(5*time.Second, "the dialog", present(`#help[role="dialog"]`))
		}
		axeCheck(t, c, axe, view.name, 20)
	}
}

// axeCheck runs axe-core on what c shows and fails t on any rule it
// finds broken, of any impact (each page has none today). It must have measured
// the contrast of at least min elements, so that a page not yet drawn
// cannot pass.
func axeCheck(t *testing.T, c *chrome, axe, name string, min int) {
	t.Helper()
	mustEval[bool](c, axe+"\n;true")
	res := mustEval[struct {
		Violations []axeViolation
		Checked    int // elements whose contrast axe measured and passed
	}](c, `axe.run(document).then(r => ({violations: r.violations,
		checked: ((r.passes.find(p => p.id === "color-contrast") || {nodes: []}).nodes.length)}))`)
	found := res.Violations
	if res.Checked < min {
		t.Errorf("%s: axe measured the contrast of %d elements only, want %d or more: the page is not drawn", name, res.Checked, min)
	}
	ids := make([]string, 0, len(found))
	for _, v := range found {
		ids = append(ids, v.ID+"/"+v.Impact)
	}
	t.Logf("FIGURE axe %s: %d rules broken %v, contrast passed on %d elements", name, len(found), ids, res.Checked)
	for _, v := range found {
		var where []string
		for i, n := range v.Nodes {
			if i == 5 {
				where = append(where, fmt.Sprintf("… %d more", len(v.Nodes)-5))
				break
			}
			where = append(where, fmt.Sprintf("%v: %s", n.Target, n.FailureSummary))
		}
		t.Errorf("%s: axe %s (%s): %s\n  %s", name, v.ID, v.Impact, v.Help, strings.Join(where, "\n  "))
	}
}

// testLookKeyboard: rows are Tab stops with a visible focus ring, Enter
// opens the focused one; ? opens the shortcuts as a dialog that Esc
// closes.
func testLookKeyboard(t *testing.T, b *browser) {
	p := serveList(t, writeLookFixture(t))
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	waitRows(c, "the fixture", lkWorking, lkWaiting, lkIdle3, lkIdle2, lkIdle1)

	// ? shows the shortcuts, focused; Esc closes them.
	mustEval[bool](c, `(document.activeElement && document.activeElement.blur && document.activeElement.blur(), true)`)
	keys(c, "?")
	c.waitJS(5*time.Second, "the shortcuts dialog", `(d => !!d && d.getAttribute("aria-modal") === "true" && d.contains(document.activeElement))(document.querySelector('[role="dialog"]'))`)
	if got := c.text("#help-title"); got != "Keyboard shortcuts" {
		t.Errorf("dialog title %q", got)
	}
	if !strings.Contains(c.text("#help"), "Open the selected session") {
		t.Errorf("the dialog lists no shortcuts: %q", c.text("#help"))
	}
	tab(c)
	if !mustEval[bool](c, `document.getElementById("help").contains(document.activeElement)`) {
		t.Error("Tab left the modal dialog")
	}
	keys(c, "\x1b")
	c.waitJS(5*time.Second, "the dialog to close", `!document.querySelector('[role="dialog"]')`)

	// Tab reaches the rows, one after the other.
	mustEval[bool](c, `(document.getElementById("search").focus(), true)`)
	var focused string
	for range 40 {
		tab(c)
		focused = mustEval[string](c, `(e => e.matches("li.session") ? e.dataset.key : "")(document.activeElement)`)
		if focused != "" {
			break
		}
	}
	if focused != "claude:"+lkWorking {
		t.Fatalf("Tab never reached the first row (got %q): %s", focused, c.describe())
	}
	ring := mustEval[string](c, `(s => s.outlineStyle + " " + s.outlineWidth)(getComputedStyle(document.activeElement))`)
	if strings.HasPrefix(ring, "none") || strings.HasSuffix(ring, " 0px") {
		t.Errorf("a focused row shows no focus ring (%s)", ring)
	}
	tab(c)
	if got := mustEval[string](c, `document.activeElement.dataset.key || ""`); got != "claude:"+lkWaiting {
		t.Errorf("the next Tab went to %q, want the second row", got)
	}
	keys(c, "\r")
	c.waitJS(10*time.Second, "the session page", fmt.Sprintf(`location.pathname === %s`, jsString("/s/claude/"+lkWaiting)))
}

// tab presses Tab.
func tab(c *chrome) {
	c.t.Helper()
	c.do(5*time.Second, "pressing Tab", chromedp.KeyEvent("\t"))
}

// offerInstall has the browser offer to install the app (go-app keeps
// the event), as Chromium does once it finds the app installable, and
// waits for the Install button.
func offerInstall(c *chrome) {
	mustEval[bool](c, `(() => {
		const e = new Event("beforeinstallprompt", {cancelable: true});
		e.prompt = () => Promise.resolve();
		e.userChoice = Promise.resolve({outcome: "accepted"});
		window.dispatchEvent(e);
		return true;
	})()`)
	c.waitJS(5*time.Second, "the Install button", present("#install"))
}

// testLookInstallAndStale: the Install button leaves once the app is
// installed; with helmd gone, a "working" badge stops pulsing.
func testLookInstallAndStale(t *testing.T, b *browser) {
	p := serveList(t, writeLookFixture(t))
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	// The bell is drawn by the style sheet, not a character: a desktop
	// without a colour emoji font showed an empty box.
	bell := mustEval[string](c, `(() => {
		const b = document.getElementById("bell"), i = b && b.querySelector(".icon-bell");
		if (!i) return "no icon";
		if (b.textContent.trim() !== "") return "text " + JSON.stringify(b.textContent);
		const r = i.getBoundingClientRect(), m = getComputedStyle(i).maskImage || getComputedStyle(i).webkitMaskImage;
		return r.width >= 12 && r.height >= 12 && m && m !== "none" ? "" : r.width + "x" + r.height + " mask " + m;
	})()`)
	if bell != "" {
		t.Errorf("the bell's icon is not drawn: %s", bell)
	}
	working := rowSel("claude:"+lkWorking) + " .status"
	pulse := fmt.Sprintf(`getComputedStyle(document.querySelector(%s), "::before").animationName`, jsString(working))
	if got := mustEval[string](c, pulse); got == "none" {
		t.Fatal("a working badge does not pulse while Live")
	}

	// The browser offers install, then installs.
	offerInstall(c)
	mustEval[bool](c, `(window.dispatchEvent(new Event("appinstalled")), true)`)
	c.waitJS(5*time.Second, "the Install button to go", `!document.getElementById("install")`)

	p.terminate(t)
	c.waitConn(20*time.Second, "offline", "Offline")
	if got := mustEval[string](c, pulse); got != "none" {
		t.Errorf("offline, a working badge still pulses (%s)", got)
	}
	if title, _ := c.attr("#conn", "title"); strings.Contains(title, "TypeError") || strings.Contains(title, "Failed to fetch") {
		t.Errorf("the indicator speaks the browser's words: %q", title)
	}
}

// testLookSessionHeaderPhone: on a phone the session page's header is the
// title and one line (status, cost, last activity), the transcript in
// sight below it; its facts and copy buttons are behind Details. A
// desktop shows them all, with no Details button.
func testLookSessionHeaderPhone(t *testing.T, b *browser) {
	p := serveList(t, writeLookFixture(t))
	c := b.tab(t)
	viewport(c, 390, 844, true, "light")
	c.navigate(p.URL + "/s/claude/" + lkWaiting)
	c.waitJS(30*time.Second, "the header's facts", hasTextContaining("#session-header .project .value", webapp))
	c.waitJS(10*time.Second, "the transcript", msgsWith("Redesign the checkout page"))
	header := rect(c, "#session-header")
	if header.Height > 844/6 {
		t.Errorf("on a phone the session header takes %.0f px of 844", header.Height)
	}
	status, brief, toggle := rect(c, "#session-header .status"), rect(c, "#session-header .brief"), rect(c, "#details-toggle")
	if !sameLine(status, brief) || !sameLine(brief, toggle) || toggle.Right > 390 {
		t.Errorf("on a phone the status (%+v), its cost and time (%+v) and Details (%+v) are not one line", status, brief, toggle)
	}
	if got := c.text("#session-header .brief"); !strings.Contains(got, "$") || !strings.Contains(got, " ago") {
		t.Errorf("on a phone the header's line says %q, want the cost and the last activity", got)
	}
	if facts := rect(c, "#session-details"); facts.Height != 0 {
		t.Errorf("on a phone the facts show (%.0f px) before Details is clicked", facts.Height)
	}

	click(c, "#details-toggle")
	c.waitJS(5*time.Second, "Details open", `document.getElementById("details-toggle").getAttribute("aria-expanded") === "true"`)
	for _, sel := range []string{"#session-header .project .value", "#session-header .tokens .value", "#copy-resume", "#copy-path"} {
		if r := rect(c, sel); r.Height == 0 || r.Right > 390 {
			t.Errorf("on a phone with Details open %s is not shown whole: %+v", sel, r)
		}
	}
	if got := c.text("#details-toggle"); got != "Hide details" {
		t.Errorf("the open Details button says %q, want Hide details", got)
	}
	if clamp := mustEval[string](c, `getComputedStyle(document.querySelector("#session-header .title")).webkitLineClamp`); clamp != "none" {
		t.Errorf("with Details open a phone still cuts the title to %s lines", clamp)
	}
	if axe := axeIfPresent(t); axe != "" {
		for _, scheme := range []string{"light", "dark"} {
			viewport(c, 390, 844, true, scheme)
			axeCheck(t, c, axe, "session page on a phone, details open, "+scheme, 10)
		}
	}
	click(c, "#details-toggle")
	c.waitJS(5*time.Second, "Details closed", `document.getElementById("session-details").getBoundingClientRect().height === 0`)

	viewport(c, 1280, 900, false, "light")
	if r := rect(c, "#details-toggle"); r.Width != 0 {
		t.Errorf("at 1280 px the header shows a Details button: %+v", r)
	}
	if r := rect(c, "#session-header .project .value"); r.Height == 0 {
		t.Error("at 1280 px the header hides its facts")
	}
	if r := rect(c, "#session-header .brief"); r.Width != 0 {
		t.Errorf("at 1280 px the header repeats the cost and time beside the status: %+v", r)
	}
	viewport(c, 390, 844, true, "light")
	c.screenshots("session-phone-header")
}
