package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// These tests drive the real client (the wasm built into helmd by
// `make build`) in headless Chromium and assert what a user sees: rows,
// their texts, the connection indicator. Run them with
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -race -run Browser ./server/e2e/

const (
	sidA = "3f2a1b0c-aaaa-4bbb-8ccc-000000000001"
	sidB = "3f2a1b0c-aaaa-4bbb-8ccc-000000000002"
	sidC = "3f2a1b0c-aaaa-4bbb-8ccc-000000000003"
	cwd  = "/home/dev/webapp"
)

// TestBrowser runs the browser tests as subtests sharing one Chromium
// (each in its own browser context, with its own helmd).
func TestBrowser(t *testing.T) {
	beside(t)
	inOneBrowser(t, []browserTest{
		{"FirstPaintThenLive", testFirstPaintThenLive},
		{"FollowsFiles", testFollowsFiles},
		{"ServerFaults", testServerFaults},
		{"OfflineFromCache", testOfflineFromCache},
		{"ShowsMarkupAsText", testShowsMarkupAsText},
		{"Installable", testInstallable},
		{"ShowsOpenCode", testShowsOpenCode},
	})
}

// serveClaude starts helmd over a fresh Claude root holding session sidA
// titled title. A short keepalive and debounce keep the tests quick.
func serveClaude(t *testing.T, title string) (claude string, p *proc) {
	t.Helper()
	claude = t.TempDir()
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.User(sidA, cwd, title, time.Now()))
	p = startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", claude, "--no-opencode",
		"--keepalive", "2s", "--debounce", "50ms")
	needClient(t, p)
	return claude, p
}

// needClient skips (fails in CI) when the binary has no client built in.
// It asks with HEAD: reading the 1.8 MB body, which no test looks at,
// was the race-instrumented test binary's largest cost of its own that
// a CPU profile of the package could name (2.7 of 53 CPU-s sampled).
func needClient(t *testing.T, p *proc) {
	t.Helper()
	resp, _ := request(t, http.MethodHead, p.URL+"/web/app.wasm", "Accept-Encoding", "br")
	if resp.StatusCode == 200 {
		return
	}
	msg := "helmd was built without the client (/web/app.wasm: " + resp.Status + "): run make build and HELM_BIN=bin/helmd"
	if required() {
		t.Fatal(msg)
	}
	t.Skip("SKIPPING — " + msg)
}

// waitLive waits for the wasm client to run and the stream to open.
func waitLive(c *chrome) {
	c.t.Helper()
	c.waitJS(30*time.Second, "the wasm client", `document.body.dataset.wasm === "ready"`)
	c.waitConn(15*time.Second, "live", "Live")
}

// timingScript records, in page time (ms since navigation), when the
// first row is in the DOM, when the page first paints, when the wasm
// marks itself ready and when the indicator first says Live; and what the
// document held when it was parsed, before any script could change it.
var timingScript = `(() => {
	const h = window.__helm = {rows: null, fcp: null, wasm: null, live: null, parsed: null};
	const check = () => {
		const now = performance.now();
		if (h.rows === null && document.querySelector("li.session")) h.rows = now;
		if (h.wasm === null && document.body && document.body.dataset.wasm === "ready") h.wasm = now;
		const c = document.getElementById("conn");
		if (h.live === null && c && c.dataset.state === "live") h.live = now;
	};
	new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
	new PerformanceObserver(list => {
		for (const e of list.getEntries()) if (e.name === "first-contentful-paint") h.fcp = e.startTime;
	}).observe({type: "paint", buffered: true});
	` + onServerPage(`
		check();
		h.parsed = {
			wasm: document.body.getAttribute("data-wasm"),
			rows: [...document.querySelectorAll("li.session")].map(r => ({
				key: r.dataset.key, title: (r.querySelector(".title") || {}).textContent || "",
			})),
		};`) + `
})();`

type timings struct {
	Rows, FCP, Wasm, Live *float64
	Parsed                *struct {
		Wasm *string
		Rows []struct{ Key, Title string }
	}
}

