package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// These tests drive "Needs you" and its notifications in headless
// Chromium against the real helmd:
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -run Attention ./server/e2e/

const (
	atHostile = "4a000000-0000-4000-8000-0000000000e1"
	// hostileTitle would run script if it reached the page as markup.
	hostileTitle = `<img src=x onerror="window.__pwned=1"> & "quotes"`
)

// TestAttentionBrowser: sessions that start waiting appear in "Needs
// you" with their reason, a notification is shown through the service
// worker, and a clear from another page reaches both pages.
func TestAttentionBrowser(t *testing.T) {
	b := startBrowser(t)
	// Two working sessions (prompts without replies). Not the list's
	// idle ones: an unanswered turn waits for 12 h (--waiting-ttl).
	claude := writeListFixture(t, []listSession{
		{lsWorking, webapp, "Add tests for the cart", false},
		{atHostile, "/home/dev/evil", hostileTitle, false},
	})
	p := serveList(t, claude)

	// Page A: notifications allowed, and the user is in another window
	// (headless Chromium has no window manager to take the focus away).
	a := b.tab(t)
	grantNotifications(a, p.URL)
	a.onEveryDocument(`Document.prototype.hasFocus = () => false;`)
	a.onEveryDocument(recordNotifications)
	a.navigate(p.URL + "/")
	waitLive(a)
	waitWorker(a, p.URL)
	if got := mustEval[string](a, `document.getElementById("bell").dataset.permission`); got != "granted" {
		t.Fatalf("the bell says permission %q", got)
	}
	if a.text("#needs-you") != "" {
		t.Fatalf("a Needs you group with nothing waiting: %q", a.text("#needs-you"))
	}

	// Page B, another browser profile (another device, in effect).
	bp := b.tab(t)
	bp.navigate(p.URL + "/")
	waitLive(bp)

	// Two working sessions end their turn, one after the other: both now
	// wait for input, the first longer. A wait counts from the later of
	// its record's time and its file's mtime, so the second is written
	// once the first is shown: its mtime is then surely later.
	written := time.Now()
	fixture.Append(t, fixture.Path(claude, webapp, lsWorking), fixture.Assistant(lsWorking, webapp, "msg_w1", "end_turn", written))
	a.waitJS(10*time.Second, "the first wait in Needs you", present(needsSel("claude:"+lsWorking)))
	fixture.Append(t, fixture.Path(claude, "/home/dev/evil", atHostile), fixture.Assistant(atHostile, "/home/dev/evil", "msg_e1", "end_turn", time.Now()))

	for _, c := range []*chrome{a, bp} {
		for _, sid := range []string{lsWorking, atHostile} {
			c.waitJS(10*time.Second, "the session in Needs you with its reason", fmt.Sprintf(
				`(r => r && r.querySelector(".reason").textContent === "input needed" && /^waiting/.test(r.querySelector(".waited").textContent))(document.querySelector(%s))`,
				jsString(needsSel("claude:"+sid))))
		}
	}
	t.Logf("FIGURE turn ended→row in Needs you on both pages: %v", time.Since(written).Round(time.Millisecond))
	// Both finished their turn: the newest wait first.
	if got := mustEval[[]string](a, `[...document.querySelectorAll("#needs-you li.needs")].map(r => r.dataset.session)`); strings.Join(got, " ") != "claude:"+atHostile+" claude:"+lsWorking {
		t.Errorf("Needs you order %v, want the newest wait first", got)
	}
	// The hostile title is text: shown as written, no element made of it.
	if got := a.text(needsSel("claude:"+atHostile) + " .title"); got != hostileTitle {
		t.Errorf("the hostile title shows as %q", got)
	}
	if mustEval[bool](a, `!!document.querySelector("#needs-you img, #sessions img") || window.__pwned === 1`) {
		t.Fatal("a session title became markup")
	}
	if href, _ := a.attr(needsSel("claude:"+lsWorking)+" a.title", "href"); href != "/s/claude/"+lsWorking {
		t.Errorf("the row links to %q", href)
	}

	// The notifications the page had the service worker show.
	notes := shownNotifications(a, 10*time.Second, 2)
	// The body is the reason, then the question: the fixture's reply is "ok".
	want := map[string]notification{
		"claude:" + lsWorking: {Title: "Add tests for the cart", Body: "input needed: ok", Tag: "claude:" + lsWorking, URL: "/s/claude/" + lsWorking, Shown: true},
		"claude:" + atHostile: {Title: hostileTitle, Body: "input needed: ok", Tag: "claude:" + atHostile, URL: "/s/claude/" + atHostile, Shown: true},
	}
	if len(notes) != 2 {
		t.Errorf("%d notifications, want 2: %+v", len(notes), notes)
	}
	for _, n := range notes {
		if w, ok := want[n.Tag]; !ok || n != w {
			t.Errorf("notification %+v, want %+v", n, w)
		}
	}
	a.screenshots("needs-you")

	// A search narrows the group as it narrows the list, and says how many
	// wait outside it; "Show them" shows every waiting session.
	a.do(5*time.Second, "focusing the search", chromedp.Evaluate[chromedp.Void](`document.getElementById("search").focus()`))
	keys(a, "cart")
	a.waitJS(5*time.Second, "the group narrowed to the search", fmt.Sprintf(
		`[...document.querySelectorAll("#needs-you li.needs")].map(r => r.dataset.session).join(" ") === %s`, jsString("claude:"+lsWorking)))
	a.waitJS(5*time.Second, "the count of those outside", hasTextContaining("#needs-outside", "1 more waits for you outside this view."))
	click(a, "#needs-show")
	a.waitJS(5*time.Second, "every waiting session shown", `location.search === "?status=waiting" && document.getElementById("search").value === "" &&
		document.querySelectorAll("#needs-you li.needs").length === 2 && !document.getElementById("needs-outside")`)

	// Clear from page B: a button for one, the x key on the selected row
	// for the other. Both pages agree, and so does the server.
	click(bp, needsSel("claude:"+lsWorking)+" button.clear")
	// Select the row with the keyboard (a click opens the session's page):
	// it is the newest, so the first j selects it.
	keys(bp, "j")
	bp.waitJS(10*time.Second, "the hostile row selected", fmt.Sprintf(`(e => !!e && e.classList.contains("selected"))(document.querySelector(%s))`, jsString(rowSel("claude:"+atHostile))))
	keys(bp, "x")
	for _, c := range []*chrome{bp, a} {
		c.waitJS(10*time.Second, "Needs you emptied", `!document.querySelector("#needs-you li.needs")`)
		// Still waiting in the list: a clear is not an answer.
		if got, _ := c.attr(rowSel("claude:"+lsWorking), "data-status"); got != "waiting" {
			t.Errorf("the cleared session's row says %q", got)
		}
	}
	resp, body := get(t, p.URL+"/api/sessions")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/sessions: %s", resp.Status)
	}
	var list []shared.Session
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if (s.ID == lsWorking || s.ID == atHostile) && s.ClearedAt == 0 {
			t.Errorf("the server did not keep the clear of %s", s.ID)
		}
	}
	// A reload shows it cleared too: the server's word, not the page's.
	a.navigate(p.URL + "/")
	waitLive(a)
	if !a.staysAbsent("#needs-you li.needs", time.Second) {
		t.Error("a cleared session is back in Needs you after a reload")
	}

	// A new wait of a cleared session brings it back.
	fixture.Append(t, fixture.Path(claude, webapp, lsWorking), fixture.User(lsWorking, webapp, "and the checkout", time.Now()))
	fixture.Append(t, fixture.Path(claude, webapp, lsWorking), fixture.Assistant(lsWorking, webapp, "msg_w2", "end_turn", time.Now()))
	a.waitJS(10*time.Second, "the session back in Needs you", present(needsSel("claude:"+lsWorking)))
}

