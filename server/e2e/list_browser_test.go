package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vibecraft.sh/helm/server/internal/fixture"
)

// These tests drive the list's filters, search, keyboard and waiting
// signals in headless Chromium against the real helmd:
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -run List ./server/e2e/

// TestListBrowser runs the list's browser tests in one Chromium.
func TestListBrowser(t *testing.T) {
	beside(t)
	inOneBrowser(t, []browserTest{
		{"FiltersSearchAndURL", testListFilters},
		{"Keyboard", testListKeyboard},
		{"FocusFollowsItsSession", testListFocusFollowsItsSession},
		{"WaitingIsVisible", testListWaiting},
		{"HoldsTheReadingRow", testListHoldsReadingRow},
		{"SearchKeystroke5000", testListKeystroke5000},
		{"FindsBeyondTheSeed5000", testListFindsBeyondTheSeed},
		{"StoppedClientSaysSo", testListStoppedClient},
		{"EmptyNamesEveryFolder", testListEmptyNamesEveryFolder},
	})
}

// listSession is one transcript of the list fixture.
type listSession struct {
	sid, cwd, prompt string
	idle             bool // written long ago: the server says idle
}

const (
	lsLogin   = "4a000000-0000-4000-8000-000000000001"
	lsDeploy  = "4a000000-0000-4000-8000-000000000002"
	lsKeys    = "4a000000-0000-4000-8000-000000000003"
	lsWorking = "4a000000-0000-4000-8000-000000000004"
	webapp    = "/home/dev/webapp"
)

var listFixture = []listSession{
	{lsLogin, webapp, "Fix the login flake", true},
	{lsDeploy, "/home/dev/site", "Make the deploy script idempotent", true},
	{lsKeys, "/home/dev/infra", "Rotate the signing keys", true},
	{lsWorking, webapp, "Add tests for the cart", false}, // a prompt without a reply, just written: working
}

