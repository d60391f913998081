package e2e

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// These tests stop helmd under an open page and start one again on the
// same port: the same helmd (the page is Live again within seconds), or
// another one (the page must not show its sessions as its own).
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -run Recover ./server/e2e/

// TestRecoverBrowser runs those of the list in one Chromium, and
// TestRecoverPagesBrowser those of the session and usage pages in
// another, beside it: together they took ~58 s, waiting out outages.
func TestRecoverBrowser(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	t.Run("LiveSoonAfterHelmdReturns", func(t *testing.T) { testLiveSoonAfterReturn(t, b) })
	t.Run("AnotherHelmdOnThePort", func(t *testing.T) { testAnotherHelmd(t, b) })
	t.Run("ADemoRestartedOnThePort", func(t *testing.T) { testDemoRestarted(t, b) })
	t.Run("ItsHelmBackAfterAnother", func(t *testing.T) { testBackAfterAnother(t, b) })
}

func TestRecoverPagesBrowser(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	t.Run("SessionPageNamesItsHelm", func(t *testing.T) { testSessionPageNamesItsHelm(t, b) })
	t.Run("UsagePageNamesItsHelm", func(t *testing.T) { testUsagePageNamesItsHelm(t, b) })
	t.Run("SessionPageBackAfterAnother", func(t *testing.T) { testSessionPageBackAfterAnother(t, b, sidB) })
	t.Run("SessionPageBackAfterAnotherWithItsID", func(t *testing.T) { testSessionPageBackAfterAnother(t, b, sidA) })
}

// testSessionPageBackAfterAnother: a session's page under another Helm,
// as the list's (testBackAfterAnother). Its helmd stops and another one
// (another user's folders, holding a session with id otherID: another
// one, or one of the page's session's id) answers on the port: the page
// says another Helm answers and names its own, never that the session is
// gone, and shows nothing of the other's. That one stops and the page's
// helmd starts again: the page is Live again by itself, with the
// session's messages, and follows what is written next.
func testSessionPageBackAfterAnother(t *testing.T, b *browser, otherID string) {
	claudeA, claudeB := t.TempDir(), t.TempDir()
	path := fixture.Path(claudeA, cwd, sidA)
	fixture.Append(t, path, fixture.User(sidA, cwd, "Alpha's first prompt", time.Now()))
	fixture.Append(t, fixture.Path(claudeB, "/home/other/secret", otherID), fixture.User(otherID, "/home/other/secret", "Beta's private work", time.Now()))
	port := strconv.Itoa(freePort(t))
	a := serveOn(t, port, claudeA, "alpha")
	c := b.tab(t)
	c.navigate(a.URL + "/s/claude/" + sidA)
	waitLive(c)
	c.waitJS(10*time.Second, "alpha's message", msgsWith("Alpha's first prompt"))
	// Everything the page says from now on, however briefly.
	mustEval[bool](c, `(() => {
		const said = window.__said = new Set();
		const look = () => {
			const s = document.getElementById("session");
			if (s) said.add("state:" + s.dataset.state);
			if (document.getElementById("session-gone")) said.add("gone notice");
			if (document.body.textContent.includes("Beta's")) said.add("beta's data");
		};
		new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
		return true;
	})()`)
	t.Cleanup(func() { // before the tab closes (cleanups run last first)
		if t.Failed() {
			t.Logf("the page said %v", mustEval[[]string](c, `[...window.__said]`))
		}
	})

	a.terminate(t)
	other := serveOn(t, port, claudeB, "beta")
	since := time.Now()
	c.waitJS(15*time.Second, "the page to say another Helm answers", present("#elsewhere"))
	t.Logf("FIGURE session page says Other Helm %v after another helmd answers on its port", time.Since(since).Round(10*time.Millisecond))
	c.waitConn(10*time.Second, "elsewhere", "Other Helm")
	if got := c.text("#elsewhere"); !containsAny(got, "the Helm on alpha answers here again") {
		t.Errorf("the notice reads %q", got)
	}
	// The other Helm holds the port a while: the page's checks meet it
	// again and again.
	<-time.After(elsewhereOutage)
	if state, _ := c.conn(); state != "elsewhere" {
		t.Errorf("indicator %s while the other Helm still answers, want elsewhere", state)
	}
	if got := c.text("#session-header #host"); got != "alpha" {
		t.Errorf("header names %q, want alpha", got)
	}
	other.terminate(t)

	fixture.Append(t, path, fixture.User(sidA, cwd, "Written while away", time.Now()))
	serveOn(t, port, claudeA, "alpha")
	back := time.Now()
	c.waitConn(8*time.Second, "live", "Live")
	t.Logf("FIGURE session page Live %v after its helmd came back (another Helm on the port %v before)", time.Since(back).Round(10*time.Millisecond), elsewhereOutage)
	c.waitJS(5*time.Second, "the message written while away", msgsWith("Written while away")+` && !document.getElementById("elsewhere")`)
	fixture.Append(t, path, fixture.User(sidA, cwd, "Written after the return", time.Now()))
	c.waitJS(5*time.Second, "the message written after the return", msgsWith("Written after the return"))
	said := mustEval[[]string](c, `[...window.__said]`)
	if containsAny(fmt.Sprint(said), "gone", "missing", "beta's data") {
		t.Errorf("under the other Helm the page said %v", said)
	}
}