// recordNotifications wraps showNotification, in a page or in a
// service worker, to keep in self.__notified what each call asked the
// browser to show, and whether the browser accepted it (the call's
// promise resolved). Headless Chromium's own list, getNotifications,
// now and then never lists a notification whose call resolved (about
// one run in twenty here, loaded or not), so tests read the calls: what
// Helm asked for is the behaviour under test.
const recordNotifications = `(() => {
	if (self.__notified) return true;
	self.__notified = [];
	const show = ServiceWorkerRegistration.prototype.showNotification;
	ServiceWorkerRegistration.prototype.showNotification = function (title, opts) {
		const o = opts || {};
		const n = {Title: String(title), Body: o.body || "", Tag: o.tag || "", URL: (o.data || {}).url || "", Shown: false};
		self.__notified.push(n);
		return show.apply(this, arguments).then(() => { n.Shown = true; });
	};
	return true;
})()`

// notification is one call recorded by recordNotifications.
type notification struct {
	Title, Body, Tag, URL string
	Shown                 bool
}

// shownNotifications waits until n calls are recorded in c's scope (a
// page or a worker), each accepted by the browser, and returns them.
func shownNotifications(c *chrome, within time.Duration, n int) []notification {
	c.t.Helper()
	c.waitJS(within, fmt.Sprintf("%d notifications shown", n),
		fmt.Sprintf(`self.__notified.length >= %d && self.__notified.every(n => n.Shown)`, n))
	return mustEval[[]notification](c, `self.__notified`)
}

