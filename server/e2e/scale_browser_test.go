//go:build helmbench

package e2e

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestScaleBrowser is a measurement, not a test of behaviour: it opens
// the list over a large shared corpus (helmbench's 100,000 sessions) and
// reports navigation→Live, then checks that a search still reaches the
// whole list. It is built only with the helmbench tag, which `make bench`
// gives it with the corpus (a Claude root) in HELM_SCALE_CORPUS, so that
// `make test` neither runs nor skips it:
//
//	HELM_SCALE_CORPUS=$BENCH_DIR/corpus-100k HELM_BIN=$PWD/bin/helmd \
//	  go test -tags helmbench -count=1 -v -run 'TestScaleBrowser' ./server/e2e/
//
// The corpus is only read (helmd never writes transcripts); its scan
// state goes to the test's own cache folder.
func TestScaleBrowser(t *testing.T) {
	corpus := os.Getenv("HELM_SCALE_CORPUS")
	if corpus == "" {
		t.Fatal("HELM_SCALE_CORPUS is not set: the scale measurement needs a generated corpus (make bench makes it)")
	}
	if _, err := os.Stat(corpus); err != nil {
		t.Fatalf("HELM_SCALE_CORPUS: %v", err)
	}
	b := startBrowser(t)
	p := startBinaryWith(t, startOpts{scanWithin: 10 * time.Minute}, t.TempDir(), "--port", "0", "--claude-dir", corpus,
		"--no-opencode", "--log-level", "warn")
	needClient(t, p)
	var st struct{ Sessions int }
	getJSONFrom(t, p.URL+"/api/status", &st)
	want := grouped(st.Sessions) + " sessions"
	for run := range 3 {
		t.Run(fmt.Sprint("run", run+1), func(t *testing.T) { scaleRun(t, b, p, st.Sessions, want, run == 2) })
	}
}

// scaleRun opens the list in a fresh tab (a cold start: no browser
// storage) and reports its times; search adds the whole-list check.
func scaleRun(t *testing.T, b *browser, p *proc, sessions int, want string, search bool) {
	{
		c := b.tab(t)
		c.onEveryDocument(timingScript)
		c.onEveryDocument(heldScript(sessions))
		c.navigate(p.URL + "/")
		c.waitJS(2*time.Minute, "the wasm client", `document.body.dataset.wasm === "ready"`)
		c.waitConn(2*time.Minute, "live", "Live")
		c.waitJS(2*time.Minute, want, fmt.Sprintf(`document.getElementById("count").textContent === %s`, jsString(want)))
		c.waitJS(2*time.Minute, "the whole list", `window.__held !== undefined`)
		tm := mustEval[timings](c, `window.__helm`)
		held := mustEval[float64](c, `window.__held`)
		long := mustEval[longTasks](c, `window.__long`)
		t.Logf("FIGURE %d sessions: navigation→Live %s, →every session held %s (→rows %s, →wasm %s; %s); "+
			"UI blocked until held: longest task %.0fms (%.0fms once the client was ready), %d tasks over 100ms, %.0fms in tasks over 50ms",
			sessions, ms(tm.Live), ms(&held), ms(tm.Rows), ms(tm.Wasm), requests(c), long.Max, long.MaxReady, long.Over100, long.Sum)
		if search {
			// Search covers every session, not the seed: a word no title
			// holds finds none, and the count says so.
			c.do(5*time.Second, "focusing the search", chromedp.Evaluate[chromedp.Void](`document.getElementById("search").focus()`))
			for _, k := range "zqxjzqxj" {
				keys(c, string(k))
			}
			c.waitJS(time.Minute, "no match", fmt.Sprintf(`document.getElementById("count").textContent === %s`, jsString("0 of "+want)))
		}
	}
}