func ms(v *float64) string {
	if v == nil {
		return "never"
	}
	return fmt.Sprintf("%.0fms", *v)
}

// testFirstPaintThenLive: the list is in the page the server sends,
// before the wasm runs; then the client takes over and says Live.
func testFirstPaintThenLive(t *testing.T, b *browser) {
	const title = "Ship the login fix"
	_, p := serveClaude(t, title)
	c := b.tab(t)
	c.onEveryDocument(timingScript)
	c.navigate(p.URL + "/")
	waitLive(c)

	got := mustEval[timings](c, `window.__helm`)
	if got.Parsed == nil {
		t.Fatal("the document was never parsed?")
	}
	if got.Parsed.Wasm != nil {
		t.Fatalf("the parsed page already had data-wasm=%q: the check below would not be about the pre-rendered HTML", *got.Parsed.Wasm)
	}
	if len(got.Parsed.Rows) != 1 || got.Parsed.Rows[0].Key != "claude:"+sidA || got.Parsed.Rows[0].Title != title {
		t.Fatalf("pre-rendered rows %+v, want the one session titled %q", got.Parsed.Rows, title)
	}
	if got.Rows == nil || got.FCP == nil || got.Wasm == nil || got.Live == nil {
		t.Fatalf("missing timings: %+v", got)
	}
	if *got.Rows > *got.Wasm {
		t.Fatalf("rows appeared at %s, after the wasm started at %s", ms(got.Rows), ms(got.Wasm))
	}
	// The row survives the client's first render, with the same text.
	if txt := c.text(rowSel("claude:"+sidA) + " .title"); txt != title {
		t.Fatalf("after the wasm rendered, the title reads %q", txt)
	}
	if n := c.text("#count"); n != "1 session" {
		t.Fatalf("#count = %q", n)
	}
	painted := got.FCP
	if *got.Rows > *got.FCP {
		painted = got.Rows // rows came after the first paint: they paint next frame
	}
	t.Logf("FIGURE navigation→list painted: %s (rows in DOM %s, first contentful paint %s)", ms(painted), ms(got.Rows), ms(got.FCP))
	t.Logf("FIGURE navigation→wasm running: %s", ms(got.Wasm))
	t.Logf("FIGURE navigation→Live: %s", ms(got.Live))
	c.screenshots("live")
}

// testFollowsFiles: what happens on disk shows in the open page.
func testFollowsFiles(t *testing.T, b *browser) {
	claude, p := serveClaude(t, "first session")
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)

	path := fixture.Path(claude, cwd, sidB)
	written := time.Now()
	fixture.Append(t, path, fixture.User(sidB, cwd, "a new session", written))
	rowB := rowSel("claude:" + sidB)
	// The file is created, then written: the row may show for a moment
	// before its first line is read, so wait for the title it will have.
	c.waitJS(2*time.Second, "the new session's row with its title", hasText(rowB+" .title", "a new session"))
	t.Logf("FIGURE file written→row shown: %v", time.Since(written).Round(time.Millisecond))
	if got := c.text(rowB + " .messages"); got != "1 message" {
		t.Fatalf("new row shows %q", got)
	}
	c.waitJS(2*time.Second, "#count to say 2 sessions", `document.getElementById("count").textContent === "2 sessions"`)

	fixture.Append(t, path, fixture.Assistant(sidB, cwd, "msg_b1", "end_turn", time.Now()))
	c.waitJS(2*time.Second, "the appended message to be counted", hasText(rowB+" .messages", "2 messages"))
	// The update carried only what changed; the rest of the row stays.
	for sel, want := range map[string]string{" .title": "a new session", " .project": "webapp", " .status": "input needed"} {
		if got := strings.TrimSpace(c.text(rowB + sel)); got != want {
			t.Errorf("after the update, %s shows %q, want %q", sel, got, want)
		}
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	c.waitJS(2*time.Second, "the deleted session's row to go", "!"+present(rowB))
	if c.text(rowSel("claude:"+sidA)+" .title") != "first session" {
		t.Fatalf("the other row went too: %s", c.describe())
	}
	if n := c.text("#count"); n != "1 session" {
		t.Fatalf("#count = %q after the delete", n)
	}
}