// needsSel selects a "Needs you" row by session key.
func needsSel(key string) string { return fmt.Sprintf(`#needs-you li.needs[data-session=%q]`, key) }

// grantNotifications allows notifications for origin in the tab's
// browser context, as a user's "Allow" would.
func grantNotifications(c *chrome, origin string) {
	c.t.Helper()
	c.do(10*time.Second, "granting notifications", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		cc := chromedp.FromContext(ctx)
		_, err := cdp.Call(ctx, cc.Browser, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission:       &cdpbrowser.PermissionDescriptor{Name: "notifications"},
			Setting:          cdpbrowser.PermissionSettingGranted,
			Origin:           origin,
			BrowserContextID: cc.BrowserContextID,
		})
		return err
	}))
}

// TestAttentionSettings: a muted project does not notify while others
// do, and "stable order" freezes the rows (kept across a reload) until
// it is turned off.
func TestAttentionSettings(t *testing.T) {
	b := startBrowser(t)
	const site = "4a000000-0000-4000-8000-0000000000e2"
	claude := writeListFixture(t, []listSession{
		{lsLogin, webapp, "Fix the login flake", true}, // idle: the oldest row
		{lsWorking, webapp, "Add tests for the cart", false},
		{site, "/home/dev/site", "Speed up the build", false},
	})
	p := serveList(t, claude)
	c := b.tab(t)
	grantNotifications(c, p.URL)
	c.onEveryDocument(`Document.prototype.hasFocus = () => false;`)
	c.onEveryDocument(recordNotifications)
	c.navigate(p.URL + "/")
	waitLive(c)
	waitWorker(c, p.URL)

	wait := func(sid, cwd, msg string) {
		fixture.Append(t, fixture.Path(claude, cwd, sid), fixture.User(sid, cwd, "next "+msg, time.Now())+
			fixture.Assistant(sid, cwd, msg, "end_turn", time.Now()))
	}
	// Mute webapp from its row, after its first notification.
	wait(lsWorking, webapp, "msg_a1")
	c.waitJS(10*time.Second, "the session in Needs you", present(needsSel("claude:"+lsWorking)))
	if got := shownNotifications(c, 10*time.Second, 1); len(got) != 1 || got[0].Tag != "claude:"+lsWorking {
		t.Fatalf("first notifications %+v, want one for claude:%s", got, lsWorking)
	}
	click(c, needsSel("claude:"+lsWorking)+" button.mute")
	c.waitJS(5*time.Second, "the mute pressed", fmt.Sprintf(`document.querySelector(%s).getAttribute("aria-pressed") === "true"`,
		jsString(needsSel("claude:"+lsWorking)+" button.mute")))

	// A new wait in the muted project, then one elsewhere: only the
	// second notifies (events arrive in order, so the first had its turn).
	mustEval[bool](c, `(window.__notified = [], true)`)
	wait(lsWorking, webapp, "msg_a2")
	c.waitJS(10*time.Second, "the muted session back in Needs you", present(needsSel("claude:"+lsWorking)))
	wait(site, "/home/dev/site", "msg_s1")
	if got := shownNotifications(c, 10*time.Second, 1); len(got) != 1 || got[0].Tag != "claude:"+site {
		t.Errorf("notifications asked for %+v, want only claude:%s: the muted project notified", got, site)
	}

	// Stable order: the idle session gets activity but keeps its place.
	order := func() []string { return rowKeys(c) }
	click(c, "#stable")
	frozen := order()
	if len(frozen) != 3 || frozen[2] != "claude:"+lsLogin {
		t.Fatalf("rows %v: want the idle session last", frozen)
	}
	fixture.Append(t, fixture.Path(claude, webapp, lsLogin), fixture.User(lsLogin, webapp, "back to it", time.Now()))
	c.waitJS(10*time.Second, "the idle session working", fmt.Sprintf(`(e => e && e.dataset.status === "working")(document.querySelector(%s))`,
		jsString(rowSel("claude:"+lsLogin))))
	if got := order(); strings.Join(got, " ") != strings.Join(frozen, " ") {
		t.Errorf("rows %v with stable order on, want %v", got, frozen)
	}
	c.navigate(p.URL + "/")
	waitLive(c)
	if got, _ := c.attr("#stable", "aria-pressed"); got != "true" {
		t.Errorf("stable order after a reload: aria-pressed=%q", got)
	}
	click(c, "#stable")
	c.waitJS(5*time.Second, "the newest activity first again", fmt.Sprintf(`document.querySelector("li.session").dataset.key === %s`, jsString("claude:"+lsLogin)))
}