// testUsagePageNamesItsHelm: the usage page names its Helm in its
// requests, as the list does. Another Helm answering at the address (a
// demo, another user's helmd) then says so, and the page hides the
// figures, where it showed that Helm's usage as its own; its own Helm
// back, its figures come back with the next reading.
func testUsagePageNamesItsHelm(t *testing.T, b *browser) {
	claudeA, claudeB := t.TempDir(), t.TempDir()
	at := time.Now().Add(-time.Minute)
	fixture.Append(t, fixture.Path(claudeA, cwd, sidA), fixture.User(sidA, cwd, "Alpha's work", at)+fixture.Assistant(sidA, cwd, "msg_a", "end_turn", at))
	fixture.Append(t, fixture.Path(claudeB, "/home/other/secret", sidB), fixture.User(sidB, "/home/other/secret", "Beta's work", at))
	port := strconv.Itoa(freePort(t))
	a := serveOn(t, port, claudeA, "alpha")
	c := b.tab(t)
	c.navigate(a.URL + "/usage")
	c.waitJS(30*time.Second, "alpha's figures", present("#usage-total"))
	total := c.text("#usage-total")

	a.terminate(t)
	other := serveOn(t, port, claudeB, "beta")
	click(c, "#usage-reload")
	c.waitJS(10*time.Second, "the page to say another Helm answers", present("#elsewhere")+` && !document.getElementById("usage-total")`)
	if got := c.text("#elsewhere"); !containsAny(got, "the Helm on alpha answers here again") {
		t.Errorf("the notice reads %q", got)
	}
	other.terminate(t)

	serveOn(t, port, claudeA, "alpha")
	click(c, "#usage-reload")
	c.waitJS(10*time.Second, "alpha's figures again", present("#usage-total")+` && !document.getElementById("elsewhere")`)
	if got := c.text("#usage-total"); got != total {
		t.Errorf("the total reads %q, want alpha's %q", got, total)
	}
}