// testShowsMarkupAsText: a title with markup is text, on the
// server's page and after the wasm renders it.
func testShowsMarkupAsText(t *testing.T, b *browser) {
	claude, p := serveClaude(t, xssTitle)
	c := b.tab(t)
	row := rowSel("claude:" + sidA)
	check := func(when string) {
		t.Helper()
		if got := c.text(row + " .title"); got != xssTitle {
			t.Fatalf("%s: the title reads %q, want the markup as text", when, got)
		}
		if got, _ := c.attr(row+" .title", "title"); got != xssTitle {
			t.Fatalf("%s: the title attribute is %q", when, got)
		}
		injected := mustEval[int](c, `document.querySelectorAll("#sessions img, #sessions svg, #sessions b, #sessions script, [onerror], [onload]").length`)
		pwned := mustEval[bool](c, `window.__pwned !== undefined || document.title === "pwned"`)
		if injected != 0 || pwned {
			t.Fatalf("%s: markup from a title became elements (%d) or ran (%v)", when, injected, pwned)
		}
	}

	c.navigate(p.URL + "/?wasm=false")
	c.waitJS(5*time.Second, "the pre-rendered row", present(row))
	// An image that fails to load, added the same way a broken page would
	// have: once its onerror ran, an injected one would have run too.
	c.waitJS(5*time.Second, "a control image's error", `new Promise(r => { const i = new Image(); i.onerror = () => r(true); i.src = "/x-missing.png"; })`)
	check("pre-rendered page")
	if got := mustEval[bool](c, `!!document.body.dataset.wasm`); got {
		t.Fatal("?wasm=false ran the client")
	}

	c.navigate(p.URL + "/")
	waitLive(c)
	// A change makes the client render the row from stream data.
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.Assistant(sidA, cwd, "msg_x1", "end_turn", time.Now()))
	c.waitJS(3*time.Second, "the re-rendered row", hasText(row+" .messages", "2 messages"))
	c.waitJS(5*time.Second, "a control image's error", `new Promise(r => { const i = new Image(); i.onerror = () => r(true); i.src = "/x-missing.png"; })`)
	check("after the wasm rendered")
}