// TestNeedsYouOrderBrowser: what stops an agent (a permission prompt,
// told by a hook) comes first in "Needs you", before finished turns
// however new, and finished turns come newest first; with five sessions
// waiting, the group shows the first three and how many more wait; Show
// all shows them all, the focus on the button that undoes it, and the
// page remembers the choice across a reload.
func TestNeedsYouOrderBrowser(t *testing.T) {
	b := startBrowser(t)
	claude := t.TempDir()
	now := time.Now()
	var turns []string // the finished turns' keys, the newest wait first
	for i := range 5 {
		sid := fmt.Sprintf("4d000000-0000-4000-8000-%012d", i)
		path := fixture.Path(claude, webapp, sid)
		at := now.Add(-time.Duration(10-i) * time.Minute)
		writeDated(t, path, fixture.User(sid, webapp, fmt.Sprintf("Question %d on the %s", i, []string{"ant", "bee", "cat", "dog", "eel"}[i]), at)+fixture.Assistant(sid, webapp, "msg_q", "end_turn", at), at)
		turns = append([]string{"claude:" + sid}, turns...)
	}
	// Two sessions at work (prompts without replies, within the active
	// window); written before the hook below, so that its hint is news.
	const asks, later = "4d000000-0000-4000-8000-0000000000aa", "4d000000-0000-4000-8000-0000000000bb"
	for _, sid := range []string{asks, later} {
		at := now.Add(-20 * time.Second)
		writeDated(t, fixture.Path(claude, webapp, sid), fixture.User(sid, webapp, "Run the migration "+sid[len(sid)-2:], at), at)
	}
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	rows := func(keys ...string) string {
		return fmt.Sprintf(`JSON.stringify([...document.querySelectorAll("#needs-you li.needs")].map(r => r.dataset.session)) === %s`,
			jsString(`["`+strings.Join(keys, `","`)+`"]`))
	}
	c.waitJS(10*time.Second, "the three newest waits", rows(turns[:3]...))

	// One stops on a permission prompt, then the other ends its turn: the
	// prompt first, though a turn ended since and five waited longer.
	postHook(t, p, `{"session_id":"`+asks+`","hook_event_name":"PermissionRequest","tool_name":"Bash"}`)
	c.waitJS(10*time.Second, "the permission prompt in Needs you", present(needsSel("claude:"+asks)))
	// Its row says what it waits for, as its page does, not "input needed".
	c.waitJS(5*time.Second, "the row's pill naming the permission", fmt.Sprintf(
		`(e => !!e && e.textContent === "permission: Bash" && e.title.startsWith("Waiting for permission: the assistant asks to use Bash"))(document.querySelector(%s))`,
		jsString(rowSel("claude:"+asks)+" .status")))
	fixture.Append(t, fixture.Path(claude, webapp, later), fixture.Assistant(later, webapp, "msg_l", "end_turn", time.Now()))
	all := append([]string{"claude:" + asks, "claude:" + later}, turns...)
	c.waitJS(10*time.Second, "the permission prompt, then the newest turns", rows(all[:3]...))
	if got := strings.Join(strings.Fields(c.text("#needs-more")), " "); got != "4 more wait Show all" {
		t.Errorf("the more line reads %q", got)
	}
	click(c, "#needs-all")
	c.waitJS(5*time.Second, "all seven, the focus on the way back", rows(all...)+` && document.activeElement.id === "needs-few"`)
	c.navigate(p.URL + "/")
	waitLive(c)
	c.waitJS(10*time.Second, "all seven after a reload", rows(all...))
	click(c, "#needs-few")
	c.waitJS(5*time.Second, "the three again, the focus on Show all", rows(all[:3]...)+` && document.activeElement.id === "needs-all"`)

	// Every count of the sessions waiting for the user agrees, after a
	// clear by its button and one by the x key on the selected row too: a
	// cleared session keeps the status waiting, and the header badge and
	// the tab's title used to count it.
	counts := func(n int) string {
		return fmt.Sprintf(`(b => !!b && b.textContent === "%[1]d waiting")(document.getElementById("waiting")) &&
			document.title.startsWith("(%[1]d) Helm") && document.querySelector("#needs-you h2").textContent === "Needs you (%[1]d)"`, n)
	}
	c.waitJS(5*time.Second, "seven waiting in the badge, the title and the group", counts(7))
	click(c, needsSel("claude:"+asks)+" button.clear")
	c.waitJS(5*time.Second, "six waiting everywhere after a clear", counts(6))
	keys(c, "j") // the newest activity: the turn that ended last
	c.waitJS(5*time.Second, "the row selected", fmt.Sprintf(`(e => !!e && e.classList.contains("selected"))(document.querySelector(%s))`,
		jsString(rowSel("claude:"+later))))
	keys(c, "x")
	c.waitJS(5*time.Second, "five waiting everywhere after the x key", counts(5))
	// x selects the next session Needs you shows, so that pressing it
	// again works through the group: it stayed on the row just cleared.
	// The focus goes with it: a key goes to the focused row, which a
	// row Tab reached makes the selected one.
	c.waitJS(5*time.Second, "the group's first row selected in the list, and focused", fmt.Sprintf(
		`(e => !!e && e.classList.contains("selected") && document.activeElement?.closest("li.session") === e)(document.querySelector(%s))`,
		jsString(rowSel(turns[0]))))
	// The focus stays with the selected session when a render moves the
	// rows: go-app reuses each row's element for whatever session is now
	// at its place, and the focus was left on one showing another, which
	// Enter or x then acted on. Sorting by messages moves the session
	// that asks (one message) to the end, and the rows after it up.
	sortBy := func(v string) string {
		return fmt.Sprintf(`(s => { s.value = %s; s.dispatchEvent(new Event("change", {bubbles: true})); })(document.getElementById("sort"));`, jsString(v))
	}
	focusedOn := func(key string, rows int, asksLast bool) string {
		return fmt.Sprintf(`(e => !!e && e.matches("li.session.selected") && e.dataset.key === %s &&
			document.querySelectorAll("#sessions > li.session").length === %d &&
			(document.querySelector("#sessions > li.session:last-child")?.dataset.key === %s) === %t)(document.activeElement)`,
			jsString(key), rows, jsString("claude:"+asks), asksLast)
	}
	mustEval[bool](c, sortBy("messages")+` true`)
	c.waitJS(5*time.Second, "the rows sorted by messages, the focus still on the selected session", focusedOn(turns[0], 7, true))
	// A search leaves the selected row alone; then, in one task, as a
	// feed update and a key can come within one frame: Esc clears the
	// search, the rows go back to their order, and j selects the next
	// session, whose row the page, drawn before the rows came back, did
	// not have to focus yet.
	mustEval[bool](c, `(s => { s.value = "eel"; s.dispatchEvent(new Event("input", {bubbles: true})); return true; })(document.getElementById("search"))`)
	c.waitJS(5*time.Second, "the search's one row, focused", focusedOn(turns[0], 1, false))
	// Each key goes to the element focused as it is pressed: a render
	// may come between them, when handling one takes longer than a frame.
	press := func(k string) string {
		return fmt.Sprintf(`document.activeElement.dispatchEvent(new KeyboardEvent("keydown", {key: %s, bubbles: true}));`, jsString(k))
	}
	mustEval[bool](c, press("Escape")+sortBy("activity")+press("j")+` true`)
	c.waitJS(5*time.Second, "every row back in its order, the focus on the session j selected", focusedOn(turns[1], 7, false))
	keys(c, "x")
	c.waitJS(5*time.Second, "four waiting everywhere after x again", counts(4))
	if !mustEval[bool](c, `!document.querySelector(`+jsString(needsSel(turns[1]))+`)`) {
		t.Errorf("x cleared another session than the one selected and focused: %s", c.describe())
	}

	// On a phone a row's facts stay on one line beside its buttons: the
	// project used to drop alone onto a line of its own.
	viewport(c, 375, 812, true, "light")
	if broken := mustEval[[]string](c, `[...document.querySelectorAll("#needs-you li.needs")].filter(r => {
		const tops = [...r.querySelectorAll(".meta > *")].map(e => Math.round(e.getBoundingClientRect().top));
		const meta = r.querySelector(".meta").getBoundingClientRect(), acts = r.querySelector(".actions").getBoundingClientRect();
		const overlap = meta.right > acts.left && acts.right > meta.left && meta.bottom > acts.top && acts.bottom > meta.top;
		return new Set(tops).size !== 1 || overlap || r.querySelector(".project").getBoundingClientRect().width < 1;
	}).map(r => r.querySelector(".meta").innerText.replace(/\s+/g, " "))`); len(broken) > 0 {
		t.Errorf("at 375 px these rows' facts wrap, hide the project or run under the buttons: %q", broken)
	}
	if w := mustEval[float64](c, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("the page is %v px wide on a 375 px phone", w)
	}
	// There a finished turn's row drops its pill (its time says "waiting
	// 3 min"), but a permission's keeps it, whole, below the title, which
	// keeps most of its line: the pill is the only place the row says
	// what the agent is stopped for.
	pill := func(key string) string {
		return mustEval[string](c, fmt.Sprintf(`(r => {
			const p = r.querySelector(".status"), t = r.querySelector(".title").getBoundingClientRect(), b = p.getBoundingClientRect();
			const row = r.getBoundingClientRect();
			if (b.width < 1) return "hidden";
			if (b.top < t.bottom - 1 || b.right > row.right || p.scrollWidth > p.clientWidth) return "beside the title, or cut";
			if (t.width < row.width / 2) return "the title left " + Math.round(t.width) + " px";
			return p.textContent;
		})(document.querySelector(%s))`, jsString(rowSel(key))))
	}
	if got := pill("claude:" + asks); got != "permission: Bash" {
		t.Errorf("at 375 px the permission's row pill is %q, want \"permission: Bash\"", got)
	}
	if got := pill(turns[0]); got != "hidden" {
		t.Errorf("at 375 px a finished turn's row pill is %q, want hidden", got)
	}
}

// postHook sends helmd a hook payload, as `helmd hook` forwards one.
func postHook(t *testing.T, p *proc, payload string) {
	t.Helper()
	resp, err := http.Post(p.URL+"/api/hooks", "application/json", strings.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/hooks: %s", resp.Status)
	}
}