// testSessionPageNamesItsHelm: a session's page names the machine whose
// session it is, as the list does, opened by its link (the server's
// render) or from the list (the client's), and its tab is named after
// the session; the list reached back from it names the machine too.
func testSessionPageNamesItsHelm(t *testing.T, b *browser) {
	claude := t.TempDir()
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.User(sidA, cwd, "Name the machine", time.Now()))
	p := serveOn(t, strconv.Itoa(freePort(t)), claude, "gamma")
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sidA)
	c.waitJS(30*time.Second, "the wasm client", `document.body.dataset.wasm === "ready"`)
	c.waitJS(10*time.Second, "the machine in the header, opened by its link", hasText("#session-header #host", "gamma"))
	c.waitJS(10*time.Second, "the tab named after the session", `document.title === "Name the machine · Helm"`)
	click(c, "#back")
	waitLive(c)
	// The list it goes back to has no seed in the page: it still knows.
	c.waitJS(5*time.Second, "the machine in the list's header, back from the session", hasText("#host", "gamma"))
	click(c, rowSel("claude:"+sidA)+" .title")
	c.waitJS(10*time.Second, "the session's page, from the list", `location.pathname === "/s/claude/`+sidA+`"`)
	c.waitJS(10*time.Second, "the machine in the header, from the list", hasText("#session-header #host", "gamma"))
}

// serveOn starts helmd on port over claude, named host.
func serveOn(t *testing.T, port, claude, host string) *proc {
	t.Helper()
	p := startBinary(t, t.TempDir(), "--port", port, "--claude-dir", claude, "--no-opencode",
		"--keepalive", "2s", "--debounce", "50ms", "--host-name", host)
	needClient(t, p)
	return p
}

// backoffBudget is how long the page's reconnects take, with the page's
// ?backoff=100ms, before it falls back to polling: 5 attempts, 100 ms
// doubling, +25 % jitter at most.
const backoffBudget = 100 * time.Millisecond * (1 + 2 + 4 + 8 + 16) * 5 / 4

// testLiveSoonAfterReturn: helmd is down longer than the page's whole
// backoff, so the page has fallen back to polling (and its periodic
// stream retry is set to 10 minutes); helmd returns on the same port; the
// page is Live within 5 s, because the first poll that answers retries
// the stream at once.
func testLiveSoonAfterReturn(t *testing.T, b *browser) {
	claude := t.TempDir()
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.User(sidA, cwd, "Survive the outage", time.Now()))
	port := strconv.Itoa(freePort(t))
	p := serveOn(t, port, claude, "devbox")
	c := b.tab(t)
	c.navigate(p.URL + "/?backoff=100ms&retry=10m")
	waitLive(c)
	c.waitJS(5*time.Second, "the row", present(rowSel("claude:"+sidA)))
	// Count the page's checks for a new build (go-app's, which asks the
	// service worker to look): the helmd that returns may be an upgrade.
	mustEval[int](c, `(check => { window.goappTryUpdate = () => { window.__updateChecks++; check(); }; return window.__updateChecks = 0; })(window.goappTryUpdate)`)

	p.terminate(t)
	c.waitConn(10*time.Second, "offline", "Offline")
	// The outage itself: the scenario, not a synchronisation. It outlasts
	// the backoff, so the page is polling when helmd returns.
	<-time.After(backoffBudget + 2*time.Second)
	if title, _ := c.attr("#conn", "title"); title == "" || containsAny(title, "TypeError", "Failed to fetch", "NetworkError") {
		t.Errorf("the indicator's tooltip %q is not a plain sentence", title)
	}

	serveOn(t, port, claude, "devbox")
	back := time.Now()
	c.waitConn(5*time.Second, "live", "Live")
	t.Logf("FIGURE Live %v after helmd came back (outage %v, page polling)", time.Since(back).Round(10*time.Millisecond), backoffBudget+2*time.Second)
	c.waitJS(5*time.Second, "the row after the return", present(rowSel("claude:"+sidA)))
	// A page kept open across an upgrade learns of the new build only by
	// asking: the browser checks the worker when a page loads.
	c.waitJS(5*time.Second, "a check for a new build once Live again", `window.__updateChecks >= 1`)
}

