package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"
)

// browser is the one headless Chromium of this test binary, started by
// the first test that needs it and closed by TestMain: starting one costs
// 1-2 s on a small machine, which each of 14 tests paid. Each test gets
// its tabs in browser contexts of their own (profile-like: their own
// service workers, storage, cache and permissions), so no state leaks
// between tests.
type browser struct {
	ctx context.Context // the first tab, which owns the browser process
}

// browserLife bounds the browser's whole life, so a wedged Chromium cannot
// outlive the test binary by much (go test's -timeout ends it before).
const browserLife = 15 * time.Minute

// quiet drops chromedp's log lines (protocol version skew noise); its
// errors surface as action errors.
func quiet(string, ...any) {}

// theBrowser is started once, by startBrowser; closeBrowser ends it.
var theBrowser struct {
	once sync.Once
	b    *browser
	err  error
	stop func()
}

// startBrowser returns the shared Chromium, starting it on first use
// (skipping loudly without one, failing in CI). Its goroutines are there
// before the test's goleak baseline; each test checks that its own tabs,
// proxies and helmd processes leave none behind.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	exe := needTool(t, "chromium", "chromium-browser", "google-chrome")
	theBrowser.once.Do(func() {
		started := time.Now()
		theBrowser.b, theBrowser.stop, theBrowser.err = launchBrowser(exe)
		if theBrowser.err == nil {
			t.Logf("FIGURE chromium start: %v", time.Since(started).Round(time.Millisecond))
		}
	})
	if theBrowser.err != nil {
		t.Fatalf("starting %s: %v", exe, theBrowser.err)
	}
	if isBeside(t) {
		return theBrowser.b // checked for leaks with the others, in TestMain
	}
	// Registered first, so it runs last: after every tab, proxy and helmd
	// of the test and its subtests are gone.
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		goleak.VerifyNone(t, append(idleConns(), before)...)
	})
	return theBrowser.b
}

// launchBrowser starts Chromium with a profile folder of its own; stop
// closes it and removes the folder.
func launchBrowser(exe string) (*browser, func(), error) {
	profile, err := os.MkdirTemp("", "helm-e2e-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // containers and CI runners usually forbid the sandbox's namespaces
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// A headless tab is never "visible": keep its timers running at
		// full speed, as the user's focused tab would.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		// Each browser context the tests open gets a window, and each
		// window a preloaded omnibox popup: a WebUI page in a renderer
		// of its own (chrome://omnibox-popup.top-chrome), which no test
		// ever shows. It cost more CPU than the browser process itself:
		// ten tabs loading Helm took 45–49 CPU-s with it, 30–32 without
		// (its renderers 10.5–13.1 CPU-s; the browser process 8.1–8.9
		// against 5.5), and the whole of ./server/e2e under -race (its
		// process tree in a cgroup of its own) 760 CPU-s against 560.
		// Unknown feature names are ignored: an older Chromium starts
		// as before.
		chromedp.Flag("disable-features", "WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup"),
	}
	if os.Getenv("HELM_E2E_BASELINE_WASM") != "" {
		// make test sets it: V8 compiles the 9.4 MB client with its
		// baseline compiler (Liftoff) alone, never with TurboFan, whose
		// compiles of the hot functions each page load pays again (every
		// test's helmd is a new origin, every tab a new browser context:
		// no code cache is ever shared). The client runs the same code,
		// more slowly, which the tests' deadlines allow for: ./server/e2e
		// under -race took 406 CPU-s with it, 560 without (its process
		// tree in a cgroup; both without the omnibox popup). make bench
		// leaves it unset: figures are taken with the browser as users
		// have it.
		opts = append(opts, chromedp.Flag("js-flags", "--liftoff-only"))
	}
	life, stopLife := context.WithTimeout(context.Background(), browserLife)
	actx, stopAlloc := chromedp.NewExecAllocator(life, opts...)
	ctx, stopFirst := chromedp.NewContext(actx, chromedp.WithLogf(quiet), chromedp.WithErrorf(quiet), chromedp.WithDebugf(quiet))
	stop := func() {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := chromedp.Cancel(cctx) // closes the browser gracefully and waits for it
		cancel()
		stopFirst()
		stopAlloc()
		stopLife()
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(os.Stderr, "e2e: closing the browser: %v\n", err)
		}
		os.RemoveAll(profile)
	}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		stop()
		return nil, nil, err
	}
	return &browser{ctx: ctx}, stop, nil
}

// closeBrowser ends the shared Chromium, if a test started it.
func closeBrowser() {
	if theBrowser.stop != nil {
		theBrowser.stop()
	}
}

// chrome is one tab in a browser context of its own, owned by one test.
type chrome struct {
	t   *testing.T
	ctx context.Context // the tab; without a deadline, each action gets its own

	mu      sync.Mutex
	console []string // the page's console and uncaught exceptions, logged on failure
}

