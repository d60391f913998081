package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vibecraft.sh/helm/server/internal/fixture"
)

// The session page in headless Chromium against the real helmd:
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -count=1 -run SessionBrowser ./server/e2e/

const (
	spLong    = "5b000000-0000-4000-8000-000000000001"
	spHostile = "5b000000-0000-4000-8000-000000000002"
	spPairs   = 150 // prompt + reply pairs in the long session: 300 messages, six pages
)

// TestSessionBrowser runs the session page's browser tests in one Chromium.
func TestSessionBrowser(t *testing.T) {
	beside(t)
	inOneBrowser(t, []browserTest{
		{"OpenPageScrollAppendBack", testSessionOpenPageScrollAppendBack},
		{"HostileTextIsText", testSessionHostile},
		{"OfflineFromBrowserStorage", testSessionOffline},
		{"MissingUntilWritten", testSessionMissing},
		{"RewrittenFileReloads", testSessionRewritten},
		{"OpenFigure", testSessionOpenFigure},
		{"AppendFigure", testSessionAppendFigure},
		{"Large", testSessionLarge},
		{"SubagentAndFull", testSessionSubagentAndFull},
	})
}

// replyLine is an assistant response whose text is text.
func replyLine(t *testing.T, sid, msgID, text string, at time.Time) string {
	t.Helper()
	rec := map[string]any{
		"parentUuid": nil, "isSidechain": false, "userType": "external", "cwd": cwd, "sessionId": sid,
		"version": "2.1.90", "type": "assistant", "uuid": "a-" + msgID, "timestamp": at.UTC().Format("2006-01-02T15:04:05.000Z"),
		"requestId": "req_" + msgID,
		"message": map[string]any{"id": msgID, "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
			"content":     []map[string]any{{"type": "text", "text": text}},
			"stop_reason": "end_turn", "usage": map[string]int{"input_tokens": 10, "output_tokens": 20}},
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

func writeSessionFixture(t *testing.T) (claude, longPath string) {
	t.Helper()
	claude = t.TempDir()
	start := time.Now().Add(-3 * time.Hour)
	var s strings.Builder
	for i := range spPairs {
		at := start.Add(time.Duration(i) * time.Second)
		s.WriteString(fixture.User(spLong, cwd, fmt.Sprintf("prompt %d", i), at))
		s.WriteString(replyLine(t, spLong, fmt.Sprintf("msg_long_%d", i), fmt.Sprintf("reply %d with `code` and **bold**", i), at))
	}
	longPath = fixture.Path(claude, cwd, spLong)
	fixture.Append(t, longPath, s.String())

	hostile := strings.Join([]string{
		"<script>window.__pwned = 1</script>",
		`<img src=x onerror="window.__pwned = 1">`,
		"[click me](javascript:window.__pwned=1) and [ok](https://example.com/)",
		"event: messages\ndata: {\"messages\":[]}",
		"rtl \u202Egnp.exe",
		"<a href=\"javascript:window.__pwned=1\" onclick=\"window.__pwned=1\">x</a>",
	}, "\n\n")
	at := start
	fixture.Append(t, fixture.Path(claude, cwd, spHostile),
		fixture.User(spHostile, cwd, hostile, at)+replyLine(t, spHostile, "msg_hostile", hostile, at))
	return claude, longPath
}

// msgsWith is a JS expression: a rendered row holds text.
func msgsWith(text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("#transcript .msg")].some(m => m.textContent.includes(%s))`, jsString(text))
}

func testSessionOpenPageScrollAppendBack(t *testing.T, b *browser) {
	claude, longPath := writeSessionFixture(t)
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/?q=prompt")
	waitLive(c)
	waitRows(c, "the filtered list", spLong)

	// Open it with the keyboard, timing keydown → first messages painted.
	c.do(5*time.Second, "arming the timer", chromedp.Evaluate[chromedp.Void](`(() => {
		document.activeElement && document.activeElement.blur();
		document.addEventListener("keydown", e => { if (e.key === "Enter") window.__t0 = performance.now(); }, true);
		new MutationObserver(() => {
			if (window.__t0 && !window.__t1 && document.querySelector("#transcript .msg"))
				requestAnimationFrame(() => { window.__t1 = performance.now(); });
		}).observe(document, {subtree: true, childList: true});
	})()`))
	keys(c, "j")
	c.waitJS(2*time.Second, "j selects the row", `!!document.querySelector("li.session.selected")`)
	keys(c, "\r")
	c.waitJS(5*time.Second, "Enter opens the session page", fmt.Sprintf(`location.pathname === %s`, jsString("/s/claude/"+spLong)))
	c.waitJS(10*time.Second, "the last page", msgsWith(fmt.Sprintf("reply %d", spPairs-1)))
	c.waitJS(2*time.Second, "the paint timing", `window.__t1 > 0`)
	t.Logf("FIGURE keydown → first messages painted: %.0f ms (page's own load → paint: %.0f ms)",
		mustEval[float64](c, `window.__t1 - window.__t0`), mustEval[float64](c, `window.__helmPaintMs || -1`))
	t.Logf("FIGURE of which the requests (resource timing, ms): %s", mustEval[string](c, `performance.getEntriesByType("resource")
		.filter(e => e.name.includes("/api/sessions/claude/")).map(e => e.name.replace(/^.*\/api/, "") + " " + (e.startTime - window.__t0).toFixed(0) + "→" + (e.responseEnd - window.__t0).toFixed(0)).join(", ")`))
	t.Logf("FIGURE page marks (ms after keydown): %s", mustEval[string](c, `performance.getEntriesByType("mark").map(e => e.name + "@" + (e.startTime - window.__t0).toFixed(0)).join(", ")`))
	// The header's title comes with the session's detail, which may come
	// after the messages.
	c.waitJS(10*time.Second, "the header's title, the first prompt", hasTextContaining("#session-header .title", "prompt 0"))
	if got := c.text("#older"); got != "Scroll up for older messages" {
		t.Errorf("#older says %q on the last page", got)
	}
	if strings.Contains(mustEval[string](c, `document.getElementById("transcript").textContent`), "prompt 0") {
		t.Fatal("the first prompt is shown before scrolling up: not the last page")
	}
	// Markdown: inline code and bold as elements, not asterisks.
	c.waitJS(2*time.Second, "Markdown rendered", `!!document.querySelector("#transcript .md code") && !!document.querySelector("#transcript .md strong")`)

	defer func() {
		if t.Failed() {
			t.Logf("page state: %s", mustEval[string](c, `JSON.stringify({older: document.getElementById("older").textContent, state: document.getElementById("session").dataset.state,
				rows: [...document.querySelectorAll("#transcript .msg")].map(m => m.dataset.i + (m.classList.contains("current-match") ? "*" : "")),
				find: (document.getElementById("find-count") || {}).textContent, marks: [...document.querySelectorAll("#transcript mark")].map(m => m.textContent).slice(0, 5), top: document.getElementById("transcript").scrollTop, h: document.getElementById("transcript").scrollHeight})`))
		}
	}()
	// Find: / opens it, matches are marked, n moves on. The phrase is
	// typed key by key, each key a new search. The first match shown is
	// where the reader is: the first row that starts in view (at the
	// end, under the find box), "prompt N" or "reply N", matches "r";
	// "re" goes on to the next match, "reply N", which "reply 14" still
	// finds. Not the oldest loaded match, reply 140, a screenful up. The
	// count is over the whole transcript: reply 14 too, not loaded.
	keys(c, "/")
	c.waitJS(2*time.Second, "/ focuses the find box", `document.activeElement && document.activeElement.id === "find"`)
	settledTop(c, "the last row, the find box open", `document.querySelector("#transcript .msg:last-of-type")`)
	n := mustEval[int](c, `(t => +[...t.querySelectorAll(".msg")].find(m => m.getBoundingClientRect().top >= t.getBoundingClientRect().top).textContent.match(/(?:prompt|reply) (\d+)/)[1])(document.getElementById("transcript"))`)
	if n < 141 || n >= spPairs-2 {
		t.Fatalf("the first row in view is pair %d: want one of the last page's, past reply 140, two matches before the last", n)
	}
	keys(c, "reply 14")
	first := n - 139 // of the eleven matches, reply 14 and 140 to 149, counted from 0
	c.waitJS(10*time.Second, "the matches counted", fmt.Sprintf(`document.getElementById("find-count").textContent === "%d of 11"`, first+1))
	c.waitJS(10*time.Second, "the match marked, in view", currentMatchInView("reply 14"))
	if got := c.text("#transcript .msg.current-match"); !strings.Contains(got, fmt.Sprintf("reply %d ", n)) {
		t.Errorf("the current match says %q, want reply %d (the row in view when find began)", got, n)
	}
	keys(c, "\r")
	c.waitJS(10*time.Second, "Enter to the next match", fmt.Sprintf(`document.getElementById("find-count").textContent === "%d of 11"`, first+2))
	c.waitJS(10*time.Second, "the next match in view", currentMatchInView("reply 14"))

	// An older page that arrives while a match is shown leaves it in
	// view: scrolled to the top, the page asks for the page above (held
	// on its way); Enter shows the next match; then the page arrives.
	holdRequests(c, "before=")
	c.waitJS(10*time.Second, "an older page asked for", `(t => { t.scrollTop = 0; return window.__hold.held.length > 0; })(document.getElementById("transcript"))`)
	keys(c, "\r")
	third := fmt.Sprintf("%d of 11", first+3)
	c.waitJS(10*time.Second, "Enter to the match after", fmt.Sprintf(`document.getElementById("find-count").textContent === %q`, third))
	c.waitJS(10*time.Second, "the match after in view", currentMatchInView("reply 14"))
	if n := heldRequests(c); n != 1 {
		t.Fatalf("%d requests for older pages held, want 1", n)
	}
	releaseRequests(c)
	c.waitJS(10*time.Second, "the older page loaded", `document.getElementById("older").textContent !== "Loading older messages…"`)
	if got := c.text("#find-count"); got != third {
		t.Errorf("find says %q after an older page arrived, want %q still", got, third)
	}
	c.waitJS(10*time.Second, "the same match still in view after the older page", currentMatchInView("reply 14"))
	keys(c, kb.Escape)
	c.waitJS(10*time.Second, "Esc closes find", `!document.getElementById("find") && !document.querySelector("#transcript mark")`)

	// Virtualised: far fewer rows in the DOM than loaded.
	rendered := mustEval[int](c, `document.querySelectorAll("#transcript .msg").length`)
	if rendered == 0 || rendered >= 50 {
		t.Fatalf("%d rows in the DOM for 50 loaded messages, want a window", rendered)
	}

	// Scrolling up loads every older page, down to the first prompt.
	c.waitJS(30*time.Second, "scrolling up to the start", `(t => {
		t.scrollTop = 0;
		return document.getElementById("older").textContent === "Start of the transcript" &&
			[...document.querySelectorAll("#transcript .prompt")].some(p => p.textContent === "prompt 0");
	})(document.getElementById("transcript"))`)
	rendered = mustEval[int](c, `document.querySelectorAll("#transcript .msg").length`)
	if rendered >= 2*spPairs/2 {
		t.Fatalf("%d rows in the DOM with %d loaded: not virtualised", rendered, 2*spPairs)
	}

	// Back to the bottom; an append appears, followed.
	c.waitJS(10*time.Second, "back at the bottom", fmt.Sprintf(`(t => { t.scrollTop = t.scrollHeight; return %s; })(document.getElementById("transcript"))`,
		msgsWith(fmt.Sprintf("reply %d", spPairs-1))))
	wrote := time.Now()
	count := `document.querySelector("#session-header .messages .value").textContent`
	before := mustEval[string](c, count)
	fixture.Append(t, longPath, fixture.User(spLong, cwd, "an appended prompt", time.Now()))
	c.waitJS(10*time.Second, "the appended message", msgsWith("an appended prompt"))
	// The header follows too (the page's stream sends the session's
	// summary): one message more, and working on the new prompt.
	c.waitJS(10*time.Second, "the header's count and status", fmt.Sprintf(`%s === String(%s + 1) && document.querySelector("#session-header .status").dataset.status === "working"`,
		count, before))
	t.Logf("FIGURE append → shown: %d ms (file write → painted; with the stream endpoint absent the page polls every 2 s)",
		int64(mustEval[float64](c, `window.__helmAppendAt || 0`))-wrote.UnixMilli())
	// The turn ends, timed as Claude Code times it: the header shows
	// the working time beside the duration, which counts the idle time.
	if n := mustEval[int](c, `document.querySelectorAll("#session-header .work").length`); n != 0 {
		t.Errorf("a working time is shown before any turn was timed")
	}
	fixture.Append(t, longPath, fixture.TurnDuration(spLong, cwd, 2*time.Minute+5*time.Second, time.Now()))
	c.waitJS(10*time.Second, "the header's working time", `(e => e && e.textContent === "2 min")(document.querySelector("#session-header .work .value"))`)

	// The back button restores the list with its search.
	c.do(5*time.Second, "going back", chromedp.NavigateBack())
	c.waitJS(10*time.Second, "the list again", `location.pathname === "/" && new URLSearchParams(location.search).get("q") === "prompt"`)
	waitRows(c, "the filtered list again", spLong)
	if got := mustEval[string](c, `document.getElementById("search").value`); got != "prompt" {
		t.Errorf("search box %q after going back", got)
	}
}

func testSessionHostile(t *testing.T, b *browser) {
	claude, _ := writeSessionFixture(t)
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + spHostile)
	c.waitJS(30*time.Second, "the wasm client", `document.body.dataset.wasm === "ready"`)
	c.waitJS(10*time.Second, "the hostile messages", msgsWith("window.__pwned = 1</script>"))
	c.screenshots("session-hostile")
	bad := mustEval[[]string](c, `(() => {
		const out = [];
		const t = document.getElementById("transcript");
		for (const el of t.querySelectorAll("*")) {
			const tag = el.tagName.toLowerCase();
			if (["script", "img", "iframe", "object", "embed", "style", "link"].includes(tag)) out.push("element " + tag);
			for (const a of el.attributes) {
				if (a.name.startsWith("on")) out.push(tag + " attribute " + a.name);
				if ((a.name === "href" || a.name === "src") && !/^(https?:|\/s\/)/i.test(a.value)) out.push(tag + " " + a.name + "=" + a.value);
			}
		}
		if (window.__pwned !== undefined) out.push("window.__pwned is set");
		return out;
	})()`)
	if len(bad) > 0 {
		t.Fatalf("hostile transcript reached the DOM as markup: %v", bad)
	}
	text := mustEval[string](c, `document.getElementById("transcript").textContent`)
	for _, want := range []string{`<img src=x onerror="window.__pwned = 1">`, "click me", "event: messages", "[U+202E]gnp.exe"} {
		if !strings.Contains(text, want) {
			t.Errorf("the transcript does not show %q as text", want)
		}
	}
	if n := mustEval[int](c, `document.querySelectorAll('#transcript a[href="https://example.com/"][rel="noopener noreferrer"]').length`); n == 0 {
		t.Error("the https link is not a link with rel=noopener noreferrer")
	}
	// u goes to the list (opened directly: no list in history).
	keys(c, "u")
	c.waitJS(5*time.Second, "u to the list", `location.pathname === "/" && !!document.querySelector("li.session")`)
	if mustEval[bool](c, `window.__pwned !== undefined`) {
		t.Fatal("window.__pwned was set")
	}
}

// testSessionOffline: a session page seen once opens again with helmd
// down, from the copy kept in browser storage (the worker serves the shell).
func testSessionOffline(t *testing.T, b *browser) {
	claude, _ := writeSessionFixture(t)
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/")
	waitLive(c)
	waitWorker(c, p.URL)
	// A change while the list is open: the list saves itself in browser
	// storage (it does on a change, not when it comes with the page).
	at := time.Now()
	fixture.Append(t, fixture.Path(claude, cwd, spHostile), replyLine(t, spHostile, "msg_hostile_2", "a later reply", at))
	c.waitJS(10*time.Second, "the list saved in browser storage", `!!localStorage.getItem("helm.sessions.v2")`)
	page := p.URL + "/s/claude/" + spLong
	c.navigate(page)
	c.waitJS(10*time.Second, "the last page", msgsWith(fmt.Sprintf("reply %d", spPairs-1)))
	c.waitJS(10*time.Second, "the page saved in browser storage", fmt.Sprintf(`!!localStorage.getItem(%s)`, jsString("helm.page.v1:claude/"+spLong+"?")))

	p.terminate(t)
	if resp, err := http.Get(p.URL + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("helmd still answers after SIGTERM")
	}
	c.navigate(page)
	c.waitJS(30*time.Second, "the wasm client, from the worker's cache", `document.body.dataset.wasm === "ready"`)
	c.waitJS(10*time.Second, "the saved messages, offline", msgsWith(fmt.Sprintf("reply %d", spPairs-1)))
	c.waitJS(10*time.Second, "the offline state", `document.getElementById("session").dataset.state === "offline"`)
	c.waitJS(10*time.Second, "the saved header's title, offline", hasTextContaining("#session-header .title", "prompt 0"))

	// A session whose page was never saved: its header is its row of the
	// list saved in this browser (title, project, cost), not its raw id.
	c.navigate(p.URL + "/s/claude/" + spHostile)
	c.waitJS(30*time.Second, "the wasm client, from the worker's cache", `document.body.dataset.wasm === "ready"`)
	c.waitJS(10*time.Second, "the saved list's row as the header, offline", hasTextContaining("#session-header .project", "webapp")+
		" && "+hasTextContaining("#session-header .cost", "$"))
	if title := c.text("#session-header .title"); title == spHostile || !strings.Contains(title, "window.__pwned") {
		t.Errorf("offline, the header of a session never opened reads %q, want its title from the saved list", title)
	}
	if mustEval[bool](c, `window.__pwned !== undefined`) {
		t.Fatal("window.__pwned was set")
	}
}

// testSessionMissing: a link to a session helmd does not have says so in
// words, not as an HTTP status nor as "Loading…" beside the error; the page
// keeps asking, so once the session's transcript is written it shows. A
// subagent the session lacks is said apart, and leaves the session's
// status as helmd gave it, not "last known".
func testSessionMissing(t *testing.T, b *browser) {
	claude, _ := writeSessionFixture(t)
	p := serveList(t, claude)
	c := b.tab(t)
	const sid = "0d9e8f7a-1b2c-4d3e-8f4a-5b6c7d8e9f00"
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the wasm client", `document.body.dataset.wasm === "ready"`)
	c.waitJS(10*time.Second, "the page's notice", hasTextContaining("#session-error", "This Helm has no such session"))
	notice := mustEval[string](c, `document.getElementById("session-error").textContent`)
	if strings.Contains(notice, "HTTP") {
		t.Errorf("the notice names a status code: %q", notice)
	}
	if top := mustEval[string](c, `document.getElementById("older").textContent`); strings.Contains(top, "Loading") || !strings.Contains(top, "Trying again") {
		t.Errorf("beside the notice the transcript says %q, want that it tries again", top)
	}
	if title := mustEval[string](c, `document.title`); title != "Session · Helm" {
		t.Errorf("the tab of a session not known yet reads %q", title)
	}
	at := time.Now().Add(-time.Minute)
	fixture.Append(t, fixture.Path(claude, cwd, sid),
		fixture.User(sid, cwd, "a late prompt", at)+replyLine(t, sid, "msg_late", "a late reply", at))
	c.waitJS(15*time.Second, "the session, once written", msgsWith("a late reply"))
	c.waitJS(5*time.Second, "the notice gone", `!document.getElementById("session-error")`)
	c.waitJS(5*time.Second, "the header's title, from the detail", hasTextContaining("#session-header .title", "a late prompt"))
	c.waitJS(5*time.Second, "the tab named after the session", `document.title === "a late prompt · Helm"`)

	// A subagent the session does not have: said so, and the session's
	// status, which helmd just gave, is not "last known".
	c.navigate(p.URL + "/s/claude/" + spLong + "?agent=doesnotexist")
	c.waitJS(30*time.Second, "the wasm client", `document.body.dataset.wasm === "ready"`)
	c.waitJS(10*time.Second, "the subagent's notice", hasTextContaining("#session-error", "no such subagent"))
	c.waitJS(10*time.Second, "the session's header", present("#session-header .status"))
	if st := c.text("#session-header .status"); strings.Contains(st, "last known") {
		t.Errorf("a missing subagent marks the session's status %q", st)
	}
}

// testSessionRewritten: a click opens the page; the transcript is then
// rewritten under it (its cursors answer 409) and the page reloads the
// last page; Esc goes back to the list with its search.
func testSessionRewritten(t *testing.T, b *browser) {
	claude, longPath := writeSessionFixture(t)
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/?q=prompt")
	waitLive(c)
	waitRows(c, "the filtered list", spLong)
	click(c, rowSel("claude:"+spLong)+" .title")
	c.waitJS(10*time.Second, "a click opens the page", msgsWith(fmt.Sprintf("reply %d", spPairs-1)))

	at := time.Now()
	if err := os.WriteFile(longPath, []byte(fixture.User(spLong, cwd, "prompt rewritten", at)+
		replyLine(t, spLong, "msg_rewritten", "a rewritten reply", at)), 0o644); err != nil {
		t.Fatal(err)
	}
	c.waitJS(15*time.Second, "the rewritten transcript, reloaded", msgsWith("a rewritten reply"))
	if mustEval[bool](c, msgsWith(fmt.Sprintf("reply %d", spPairs-1))) {
		t.Fatal("messages of the replaced transcript are still shown")
	}

	keys(c, kb.Escape)
	c.waitJS(10*time.Second, "Esc back to the list", `location.pathname === "/" && new URLSearchParams(location.search).get("q") === "prompt"`)
	waitRows(c, "the filtered list again", spLong)
}

// holdRequests makes the page's requests whose URL contains part wait,
// unanswered, until releaseRequests: what a slow network or a loaded
// server does to an older page or a whole text, at a moment the test
// chooses. heldRequests is how many wait.
func holdRequests(c *chrome, part string) {
	c.t.Helper()
	c.do(5*time.Second, "holding requests for "+part, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		window.__hold = {part: %s, held: []};
		if (window.__fetch) return;
		window.__fetch = window.fetch;
		window.fetch = function(url, opts) {
			const h = window.__hold;
			if (h && String(url).includes(h.part))
				return new Promise((ok, fail) => h.held.push(() => window.__fetch.call(window, url, opts).then(ok, fail)));
			return window.__fetch.call(window, url, opts);
		};
	})()`, jsString(part))))
}

