package e2e

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/internal/fixture"
)

// testServerFaults: the indicator tells the truth while the server
// or the network fails, and the list recovers. The page URL shortens the
// client's backoff (1 s → 100 ms), poll (5 s → 250 ms) and stream retry
// (60 s → 1 s) periods; the sequence is the one a user would see, only
// faster.
func testServerFaults(t *testing.T, b *browser) {
	claude, p := serveClaude(t, "first session")
	proxy := newFaultProxy(t, p.URL)
	c := b.tab(t)
	c.navigate(proxy.URL + "/?backoff=100ms&poll=250ms&retry=1s")
	waitLive(c)
	rowA, rowB, rowC := rowSel("claude:"+sidA), rowSel("claude:"+sidB), rowSel("claude:"+sidC)

	// Everything fails: the stream breaks, the REST probe fails → Offline,
	// the list stays, marked with its age.
	cut := time.Now()
	proxy.set(failAll)
	c.waitJS(5*time.Second, "the indicator to leave Live", `document.getElementById("conn").dataset.state !== "live"`)
	if st, label := c.conn(); st != "connecting" && st != "offline" {
		t.Fatalf("after the stream broke the indicator says %s (%q), want connecting or offline", st, label)
	}
	c.waitConn(5*time.Second, "offline", "Offline")
	t.Logf("FIGURE everything failing→Offline shown: %v", time.Since(cut).Round(time.Millisecond))
	c.waitJS(2*time.Second, "the list kept with its age", `(e => e && e.getClientRects().length > 0)(document.getElementById("cache-age"))`)
	if c.text(rowA+" .title") != "first session" {
		t.Fatalf("offline, the list is gone: %s", c.describe())
	}

	// A session appears while nothing answers; when the server is back
	// the stream reopens and the list catches up.
	pathB := fixture.Path(claude, cwd, sidB)
	fixture.Append(t, pathB, fixture.User(sidB, cwd, "written while down", time.Now()))
	back := time.Now()
	proxy.set(passAll)
	c.waitConn(10*time.Second, "live", "Live")
	t.Logf("FIGURE server back→Live: %v", time.Since(back).Round(time.Millisecond))
	c.waitJS(3*time.Second, "the list to catch up", hasText(rowB+" .title", "written while down"))
	c.waitJS(2*time.Second, "the cache age notice to go once live", `!document.getElementById("cache-age")`)

	// Only the stream fails: the client retries it 5 times (Connecting:
	// the REST probes answer), then polls, and polling brings changes.
	cut = time.Now()
	proxy.set(failStream)
	c.waitJS(5*time.Second, "the indicator to leave Live", `document.getElementById("conn").dataset.state !== "live"`)
	if st, label := c.conn(); st != "connecting" && st != "polling" {
		t.Fatalf("with REST answering the indicator says %s (%q), want connecting, then polling", st, label)
	}
	// The page asked for ?backoff=100ms&poll=250ms&retry=1s: a client that
	// ignores them needs 1+2+4+8+16 s of backoff, and fails here.
	c.waitConn(15*time.Second, "polling", "Polling")
	t.Logf("FIGURE stream failing→Polling shown (5 reconnects, backoff from 100ms): %v", time.Since(cut).Round(time.Millisecond))
	fixture.Append(t, fixture.Path(claude, cwd, sidC), fixture.User(sidC, cwd, "written while polling", time.Now()))
	if err := os.Remove(pathB); err != nil {
		t.Fatal(err)
	}
	c.waitJS(3*time.Second, "polling to show the new session and drop the deleted one",
		hasText(rowC+" .title", "written while polling")+" && !"+present(rowB))
	if st, _ := c.conn(); st != "polling" {
		t.Fatalf("the changes should have come by polling, but the indicator says %s", st)
	}
	// A poll costs what changed since the list the page holds: nothing
	// (304) while nothing changes, the change itself after one.
	waitUntil(t, 10*time.Second, "a poll answered 304 while nothing changed", func() bool { return proxy.sinceNotModified.Load() > 0 })
	notModified := proxy.sinceNotModified.Load()
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.Assistant(sidA, cwd, "msg_a1", "end_turn", time.Now()))
	c.waitJS(3*time.Second, "polling to show the append", hasText(rowA+" .messages", "2 messages"))
	if n := proxy.sinceEvents.Load(); n == 0 || notModified == 0 {
		t.Errorf("while polling, helmd answered %d polls 304 and %d with events; want both, not the whole list each time", notModified, n)
	}
	if st, label := c.conn(); st != "polling" {
		t.Fatalf("after polls answered 304 the indicator says %s (%q), want polling", st, label)
	}
	c.screenshots("faults-polling")

	// The stream is back: Live again (retried every second here), and
	// changes flow live.
	back = time.Now()
	proxy.set(passAll)
	c.waitConn(10*time.Second, "live", "Live")
	t.Logf("FIGURE stream back→Live from polling: %v", time.Since(back).Round(time.Millisecond))
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.Assistant(sidA, cwd, "msg_a2", "end_turn", time.Now()))
	c.waitJS(3*time.Second, "an append shown live", hasText(rowA+" .messages", "3 messages"))
	if n := c.text("#count"); n != "2 sessions" {
		t.Fatalf("#count = %q after catching up", n)
	}
}