// writeListFixture writes sessions under a fresh Claude root. Idle ones
// are dated 13 hours back (past --waiting-ttl), records and mtimes both.
func writeListFixture(t *testing.T, sessions []listSession) string {
	t.Helper()
	claude := t.TempDir()
	old := time.Now().Add(-13 * time.Hour) // past the 12 h a finished turn shows as waiting
	for i, s := range sessions {
		at := time.Now()
		if s.idle {
			at = old.Add(time.Duration(i) * time.Minute) // distinct times: a stable order
		}
		path := fixture.Path(claude, s.cwd, s.sid)
		line := fixture.User(s.sid, s.cwd, s.prompt, at)
		if s.idle {
			line += fixture.Assistant(s.sid, s.cwd, "msg_"+s.sid[len(s.sid)-4:], "end_turn", at)
		}
		fixture.Append(t, path, line)
		if s.idle {
			if err := os.Chtimes(path, at, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	return claude
}

func serveList(t *testing.T, claude string) *proc {
	t.Helper()
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", claude, "--no-opencode",
		"--keepalive", "2s", "--debounce", "50ms")
	needClient(t, p)
	return p
}

// rowKeys is the keys of the rows shown, in order.
func rowKeys(c *chrome) []string {
	c.t.Helper()
	return mustEval[[]string](c, `[...document.querySelectorAll("li.session")].map(r => r.dataset.key)`)
}

// waitRows waits until the rows shown are exactly keys (claude sids), in order.
func waitRows(c *chrome, what string, sids ...string) {
	c.t.Helper()
	want := make([]string, len(sids))
	for i, s := range sids {
		want[i] = "claude:" + s
	}
	b, _ := json.Marshal(want)
	c.waitJS(5*time.Second, what+fmt.Sprintf(" (rows %v)", sids), fmt.Sprintf(
		`JSON.stringify([...document.querySelectorAll("li.session")].map(r => r.dataset.key)) === %s`, jsString(string(b))))
}

// choose picks value in the <select> with id, as a user would.
func choose(c *chrome, id, value string) {
	c.t.Helper()
	ok := mustEval[bool](c, fmt.Sprintf(`(s => {
		if (!s || ![...s.options].some(o => o.value === %[2]s)) return false;
		s.value = %[2]s;
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})(document.getElementById(%[1]s))`, jsString(id), jsString(value)))
	if !ok {
		c.t.Fatalf("no option %q in #%s: %s", value, id, c.describe())
	}
}

func click(c *chrome, sel string) {
	c.t.Helper()
	if !mustEval[bool](c, fmt.Sprintf(`(e => e ? (e.click(), true) : false)(document.querySelector(%s))`, jsString(sel))) {
		c.t.Fatalf("nothing to click at %s: %s", sel, c.describe())
	}
}

// keys presses each key of k the way a keyboard does: a keydown that
// carries its text (so a handler that prevents it also prevents the
// typing, as in a real browser), then a keyup. chromedp.KeyEvent sends
// the text as a separate "char" event that no keydown handler can stop.
func keys(c *chrome, k string) {
	c.t.Helper()
	c.do(5*time.Second, fmt.Sprintf("pressing %q", k), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range k {
			v, ok := kb.Keys[r]
			if !ok {
				return fmt.Errorf("no key for %q", r)
			}
			down := input.DispatchKeyEventParams{
				Type: input.DispatchKeyEventTypeKeyDown, Key: v.Key, Code: v.Code,
				NativeVirtualKeyCode: v.Native, WindowsVirtualKeyCode: v.Windows,
			}
			if v.Shift {
				down.Modifiers = int64(kb.ModifierShift)
			}
			if v.Print {
				down.Text, down.UnmodifiedText = v.Text, v.Unmodified
			}
			up := down
			up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
			for _, ev := range []input.DispatchKeyEventParams{down, up} {
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

// query is the page URL's query, decoded.
func query(c *chrome) url.Values {
	c.t.Helper()
	v, err := url.ParseQuery(strings.TrimPrefix(mustEval[string](c, `location.search`), "?"))
	if err != nil {
		c.t.Fatal(err)
	}
	return v
}

// testListFilters: project and status filters and the search narrow the
// list, the URL follows, and opening that URL shows the same view, from
// the server's first paint on.
func testListFilters(t *testing.T, b *browser) {
	p := serveList(t, writeListFixture(t, listFixture))
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	waitRows(c, "every session", lsWorking, lsKeys, lsDeploy, lsLogin)

	// Projects: by name, with counts.
	opts := mustEval[[]string](c, `[...document.querySelectorAll("#project option")].map(o => o.value + "=" + o.textContent)`)
	want := []string{"all=All projects (4)", "/home/dev/infra=infra (1)", "/home/dev/site=site (1)", webapp + "=webapp (2)"}
	if !slices.Equal(opts, want) {
		t.Fatalf("project options %q, want %q", opts, want)
	}

	choose(c, "project", webapp)
	waitRows(c, "the project filter", lsWorking, lsLogin)
	if q := query(c); q.Get("project") != webapp || len(q) != 1 {
		t.Fatalf("URL query %v after choosing a project", q)
	}
	if got := c.text("#count"); got != "2 of 4 sessions" {
		t.Fatalf("#count = %q", got)
	}

	click(c, `#status button[data-value="idle"]`)
	waitRows(c, "the status filter", lsLogin)
	if q := query(c); q.Get("status") != "idle" || q.Get("project") != webapp {
		t.Fatalf("URL query %v after choosing a status", q)
	}
	click(c, `#status button[data-value="working"]`)
	waitRows(c, "the working filter", lsWorking)

	// The URL opens the same view: in the server's page, then live.
	click(c, `#status button[data-value="all"]`)
	c.do(5*time.Second, "focusing the search", chromedp.Evaluate[chromedp.Void](`document.getElementById("search").focus()`))
	keys(c, "LOGIN")
	waitRows(c, "the search", lsLogin)
	// "LOGI" keeps the same row: wait for the last keystroke's highlight.
	c.waitJS(2*time.Second, "the match highlighted", fmt.Sprintf(`(m => m && m.textContent === "login")(document.querySelector(%s))`,
		jsString(rowSel("claude:"+lsLogin)+" .title mark")))
	q := query(c)
	if q.Get("q") != "LOGIN" || q.Get("project") != webapp || q.Has("status") {
		t.Fatalf("URL query %v after the search", q)
	}
	shared := mustEval[string](c, `location.href`)

	c2 := b.tab(t)
	c2.onEveryDocument(onServerPage(`
		window.__parsed = [...document.querySelectorAll("li.session")].map(r => r.dataset.key);
	`))
	c2.navigate(shared)
	waitLive(c2)
	if parsed := mustEval[[]string](c2, `window.__parsed`); !slices.Equal(parsed, []string{"claude:" + lsLogin}) {
		t.Fatalf("the server's page for %s showed %v", shared, parsed)
	}
	waitRows(c2, "the shared view", lsLogin)
	for sel, want := range map[string]string{"#search": "LOGIN", "#project": webapp, "#source": "all", "#sort": "activity"} {
		if got := mustEval[string](c2, fmt.Sprintf(`document.querySelector(%s).value`, jsString(sel))); got != want {
			t.Errorf("%s shows %q, want %q", sel, got, want)
		}
	}
	if got := c2.text(rowSel("claude:"+lsLogin) + " .title mark"); got != "login" {
		t.Errorf("the shared view highlights %q", got)
	}
	c2.screenshots("list-filtered")

	// A bookmark with a value the client no longer knows still opens the rest.
	c2.navigate(p.URL + "/?status=bogus&source=claude&sort=cost")
	waitLive(c2)
	// Costliest first; the three idle sessions cost the same, so newest first.
	waitRows(c2, "the lenient view", lsKeys, lsDeploy, lsLogin, lsWorking)
	if q := query(c2); q.Has("status") && mustEval[string](c2, `document.querySelector('#status [aria-pressed="true"]').dataset.value`) != "all" {
		t.Fatalf("an unknown status filtered something: %v", q)
	}
}

// testListKeyboard: / focuses the search, arrows and j/k move a visible
// selection, Esc clears.
func testListKeyboard(t *testing.T, b *browser) {
	p := serveList(t, writeListFixture(t, listFixture))
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	waitRows(c, "every session", lsWorking, lsKeys, lsDeploy, lsLogin)
	c.do(5*time.Second, "focusing the page", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
	// Tab's first stop skips the header, the filters and "Needs you" to the
	// rows: Enter on it, and the first row has the focus.
	keys(c, "\t")
	c.waitJS(2*time.Second, "Tab to the skip button", `document.activeElement && document.activeElement.id === "skip"`)
	keys(c, "\r")
	c.waitJS(2*time.Second, "the first row focused", fmt.Sprintf(`(e => e && e.matches("li.session") && e.dataset.key === %s)(document.activeElement)`, jsString("claude:"+lsWorking)))
	c.do(5*time.Second, "focusing the page again", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))

	keys(c, "/")
	c.waitJS(2*time.Second, "/ to focus the search", `document.activeElement && document.activeElement.id === "search"`)
	keys(c, "ke") // flaKE, maKE, KEys
	waitRows(c, "typing a search", lsKeys, lsDeploy, lsLogin)

	keys(c, kb.ArrowDown) // from the search box into the list
	c.waitJS(2*time.Second, "↓ to select the first row", fmt.Sprintf(`(e => e && e.dataset.key === %s && e.classList.contains("selected"))(document.activeElement)`, jsString("claude:"+lsKeys)))
	keys(c, "j")
	c.waitJS(2*time.Second, "j to select the next row", fmt.Sprintf(`document.activeElement.dataset.key === %s`, jsString("claude:"+lsDeploy)))
	keys(c, kb.ArrowDown)
	keys(c, kb.ArrowDown) // past the end: stays on the last
	c.waitJS(2*time.Second, "↓ to reach the last row", fmt.Sprintf(`document.activeElement.dataset.key === %s`, jsString("claude:"+lsLogin)))
	keys(c, "k")
	// The focus moves at the key, the selection's look at the render
	// after it: wait for both (a check of the class right after the
	// focus failed under load).
	c.waitJS(2*time.Second, "k to go back", fmt.Sprintf(`(e => e.dataset.key === %s && e.classList.contains("selected"))(document.activeElement)`, jsString("claude:"+lsDeploy)))
	if n := mustEval[int](c, `document.querySelectorAll("li.session.selected").length`); n != 1 {
		t.Fatalf("%d rows look selected", n)
	}
	// The selection is visible: an outline or a marked background.
	style := mustEval[map[string]string](c, `(s => ({outline: s.outlineStyle, shadow: s.boxShadow}))(getComputedStyle(document.activeElement))`)
	if style["outline"] == "none" && style["shadow"] == "none" {
		t.Fatalf("the selected row has no visible focus: %v", style)
	}

	keys(c, kb.Escape) // clears the search
	waitRows(c, "Esc to clear the search", lsWorking, lsKeys, lsDeploy, lsLogin)
	if v := mustEval[string](c, `document.getElementById("search").value`); v != "" {
		t.Fatalf("the search box still reads %q", v)
	}
	if q := query(c); len(q) != 0 {
		t.Fatalf("URL query %v after Esc", q)
	}
	choose(c, "project", webapp)
	waitRows(c, "the project filter", lsWorking, lsLogin)
	c.do(5*time.Second, "focusing the page", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
	keys(c, kb.Escape) // nothing typed: clears the filters
	waitRows(c, "Esc to clear the filters", lsWorking, lsKeys, lsDeploy, lsLogin)
	if got := mustEval[string](c, `document.getElementById("project").value`); got != "all" {
		t.Fatalf("#project shows %q after Esc", got)
	}
}

// testListFocusFollowsItsSession: rows are rewritten in place, so when
// the list reorders under a focused row, the focus must move with its
// session: Enter then opens the session the user chose, not the one that
// took its place. Back from that session ("u"), its row is selected and
// focused again, and j goes on from it.
func testListFocusFollowsItsSession(t *testing.T, b *browser) {
	claude := writeListFixture(t, listFixture)
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	waitRows(c, "every session", lsWorking, lsKeys, lsDeploy, lsLogin)
	c.do(5*time.Second, "focusing the page", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
	focusedOn := func(sid string) string {
		return fmt.Sprintf(`(e => e && e.matches("li.session.selected") && e.dataset.key === %s &&
			document.querySelectorAll("li.session.selected").length === 1)(document.activeElement)`, jsString("claude:"+sid))
	}
	keys(c, "j")
	keys(c, "j")
	c.waitJS(2*time.Second, "j j on the second row", focusedOn(lsKeys))

	// The last session gets a prompt: it moves to the top, and the
	// chosen session down to the third row.
	fixture.Append(t, fixture.Path(claude, "/home/dev/site", lsDeploy), fixture.User(lsDeploy, "/home/dev/site", "and the rollback too", time.Now()))
	waitRows(c, "the prompted session on top", lsDeploy, lsWorking, lsKeys, lsLogin)
	c.waitJS(2*time.Second, "the focus still on the chosen session, now third", focusedOn(lsKeys))

	keys(c, "\r")
	c.waitJS(10*time.Second, "Enter opens the chosen session", fmt.Sprintf(`location.pathname === %s`, jsString("/s/claude/"+lsKeys)))
	c.waitJS(10*time.Second, "its page", `document.querySelector("#session[data-state=ready]") !== null`)
	keys(c, "u")
	c.waitJS(10*time.Second, "back on the list", `location.pathname === "/"`)
	waitRows(c, "the list again", lsDeploy, lsWorking, lsKeys, lsLogin)
	c.waitJS(5*time.Second, "the session it opened selected and focused", focusedOn(lsKeys))
	keys(c, "j")
	c.waitJS(2*time.Second, "j goes on from it", focusedOn(lsLogin))
}

// testListWaiting: a session whose assistant ends its turn turns
// "waiting for input": its row says so, the header badge counts it and
// the document title carries the count.
func testListWaiting(t *testing.T, b *browser) {
	claude := writeListFixture(t, listFixture)
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	row := rowSel("claude:" + lsWorking)
	c.waitJS(5*time.Second, "the working session", fmt.Sprintf(`(e => e && e.dataset.status === "working")(document.querySelector(%s))`, jsString(row)))
	if title := mustEval[string](c, `document.title`); title != "Helm" {
		t.Fatalf("document title %q with nothing waiting", title)
	}
	if mustEval[bool](c, `!!document.getElementById("waiting")`) {
		t.Fatal("a waiting badge with nothing waiting")
	}
	// The working session shows a live indicator (an animated dot).
	if anim := mustEval[string](c, fmt.Sprintf(`getComputedStyle(document.querySelector(%s), "::before").animationName`, jsString(row+" .status"))); anim == "none" || anim == "" {
		t.Errorf("the working badge has no live indicator (animation %q)", anim)
	}

	written := time.Now()
	fixture.Append(t, fixture.Path(claude, webapp, lsWorking), fixture.Assistant(lsWorking, webapp, "msg_w1", "end_turn", written))
	c.waitJS(5*time.Second, "the row to say waiting", fmt.Sprintf(`(e => e && e.dataset.status === "waiting" && e.hasAttribute("data-attention"))(document.querySelector(%s))`, jsString(row)))
	c.waitJS(2*time.Second, "the document title to count it", `document.title === "(1) Helm"`)
	t.Logf("FIGURE turn ended→title says (1) Helm: %v", time.Since(written).Round(time.Millisecond))
	if got := strings.TrimSpace(c.text("#waiting")); got != "1 waiting" {
		t.Fatalf("#waiting = %q", got)
	}
	if got := c.text(row + " .status"); got != "input needed" { // its time says "waiting"
		t.Fatalf("the row's badge says %q", got)
	}
	c.screenshots("list-waiting")

	click(c, "#waiting") // shows the waiting sessions
	waitRows(c, "the waiting filter", lsWorking)
	if q := query(c); q.Get("status") != "waiting" {
		t.Fatalf("URL query %v", q)
	}
}

// testListHoldsReadingRow: scrolled down the list, the user reads a row;
// a session further down gets activity and moves to the top (the sort
// requires it), pushing the rows above the reader down — the page
// scrolls with them, so the row read stays where it was. So it does
// back from that row's session, with a session that arrived meanwhile.
func testListHoldsReadingRow(t *testing.T, b *browser) {
	var sessions []listSession
	for i := range 40 {
		sessions = append(sessions, listSession{sid: fmt.Sprintf("6c000000-0000-4000-8000-%012d", i), cwd: webapp,
			prompt: fmt.Sprintf("session %02d", i), idle: true})
	}
	claude := writeListFixture(t, sessions) // the last written is the newest
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	c.waitJS(5*time.Second, "40 rows", `document.querySelectorAll("li.session").length === 40`)

	reader := rowSel("claude:" + sessions[20].sid) // 20th newest: mid-list
	mustEval[bool](c, fmt.Sprintf(`(e => (e.scrollIntoView({block: "center"}), true))(document.querySelector(%s))`, jsString(reader)))
	top := func() float64 {
		return mustEval[float64](c, fmt.Sprintf(`document.querySelector(%s).getBoundingClientRect().top`, jsString(reader)))
	}
	// Two frames: rows scrolled into view replace their estimated heights.
	mustEval[bool](c, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
	before := top()
	if mustEval[float64](c, `scrollY`) <= 0 {
		t.Fatal("the page did not scroll")
	}

	mover := sessions[3] // old, below the reader
	fixture.Append(t, fixture.Path(claude, mover.cwd, mover.sid), fixture.User(mover.sid, mover.cwd, "back to work", time.Now()))
	waitRows := fmt.Sprintf(`(r => r && r.dataset.key === %s)(document.querySelector("li.session"))`, jsString("claude:"+mover.sid))
	c.waitJS(5*time.Second, "the updated session to move to the top", waitRows)
	// Two frames: the scroll correction is applied after the render.
	mustEval[bool](c, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
	if after := top(); after < before-1 || after > before+1 {
		t.Fatalf("the row read moved from %.0fpx to %.0fpx on screen", before, after)
	}

	// Filtered, the reader opens that row's session and comes back by
	// the page's link: the list is as it was, filter, search and place,
	// with the session that appeared meanwhile (once), its row read
	// still where it was on screen, and focused.
	mustEval[bool](c, `(s => (s.value = "session", s.dispatchEvent(new Event("input", {bubbles: true})), true))(document.getElementById("search"))`)
	c.waitJS(5*time.Second, "the search in the URL", `new URLSearchParams(location.search).get("q") === "session"`)
	mustEval[bool](c, fmt.Sprintf(`(e => (e.scrollIntoView({block: "center"}), true))(document.querySelector(%s))`, jsString(reader)))
	mustEval[bool](c, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
	before = top()
	click(c, reader)
	c.waitJS(10*time.Second, "its session's page", `document.querySelector("#session[data-state=ready]") !== null`)
	arrived := "6c000000-0000-4000-8000-999999999999"
	fixture.Append(t, fixture.Path(claude, webapp, arrived), fixture.User(arrived, webapp, "session that arrived meanwhile", time.Now()))
	waitUntil(t, 5*time.Second, "helmd to list the new session", func() bool {
		_, body := get(t, p.URL+"/api/sessions")
		return strings.Contains(string(body), arrived)
	})
	// On the way back the header never says Connecting: the list was
	// whole and live a moment ago, and its stream resumes.
	mustEval[bool](c, `(window.sawConnecting = [], new MutationObserver(() => {
		const e = document.getElementById("conn");
		if (e && e.dataset.state !== "live") window.sawConnecting.push(e.dataset.state);
	}).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true}), true)`)
	click(c, "#back")
	c.waitJS(5*time.Second, "the list with the session that arrived", fmt.Sprintf(`location.pathname === "/" && document.querySelectorAll(%s).length === 1`, jsString(rowSel("claude:"+arrived))))
	mustEval[bool](c, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
	if q, typed := query(c).Get("q"), mustEval[string](c, `document.getElementById("search").value`); q != "session" || typed != "session" {
		t.Fatalf("back on the list, search %q in the URL and %q in the box", q, typed)
	}
	if n := len(rowKeys(c)); n != 41 {
		t.Fatalf("back on the list, %d rows, want the 40 and the one that arrived", n)
	}
	if after := top(); after < before-1 || after > before+1 {
		t.Fatalf("back on the list, the row read moved from %.0fpx to %.0fpx on screen (scrollY %.0f)", before, after, mustEval[float64](c, `scrollY`))
	}
	if got := mustEval[string](c, `document.activeElement.dataset.key || ""`); got != "claude:"+sessions[20].sid {
		t.Fatalf("back on the list, the focus is on %q", got)
	}
	c.waitJS(5*time.Second, "the header to say Live", `document.querySelector("#conn[data-state=live]") !== null`)
	if saw := mustEval[[]string](c, `window.sawConnecting`); len(saw) > 0 {
		t.Fatalf("back on the list, the header said %q before Live", saw)
	}

	// Left by another way (the header's link to the usage page) and
	// come back by a link (the usage page's to the list, as the session
	// page's way back when the list did not open it), the list at the
	// same view is where it was left too, not at its top. (The browser's
	// back button restores the scroll of its history entry itself.)
	mustEval[bool](c, `(s => (s.value = "", s.dispatchEvent(new Event("input", {bubbles: true})), true))(document.getElementById("search"))`)
	c.waitJS(5*time.Second, "no search in the URL", `location.search === ""`)
	mustEval[bool](c, fmt.Sprintf(`(e => (e.scrollIntoView({block: "center"}), true))(document.querySelector(%s))`, jsString(reader)))
	mustEval[bool](c, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
	before = top()
	click(c, "#to-usage")
	c.waitJS(10*time.Second, "the usage page", `location.pathname === "/usage" && document.getElementById("usage-page") !== null`)
	click(c, "#to-sessions")
	c.waitJS(5*time.Second, "the list again", `location.pathname === "/" && document.querySelectorAll("li.session").length === 41`)
	mustEval[bool](c, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
	if after := top(); after < before-1 || after > before+1 {
		t.Fatalf("back from the usage page, the row read moved from %.0fpx to %.0fpx on screen (scrollY %.0f)", before, after, mustEval[float64](c, `scrollY`))
	}
}

// searchWords make the 5,000 titles of the keystroke test.
var searchWords = [...]string{"fix", "add", "refactor", "remove", "rename", "document", "test", "speed up", "debug", "port",
	"login", "cache", "parser", "router", "billing", "search", "upload", "schema", "worker", "theme"}

// testListStoppedClient: when the client ends (here as a page translator
// makes go-app end: a text node it drew is replaced, and an update then
// removes the old one), the page says so and offers a reload instead of
// going on saying Live over rows that no longer change; the page is not
// offered for translation; Reload brings the live list back.
func testListStoppedClient(t *testing.T, b *browser) {
	p := serveList(t, writeListFixture(t, listFixture))
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	if got := mustEval[string](c, `document.documentElement.getAttribute("translate") || ""`); got != "no" {
		t.Errorf("<html translate=%q>: the page is offered for translation, which stops its client", got)
	}
	c.do(5*time.Second, "focusing the search", chromedp.Evaluate[chromedp.Void](`document.getElementById("search").focus()`))
	keys(c, "login")
	title := rowSel("claude:"+lsLogin) + " .title"
	c.waitJS(5*time.Second, "the match marked in the title", present(title+" mark"))
	// What a translator does to the text after the match.
	if !mustEval[bool](c, fmt.Sprintf(`(t => {
		const last = t && t.lastChild;
		if (!last || last.nodeType !== Node.TEXT_NODE) return false;
		last.replaceWith(document.createTextNode(" Flocke"));
		return true;
	})(document.querySelector(%s))`, jsString(title))) {
		t.Fatalf("the title has no text after its match: %s", c.describe())
	}
	keys(c, kb.Escape) // clears the search: the title is one text again
	c.waitJS(10*time.Second, "the page marked stopped", `document.body.dataset.wasm === "stopped"`)
	c.waitJS(5*time.Second, "the notice", hasTextContaining("#helm-stopped", "stopped updating"))
	if state, label := c.conn(); state != "stopped" || label != "Stopped" {
		t.Errorf("the indicator says %q (%s) after the client ended", label, state)
	}
	click(c, "#helm-stopped button")
	waitLive(c)
	if mustEval[bool](c, present("#helm-stopped")) {
		t.Error("the notice is still there after the reload")
	}
}

// On a machine without sessions the page names the folders it watches,
// so a user can tell a wrong folder from a quiet machine: the seed lists
// every watched folder, then the page asks helmd's status for the roots
// alone (a page from the service worker's cache may hold an old list).
// That list named Claude Code's root alone: OpenCode's status had none.
func testListEmptyNamesEveryFolder(t *testing.T, b *browser) {
	claude, openCode := t.TempDir(), t.TempDir()
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", claude, "--opencode-dir", openCode, "--keepalive", "2s")
	needClient(t, p)
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	c.waitJS(10*time.Second, "the empty state naming the two roots, and only them", fmt.Sprintf(
		`[...document.querySelectorAll("#empty li")].map(li => li.textContent).join("\n") === %s`, jsString(claude+"\n"+openCode)))
}