func heldRequests(c *chrome) int {
	c.t.Helper()
	return mustEval[int](c, `window.__hold ? window.__hold.held.length : 0`)
}

// releaseRequests sends the held requests on and holds no more.
func releaseRequests(c *chrome) {
	c.t.Helper()
	mustEval[int](c, `(h => { window.__hold = null; if (h) h.held.forEach(send => send()); return h ? h.held.length : 0; })(window.__hold)`)
}

// currentMatchInView is a JS expression: the current match of find is
// a rendered row, at least partly inside the transcript's view, and
// marks text (lower-cased).
func currentMatchInView(text string) string {
	return fmt.Sprintf(`(t => {
		const m = t.querySelector(".msg.current-match");
		if (!m) return false;
		const v = t.getBoundingClientRect(), r = m.getBoundingClientRect();
		return r.bottom > v.top && r.top < v.bottom &&
			[...m.querySelectorAll("mark")].some(k => k.textContent.toLowerCase() === %s);
	})(document.getElementById("transcript"))`, jsString(text))
}

// TestSessionPageLastActivityAges: nothing is written to the session, yet
// its page's "Last activity" follows the clock, as the list's times do (a
// redraw every 15 s): a page left open must not say "1 min ago" for an
// hour. The reply is 95 s old when the page opens: "1 min ago", whole
// minutes elapsed, not "2 min ago" rounded to the nearest; it reads
// "2 min ago" from 120 s on, at the first redraw after that (25-40 s in).
func TestSessionPageLastActivityAges(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	const sid = "5b000000-0000-4000-8000-000000000003"
	claude := t.TempDir()
	at := time.Now().Add(-95 * time.Second)
	fixture.Append(t, fixture.Path(claude, cwd, sid), fixture.User(sid, cwd, "a prompt", at)+replyLine(t, sid, "msg_ages", "a reply", at))
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	updated := `document.querySelector("#session-header .updated .value")?.textContent`
	c.waitJS(15*time.Second, "the header, drawn when the reply was 95-119 s old", updated+` === "1 min ago"`)
	c.waitJS(50*time.Second, "Last activity aged by the clock alone", updated+` === "2 min ago"`)
}