// testOfflineFromCache: with the server gone, a reload still shows
// the last list (the service worker's page, the list from storage),
// marked Offline with its age.
func testOfflineFromCache(t *testing.T, b *browser) {
	claude, p := serveClaude(t, "first session")
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	waitWorker(c, p.URL)
	// The list the page carried is saved once Live, changed or not: it
	// was saved only at its first change, and one that did not change
	// was not there offline.
	c.waitJS(5*time.Second, "the list saved", `localStorage.getItem("helm.sessions.v2") !== null`)

	// What an older client saved, in a form this one does not read: the
	// next save frees its share of the origin's quota.
	c.do(5*time.Second, "an older client's list", chromedp.Evaluate[chromedp.Void](`localStorage.setItem("helm.sessions.v1", "x".repeat(1 << 20))`))

	// B arrives live after the worker cached the page: after the reload it
	// can only come from the list saved in browser storage.
	fixture.Append(t, fixture.Path(claude, cwd, sidB), fixture.User(sidB, cwd, "seen live", time.Now()))
	rowB := rowSel("claude:" + sidB)
	c.waitJS(3*time.Second, "the live row", hasText(rowB+" .title", "seen live"))
	c.waitJS(5*time.Second, "the older client's list removed", `localStorage.getItem("helm.sessions.v1") === null`)

	p.terminate(t)
	if resp, err := http.Get(p.URL + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("helmd still answers after SIGTERM")
	}
	c.navigate(p.URL + "/")
	c.waitJS(30*time.Second, "the wasm client, from the worker's cache", `document.body.dataset.wasm === "ready"`)
	c.waitConn(10*time.Second, "offline", "Offline")
	for key, title := range map[string]string{"claude:" + sidA: "first session", "claude:" + sidB: "seen live"} {
		if got := c.text(rowSel(key) + " .title"); got != title {
			t.Fatalf("offline row %s reads %q, want %q\npage: %s", key, got, title, c.describe())
		}
	}
	if !mustEval[bool](c, `(e => !!e && e.getClientRects().length > 0)(document.getElementById("cache-age"))`) {
		t.Fatalf("#cache-age not visible offline: %s", c.describe())
	}
	age := c.text("#cache-age")
	saved, _ := c.attr("#cache-age", "data-saved-at")
	var savedMs int64
	if _, err := fmt.Sscan(saved, &savedMs); err != nil || savedMs <= 0 || savedMs > time.Now().UnixMilli() {
		t.Fatalf("#cache-age data-saved-at=%q", saved)
	}
	if !strings.Contains(age, "Offline") {
		t.Fatalf("#cache-age says %q", age)
	}
	t.Logf("offline notice: %q", age)
	c.screenshots("offline")
}

// xssTitle tries a script, an event handler, and breaking out of an
// attribute (the title attribute, the seed's data attribute).
const xssTitle = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2;document.title='pwned'"> "><svg onload="window.__pwned=3"> '><b>bold</b>`
