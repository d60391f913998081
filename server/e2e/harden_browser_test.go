package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestBrowserCraftedLink: a link from any website to a crafted Helm URL
// must not put live markup in the page (a meta refresh here), and must
// not become the page the service worker serves offline.
func TestBrowserCraftedLink(t *testing.T) {
	b := startBrowser(t)
	_, p := serveClaude(t, "first session")
	c := b.tab(t)
	c.navigate(p.URL + "/")
	c.waitJS(30*time.Second, "the wasm client", `document.body.dataset.wasm === "ready"`)
	waitWorker(c, p.URL)

	// With the worker in control, the crafted navigation goes through it.
	const crafted = `/%22%3E%3Cmeta%20http-equiv=refresh%20content=%220;url=/poisoned%22%3E`
	unpoisoned := func(when string) {
		t.Helper()
		c.waitJS(30*time.Second, "the wasm client "+when, `document.body.dataset.wasm === "ready"`)
		if mustEval[bool](c, `!!document.querySelector("meta[http-equiv]")`) {
			t.Errorf("%s: the page has a live meta http-equiv", when)
		}
		if path := mustEval[string](c, `location.pathname`); strings.HasPrefix(path, "/poisoned") {
			t.Errorf("%s: the page was refreshed to %s", when, path)
		}
	}
	c.navigate(p.URL + crafted)
	unpoisoned("on the crafted URL")

	// What the worker keeps for offline use is its own shell of "/".
	shell := mustEval[string](c, `caches.keys().then(ks => Promise.all(ks.map(k =>
		caches.open(k).then(c => c.match("/")).then(r => r ? r.text() : "")))).then(ts => ts.join("\n"))`)
	if !strings.Contains(shell, "app-wasm-loader") {
		t.Fatalf("no shell cached for /: %.300s", shell)
	}
	if strings.Contains(shell, "http-equiv") || strings.Contains(shell, "poisoned") {
		t.Errorf("the cached shell holds the crafted page")
	}

	// Offline, any path gets that clean shell.
	p.terminate(t)
	for _, path := range []string{"/", crafted} {
		c.navigate(p.URL + path)
		unpoisoned("offline at " + path)
		c.waitConn(10*time.Second, "offline", "Offline")
	}
}

// TestBrowserFirstScreenThenAll: the server's page carries only the
// newest sessions (a first paint, bounded whatever the list's size); the
// count says how many there are, and the stream brings the rest: the
// oldest session, not in the page, is found by a search once live.
func TestBrowserFirstScreenThenAll(t *testing.T) {
	const n = 150
	b := startBrowser(t)
	claude := t.TempDir()
	start := time.Now().Add(-time.Hour)
	sid := func(i int) string { return fmt.Sprintf("5e000000-0000-4000-8000-%012d", i) }
	for i := range n {
		title := fmt.Sprintf("session %03d", i)
		if i == 0 {
			title = "needle in the tail" // the oldest
		}
		fixture.Append(t, fixture.Path(claude, cwd, sid(i)), fixture.User(sid(i), cwd, title, start.Add(time.Duration(i)*time.Second)))
	}
	p := serveList(t, claude)

	c := b.tab(t)
	c.onEveryDocument(onServerPage(`
		const seed = JSON.parse(document.getElementById("seed").dataset.seed);
		// The sessions are a snapshot (shared/snapshot): "HLS1", then
		// their count as a uvarint.
		const list = seed.list || {};
		const snap = atob(list.snapshot || "");
		let n = 0;
		for (let i = 4, shift = 0; i < snap.length; i++, shift += 7) {
			n += (snap.charCodeAt(i) & 0x7f) * 2 ** shift;
			if (snap.charCodeAt(i) < 0x80) break;
		}
		window.__seed = {n, total: list.total || 0};
		window.__count = document.getElementById("count").textContent;
	`))
	c.navigate(p.URL + "/")
	waitLive(c)
	seed := mustEval[struct{ N, Total int }](c, `window.__seed`)
	if seed.N != 60 || seed.Total != n {
		t.Errorf("the page's seed holds %d sessions of %d; want 60 of %d", seed.N, seed.Total, n)
	}
	if got := strings.Join(strings.Fields(mustEval[string](c, `window.__count`)), " "); got != fmt.Sprintf("%d sessions", n) {
		t.Errorf("the server's page counts %q", got)
	}
	c.do(5*time.Second, "focusing the search", chromedp.Evaluate[chromedp.Void](`document.getElementById("search").focus()`))
	keys(c, "needle")
	waitRows(c, "the oldest session, from the stream", sid(0))
}

// TestBrowserShellWhenServerFails: a navigation the server cannot answer
// (a proxy's 502 here; helmd's own 503 when too busy to render) gets the
// worker's shell, which shows the saved list, not an error page.
func TestBrowserShellWhenServerFails(t *testing.T) {
	b := startBrowser(t)
	_, p := serveClaude(t, "first session")
	proxy := newFaultProxy(t, p.URL)
	c := b.tab(t)
	c.navigate(proxy.URL + "/")
	waitLive(c)
	waitWorker(c, proxy.URL)

	proxy.set(failAll)
	c.navigate(proxy.URL + "/")
	c.waitJS(30*time.Second, "the wasm client, from the worker's shell", `document.body.dataset.wasm === "ready"`)
	if body := mustEval[string](c, `document.body.innerText`); strings.Contains(body, "upstream gone") {
		t.Fatalf("the proxy's error page is shown: %q", body)
	}
	if got := c.text(rowSel("claude:"+sidA) + " .title"); got != "first session" {
		t.Errorf("the saved row reads %q", got)
	}
}