// openAlpha serves alpha's folders on a free port and opens its list,
// Live with alpha's session; beta's folders, another user's, are ready
// for another helmd on that port.
func openAlpha(t *testing.T, b *browser) (claudeA, claudeB, port string, a *proc, c *chrome) {
	t.Helper()
	claudeA, claudeB = t.TempDir(), t.TempDir()
	fixture.Append(t, fixture.Path(claudeA, cwd, sidA), fixture.User(sidA, cwd, "Alpha's work", time.Now()))
	fixture.Append(t, fixture.Path(claudeB, "/home/other/secret", sidB), fixture.User(sidB, "/home/other/secret", "Beta's private work", time.Now()))
	port = strconv.Itoa(freePort(t))
	a = serveOn(t, port, claudeA, "alpha")
	c = b.tab(t)
	c.navigate(a.URL + "/?backoff=100ms")
	waitLive(c)
	c.waitJS(5*time.Second, "alpha's row", present(rowSel("claude:"+sidA)))
	return claudeA, claudeB, port, a, c
}

// testAnotherHelmd: the page's helmd stops and another one (another
// user's folders, another host name) starts on the same port. The page
// never shows the other's sessions; it hides its old list and says so,
// and a reload shows the other Helm, named.
func testAnotherHelmd(t *testing.T, b *browser) {
	_, claudeB, port, a, c := openAlpha(t, b)
	if got := c.text("#host"); got != "alpha" {
		t.Errorf("header names %q, want alpha", got)
	}
	recordRows(c)

	a.terminate(t)
	c.waitConn(10*time.Second, "offline", "Offline")
	serveOn(t, port, claudeB, "beta")
	c.waitJS(15*time.Second, "the page to say another Helm answers", present("#elsewhere"))
	if state, label := c.conn(); state != "elsewhere" || label != "Other Helm" {
		t.Errorf("indicator %s %q, want elsewhere \"Other Helm\"", state, label)
	}
	if n := mustEval[int](c, `document.querySelectorAll("li.session").length`); n != 0 {
		t.Errorf("%d rows still shown under another Helm", n)
	}
	if got := c.text("#count"); got != "0 sessions" || mustEval[string](c, `document.title`) != "Helm" {
		t.Errorf("the old list still speaks: count %q, title %q", got, mustEval[string](c, `document.title`))
	}
	if seen := seenRows(c); containsAny(fmt.Sprint(seen), sidB) {
		t.Fatalf("the page showed the other Helm's session: %v", seen)
	}
	if txt := c.text("#elsewhere"); !containsAny(txt, "alpha") {
		t.Errorf("the notice does not name the page's Helm: %q", txt)
	}

	click(c, "#elsewhere button")
	c.waitJS(30*time.Second, "the reloaded page", `document.body.dataset.wasm === "ready" && document.getElementById("host") && document.getElementById("host").textContent === "beta"`)
	c.waitConn(15*time.Second, "live", "Live")
	c.waitJS(5*time.Second, "beta's row", present(rowSel("claude:"+sidB)))
	if n := mustEval[int](c, `document.querySelectorAll("li.session").length`); n != 1 {
		t.Errorf("%d rows after the reload, want beta's 1", n)
	}
}

// recordRows records, from now on, the key of every row the page shows
// (seenRows reads them), however briefly.
func recordRows(c *chrome) {
	c.t.Helper()
	mustEval[bool](c, `(() => {
		const seen = window.__seen = new Set();
		const look = () => document.querySelectorAll("li.session").forEach(r => seen.add(r.dataset.key));
		new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true});
		return true;
	})()`)
}

func seenRows(c *chrome) []string {
	c.t.Helper()
	return mustEval[[]string](c, `[...window.__seen]`)
}

// elsewhereOutage is how long the other helmd holds the port after the
// page said "Other Helm": the scenario, not a synchronisation. It outlasts
// the page's checks' climb (from ?backoff=100ms, doubling) to their bound
// of 4 s, so the return below is seen at the slowest pace.
const elsewhereOutage = 6 * time.Second