// tab opens a tab in a fresh browser context, closed (and the context
// disposed of) when the test ends, before the servers it talks to stop.
func (b *browser) tab(t *testing.T) *chrome {
	t.Helper()
	ctx, stop := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		stop()
		t.Fatalf("opening a tab: %v", err)
	}
	// Helm's cookie for every helmd the tests start (cookies ignore ports),
	// as the printed URL would have left it: pages, fetches and the
	// stream authenticate as the user's browser does.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{
			Name: "helm_token", Value: e2eToken, URL: "http://127.0.0.1/", Path: "/",
			HTTPOnly: &[]bool{true}[0], SameSite: network.CookieSameSiteStrict,
		})
		return err
	})); err != nil {
		stop()
		t.Fatalf("setting Helm's cookie: %v", err)
	}
	c := &chrome{t: t, ctx: ctx}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return // the tab is gone
			}
			c.mu.Lock()
			c.console = append(c.console, fmt.Sprintf("%s %s", m.Type, m))
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			c.mu.Lock()
			t.Logf("browser console:\n  %s", strings.Join(c.console, "\n  "))
			c.mu.Unlock()
		}
		stop()
		<-done
	})
	return c
}

// do runs actions, failing the test when they do not finish within d.
func (c *chrome) do(within time.Duration, what string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, within)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		c.t.Fatalf("%s: %v\npage: %s", what, err, c.describe())
	}
}

