package e2e

import (
	"strings"
	"testing"
	"time"
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