// testBackAfterAnother: the page's helmd stops, another one (another
// user's folders) answers on the port, and the page says "Other Helm";
// then that one stops and the page's helmd starts again on the port. The
// page keeps checking meanwhile and is Live again by itself within
// seconds, with its own Helm's sessions as they are now (one added
// during the outage), without a reload, and never showed the other's.
func testBackAfterAnother(t *testing.T, b *browser) {
	claudeA, claudeB, port, a, c := openAlpha(t, b)
	recordRows(c)

	a.terminate(t)
	c.waitConn(10*time.Second, "offline", "Offline")
	other := serveOn(t, port, claudeB, "beta")
	c.waitJS(15*time.Second, "the page to say another Helm answers", present("#elsewhere"))
	c.waitConn(10*time.Second, "elsewhere", "Other Helm")
	<-time.After(elsewhereOutage)
	if state, _ := c.conn(); state != "elsewhere" {
		t.Fatalf("indicator %s while the other Helm still answers, want elsewhere", state)
	}
	if n := mustEval[int](c, `document.querySelectorAll("li.session").length`); n != 0 {
		t.Fatalf("%d rows shown under another Helm", n)
	}
	other.terminate(t)

	// The page's Helm comes back with a session more than it had.
	fixture.Append(t, fixture.Path(claudeA, cwd, sidC), fixture.User(sidC, cwd, "Written while away", time.Now()))
	serveOn(t, port, claudeA, "alpha")
	back := time.Now()
	c.waitConn(8*time.Second, "live", "Live")
	t.Logf("FIGURE Live %v after the page's helmd came back (another Helm on the port %v before)", time.Since(back).Round(10*time.Millisecond), elsewhereOutage)
	c.waitJS(5*time.Second, "alpha's rows, the new one too", present(rowSel("claude:"+sidA))+" && "+present(rowSel("claude:"+sidC)))
	if present := mustEval[bool](c, `!!document.getElementById("elsewhere")`); present {
		t.Error("the Other Helm notice stays after the page's Helm came back")
	}
	if got := c.text("#host"); got != "alpha" {
		t.Errorf("header names %q, want alpha", got)
	}
	if got := c.text("#count"); got != "2 sessions" {
		t.Errorf("count %q, want 2 sessions", got)
	}
	if seen := seenRows(c); containsAny(fmt.Sprint(seen), sidB) {
		t.Fatalf("the page showed the other Helm's session: %v", seen)
	}
}

// testDemoRestarted: a demo stopped and started again on the same port
// is the same Helm, though each run simulates sessions of its own: the
// page open on the first run never says "Other Helm"; it is Live again
// and shows the new run's sessions, none of the first's.
func testDemoRestarted(t *testing.T, b *browser) {
	port := strconv.Itoa(freePort(t))
	demo := func() *proc {
		p := startBinary(t, t.TempDir(), "--port", port, "--demo", "--keepalive", "2s", "--host-name", "demo-box")
		needClient(t, p)
		return p
	}
	first := demo()
	c := b.tab(t)
	c.navigate(first.URL + "/?backoff=100ms")
	waitLive(c)
	c.waitJS(10*time.Second, "the first run's rows", `document.querySelectorAll("li.session").length > 0`)
	before, err := json.Marshal(rowKeys(c))
	if err != nil {
		t.Fatal(err)
	}
	mustEval[bool](c, `(() => {
		window.__elsewhere = false;
		const look = () => { if (document.getElementById("elsewhere")) window.__elsewhere = true; };
		new MutationObserver(look).observe(document, {subtree: true, childList: true});
		return true;
	})()`)

	first.terminate(t)
	c.waitConn(10*time.Second, "offline", "Offline")
	demo()
	c.waitConn(15*time.Second, "live", "Live")
	c.waitJS(10*time.Second, "the new run's rows, none of the first's", `(before => {
		const rows = [...document.querySelectorAll("li.session")].map(r => r.dataset.key);
		return rows.length > 0 && !rows.some(k => before.includes(k));
	})(`+string(before)+`)`)
	if mustEval[bool](c, `window.__elsewhere`) {
		t.Error("the page said another Helm answers, for the same demo restarted")
	}
	if got := c.text("#host"); got != "demo-box" {
		t.Errorf("header names %q, want demo-box", got)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