// navigate loads url and waits for its load event.
func (c *chrome) navigate(url string) {
	c.t.Helper()
	c.do(30*time.Second, "loading "+url, chromedp.Navigate(url))
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes
// its JSON value into T.
func eval[T any](c *chrome, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// mustEval is eval failing the test on error.
func mustEval[T any](c *chrome, expr string) T {
	c.t.Helper()
	v, err := eval[T](c, expr)
	if err != nil {
		c.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitJS waits until the expression (or the promise it returns) is truthy, polling from Go so that
// it survives navigations and reloads (an evaluation that fails while
// the page changes is retried). It fails with the page's state.
func (c *chrome) waitJS(within time.Duration, what, expr string) {
	c.t.Helper()
	deadline := time.Now().Add(within)
	var last error
	for {
		ok, err := eval[bool](c, "Promise.resolve("+expr+").then(Boolean)")
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out after %v waiting for %s (%s; last error: %v)\npage: %s", within, what, expr, last, c.describe())
		}
		time.Sleep(25 * time.Millisecond) // polling a condition, not synchronising
	}
}

// text is the text content of the first element matching sel, or "".
func (c *chrome) text(sel string) string {
	c.t.Helper()
	return mustEval[string](c, fmt.Sprintf(`(document.querySelector(%s)||{}).textContent||""`, jsString(sel)))
}

// attr is an attribute of the first element matching sel, and whether
// the element has it.
func (c *chrome) attr(sel, name string) (string, bool) {
	c.t.Helper()
	v := mustEval[*string](c, fmt.Sprintf(`(e => e ? e.getAttribute(%s) : null)(document.querySelector(%s))`, jsString(name), jsString(sel)))
	if v == nil {
		return "", false
	}
	return *v, true
}

// staysAbsent watches, frame by frame for d, that no element matches sel.
func (c *chrome) staysAbsent(sel string, d time.Duration) bool {
	c.t.Helper()
	return mustEval[bool](c, fmt.Sprintf(`new Promise(done => {
		const end = performance.now() + %d;
		const look = () => {
			if (document.querySelector(%s)) return done(false);
			if (performance.now() > end) return done(true);
			requestAnimationFrame(look);
		};
		look();
	})`, d.Milliseconds(), jsString(sel)))
}

// conn is the indicator as the user sees it: state and label.
func (c *chrome) conn() (state, label string) {
	c.t.Helper()
	state, _ = c.attr("#conn", "data-state")
	return state, strings.TrimSpace(c.text("#conn"))
}

// waitConn waits for the indicator to show state with its label.
func (c *chrome) waitConn(within time.Duration, state, label string) {
	c.t.Helper()
	c.waitJS(within, fmt.Sprintf("the indicator to say %q", label), fmt.Sprintf(
		`(e => e && e.dataset.state === %s && e.textContent.trim() === %s)(document.getElementById("conn"))`,
		jsString(state), jsString(label)))
}

// present is a JavaScript condition: an element matches sel.
func present(sel string) string { return fmt.Sprintf(`!!document.querySelector(%s)`, jsString(sel)) }

// hasText is a JavaScript condition: the first element matching sel has
// exactly this text.
func hasText(sel, text string) string {
	return fmt.Sprintf(`(e => !!e && e.textContent === %s)(document.querySelector(%s))`, jsString(text), jsString(sel))
}

// hasTextContaining is a JS expression: the element sel exists and its
// text contains text.
func hasTextContaining(sel, text string) string {
	return fmt.Sprintf(`(e => !!e && e.textContent.includes(%s))(document.querySelector(%s))`, jsString(text), jsString(sel))
}

// onServerPage is a script (for onEveryDocument) that runs body once the
// server's page is parsed: at readyState "interactive", which comes
// before the deferred scripts run. By DOMContentLoaded, after them, the
// client, compiled as the page loaded, may already have replaced it.
func onServerPage(body string) string {
	return `document.addEventListener("readystatechange", () => {
	if (document.readyState !== "interactive") return;
` + body + `
});`
}

// rowSel is the CSS selector of a session's row.
func rowSel(key string) string { return fmt.Sprintf(`li.session[data-key=%q]`, key) }

// describe summarises the page for failure messages: URL, wasm marker,
// indicator, rows, and a session page's view.
func (c *chrome) describe() string {
	b, err := eval[json.RawMessage](c, `(() => {
		if (typeof document === "undefined") { // a worker (attachWorker)
			return {worker: self.location.href, notified: self.__notified || null};
		}
		const conn = document.getElementById("conn");
		const age = document.getElementById("cache-age");
		return {
			url: location.href,
			wasm: document.body && document.body.getAttribute("data-wasm"),
			conn: conn && {state: conn.dataset.state, text: conn.textContent, title: conn.title},
			cacheAge: age && age.textContent,
			rows: [...document.querySelectorAll("li.session")].map(r =>
				r.dataset.key + " | " + (r.dataset.status||"") + " | " + ((r.querySelector(".title")||{}).textContent||"") + " | " + ((r.querySelector(".messages")||{}).textContent||"")),
			needsYou: [...document.querySelectorAll("#needs-you li.needs")].map(r => r.dataset.session),
			notified: window.__notified || null,
			// A session page: where its view is, what it offers, its
			// last rows (the browser flakes under load were all there).
			session: (t => t && {
				state: (document.getElementById("session") || {dataset: {}}).dataset.state,
				top: Math.round(t.scrollTop), view: t.clientHeight, height: t.scrollHeight,
				newBelow: (document.getElementById("new-below") || {}).textContent || null,
				working: !!document.getElementById("working"),
				last: [...t.querySelectorAll(".msg[data-i]")].slice(-3).map(m => m.dataset.i + ": " + m.textContent.slice(0, 40)),
			})(document.getElementById("transcript")),
		};
	})()`)
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return string(b)
}

// screenshotDir is $HELM_SCREENSHOT_DIR, the folder screenshots are
// kept in, or "" when none was asked for: no assertion reads a
// screenshot, they are for a person to look at, and a set of three
// (light, dark, phone) cost the browser 0.56-0.74 CPU-s to draw and
// encode (ten tabs loading Helm: 26.5-28.4 CPU-s with a set each,
// 20.9-21.0 without).
func screenshotDir(t *testing.T) string {
	d := os.Getenv("HELM_SCREENSHOT_DIR")
	if d == "" {
		return ""
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// screenshots saves the page light, dark (prefers-color-scheme) and at a
// phone's width (375 px) into $HELM_SCREENSHOT_DIR, and logs where.
func (c *chrome) screenshots(name string) {
	c.t.Helper()
	if screenshotDir(c.t) == "" {
		return
	}
	scheme := func(v string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}},
			})
			return err
		})
	}
	phone := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: 375, Height: 812, DeviceScaleFactor: 2, Mobile: true,
		})
		return err
	})
	desktop := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		return err
	})
	for _, shot := range []struct {
		suffix string
		before []chromedp.Action[chromedp.Void]
	}{
		{"light", []chromedp.Action[chromedp.Void]{scheme("light")}},
		{"dark", []chromedp.Action[chromedp.Void]{scheme("dark")}},
		{"phone", []chromedp.Action[chromedp.Void]{scheme("light"), phone}},
	} {
		c.do(10*time.Second, "emulating "+shot.suffix, shot.before...)
		// Two animation frames: the restyle and relayout are painted.
		if _, err := eval[bool](c, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`); err != nil {
			c.t.Fatalf("waiting for a frame: %v", err)
		}
		c.screenshot(name + "-" + shot.suffix)
	}
	c.do(10*time.Second, "resetting the emulation", desktop, scheme(""))
}

// screenshot saves what the tab shows now, as it is emulated, to
// name.png in $HELM_SCREENSHOT_DIR (screenshotDir).
func (c *chrome) screenshot(name string) {
	c.t.Helper()
	dir := screenshotDir(c.t)
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		c.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		c.t.Fatal(err)
	}
	c.t.Logf("screenshot: %s", path)
}

// onEveryDocument runs script at the start of every document the tab
// loads, before the page's own scripts.
func (c *chrome) onEveryDocument(script string) {
	c.t.Helper()
	c.do(10*time.Second, "adding a document script", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script})
		return err
	}))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// browserTest is a subtest of a test that runs its subtests in one
// Chromium (each in its own browser context, with its own helmd).
type browserTest struct {
	name string
	run  func(*testing.T, *browser)
}

// inOneBrowser runs tests as subtests of t sharing one Chromium.
func inOneBrowser(t *testing.T, tests []browserTest) {
	t.Helper()
	b := startBrowser(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, b) })
	}
}