// testInstallable: the manifest and icons make Helm installable and
// the service worker controls the whole origin.
func testInstallable(t *testing.T, b *browser) {
	_, p := serveClaude(t, "first session")
	resp, body := get(t, p.URL+"/manifest.webmanifest")
	if resp.StatusCode != 200 {
		t.Fatalf("manifest: %s", resp.Status)
	}
	var m struct {
		Name, ShortName, StartURL, Display, Scope string
		ThemeColor, BackgroundColor               string
		Icons                                     []struct{ Src, Sizes, Type, Purpose string }
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("manifest: %v\n%s", err, body)
	}
	field := func(k string, dst *string) { _ = json.Unmarshal(raw[k], dst) }
	field("name", &m.Name)
	field("short_name", &m.ShortName)
	field("start_url", &m.StartURL)
	field("display", &m.Display)
	field("scope", &m.Scope)
	field("theme_color", &m.ThemeColor)
	field("background_color", &m.BackgroundColor)
	_ = json.Unmarshal(raw["icons"], &m.Icons)
	if m.Name != "Helm" || m.ShortName != "Helm" || m.StartURL != "/" || m.Display != "standalone" {
		t.Errorf("manifest identity: %+v", m)
	}
	for k, v := range map[string]string{"theme_color": m.ThemeColor, "background_color": m.BackgroundColor} {
		if len(v) != 7 || v[0] != '#' {
			t.Errorf("%s = %q, want #rrggbb", k, v)
		}
	}
	var has192, has512, maskable bool
	for _, ic := range m.Icons {
		if !strings.HasPrefix(ic.Src, "/") || strings.HasPrefix(ic.Src, "//") {
			t.Errorf("icon %q is not local", ic.Src)
			continue
		}
		r, b := get(t, p.URL+ic.Src)
		ct := r.Header.Get("Content-Type")
		if r.StatusCode != 200 || len(b) == 0 {
			t.Errorf("icon %s: %s, %d bytes", ic.Src, r.Status, len(b))
		}
		if strings.HasSuffix(ic.Src, ".png") && (ct != "image/png" || string(b[:min(len(b), 4)]) != "\x89PNG") {
			t.Errorf("icon %s: %s, not a PNG", ic.Src, ct)
		}
		png := ct == "image/png"
		has192 = has192 || png && strings.Contains(ic.Sizes, "192x192")
		has512 = has512 || png && strings.Contains(ic.Sizes, "512x512")
		maskable = maskable || png && strings.Contains(ic.Purpose, "maskable")
	}
	if !has192 || !has512 || !maskable {
		t.Errorf("icons %+v: want PNGs 192 and 512 and a maskable one", m.Icons)
	}

	c := b.tab(t)
	c.navigate(p.URL + "/")
	if href, _ := c.attr(`link[rel="manifest"]`, "href"); href != "/manifest.webmanifest" {
		t.Errorf("the page links the manifest %q", href)
	}
	c.waitJS(30*time.Second, "the wasm client", `document.body.dataset.wasm === "ready"`)
	waitWorker(c, p.URL)
	// A first visit installs the worker; that is not an update, so the
	// page must not offer to reload for "a new version".
	if !c.staysAbsent("#update", time.Second) {
		t.Errorf("a first visit shows the update notice %q", c.text("#update"))
	}
}

// waitWorker waits until the service worker for the whole origin is
// activated: with the worker's install done, its cache is filled.
func waitWorker(c *chrome, origin string) {
	c.t.Helper()
	c.waitJS(30*time.Second, "an activated service worker for /", fmt.Sprintf(
		`navigator.serviceWorker.getRegistration().then(r => !!r && !!r.active && r.active.state === "activated" && r.scope === %s)`,
		jsString(origin+"/")))
}

// testShowsOpenCode: an OpenCode session (legacy JSON storage under
// $XDG_DATA_HOME/opencode) is a row that says where it comes from.
func testShowsOpenCode(t *testing.T, b *browser) {
	xdg := t.TempDir()
	const id, project = "ses_6a1f0e2d3c4bAbCdEfGhIjKlMn", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	now := time.Now().UnixMilli()
	file := filepath.Join(xdg, "opencode", "storage", "session", project, id+".json")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	head := fmt.Sprintf(`{"id":%q,"version":"1.1.20","projectID":%q,"directory":"/home/dev/webapp","title":"Fix flaky login test","time":{"created":%d,"updated":%d}}`,
		id, project, now-60_000, now-5_000)
	if err := os.WriteFile(file, []byte(head), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startBinaryEnv(t, t.TempDir(), []string{"XDG_DATA_HOME=" + xdg},
		"--port", "0", "--claude-dir", t.TempDir(), "--keepalive", "2s", "--debounce", "50ms")
	needClient(t, p)

	c := b.tab(t)
	c.navigate(p.URL + "/")
	row := rowSel("opencode:" + id)
	c.waitJS(5*time.Second, "the OpenCode row", present(row))
	waitLive(c)
	for part, want := range map[string]string{".source": "OpenCode", ".title": "Fix flaky login test", ".project": "webapp"} {
		if got := strings.TrimSpace(c.text(row + " " + part)); got != want {
			t.Errorf("%s reads %q, want %q", part, got, want)
		}
	}
	if got, _ := c.attr(row+" .project", "title"); got != "/home/dev/webapp" {
		t.Errorf(".project title %q, want the full path", got)
	}
}
