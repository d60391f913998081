package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestHostileTextBrowser: what a transcript's odd text does to the
// session page as a reader sees it.
//
//	make build && HELM_BIN=$PWD/bin/helmd HELM_AXE=…/axe.min.js go test -count=1 -run HostileTextBrowser ./server/e2e/
func TestHostileTextBrowser(t *testing.T) {
	beside(t)
	inOneBrowser(t, []browserTest{
		{"ALongWordStaysInItsCell", testLongWordInCell},
		{"AHeadingIsAHeading", testAnswerHeading},
		{"AWholeTranscriptHasNoLatest", testWholeTranscriptNoLatest},
		{"ATitleOfZeroWidthSpacesIsNoTitle", testInvisibleTitle},
		{"ScriptedEventsLeaveTheClientRunning", testScriptedEvents},
	})
}

// openSessionPage serves a session whose transcript is lines, opens its
// page at 1280 px and waits for its rows. path is the transcript's file.
func openSessionPage(t *testing.T, b *browser, sid string, lines ...string) (c *chrome, path string) {
	t.Helper()
	claude := t.TempDir()
	path = fixture.Path(claude, cwd, sid)
	fixture.Append(t, path, strings.Join(lines, ""))
	p := serveList(t, claude)
	c = b.tab(t)
	viewport(c, 1280, 900, false, "light")
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the transcript", `(s => !!s && s.dataset.state === "ready")(document.getElementById("session")) &&
		document.querySelectorAll("#transcript .msg[data-i]").length >= 2`)
	return c, path
}

// testLongWordInCell: a word longer than a table's column (a URL, a
// hash) breaks within its cell, as words in a paragraph do; left whole,
// it ran out of the cell over the cells beside it.
func testLongWordInCell(t *testing.T, b *browser) {
	const sid = "7b000000-0000-4000-8000-0000000000c1"
	at := time.Now().Add(-time.Hour)
	url := "https://example.com/artifacts?sha=" + strings.Repeat("0123456789abcdef", 12)
	table := "| artifact | size |\n|---|---|\n| " + url + " | 12 MB |\n| short | 3 MB |"
	c, _ := openSessionPage(t, b, sid, fixture.User(sid, cwd, "where are the builds?", at), replyLine(t, sid, "msg_t1", table, at))
	c.waitJS(5*time.Second, "the table", present("#transcript .md table td"))
	spills := mustEval[[]string](c, `[...document.querySelectorAll("#transcript .md th, #transcript .md td")]
		.filter(e => e.scrollWidth > e.clientWidth + 1)
		.map(e => e.textContent.slice(0, 30) + ": " + e.scrollWidth + " px of text in " + e.clientWidth + " px")`)
	if len(spills) > 0 {
		t.Errorf("text runs out of its table cell: %v", spills)
	}
	// Its column still keeps to 20rem (280 px): the word wrapped, the
	// table did not grow to its length.
	if w := mustEval[float64](c, `document.querySelector("#transcript .md td").getBoundingClientRect().width`); w > 300 {
		t.Errorf("the cell holding the long word is %.0f px wide", w)
	}
}

// testAnswerHeading: a heading in an answer is a heading to assistive
// technology, below the page's title; axe finds nothing wrong with it.
func testAnswerHeading(t *testing.T, b *browser) {
	const sid = "7b000000-0000-4000-8000-0000000000c2"
	at := time.Now().Add(-time.Hour)
	c, _ := openSessionPage(t, b, sid, fixture.User(sid, cwd, "plan the release", at),
		replyLine(t, sid, "msg_h1", "# Plan\n\nShip it.\n\n## Risks\n\nNone.", at))
	c.waitJS(5*time.Second, "the headings", present("#transcript .md .md-h2"))
	type heading struct {
		Role, Level, Text string
	}
	got := mustEval[[]heading](c, `[...document.querySelectorAll("#transcript .md .md-h")].map(h =>
		({role: h.getAttribute("role") || h.tagName.toLowerCase(), level: h.getAttribute("aria-level") || "", text: h.textContent}))`)
	want := []heading{{"heading", "2", "Plan"}, {"heading", "3", "Risks"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the answer's headings are %+v, want %+v", got, want)
	}
	if axe := axeIfPresent(t); axe != "" {
		axeCheck(t, c, axe, "a session page with headings", 10)
	}
}

// testWholeTranscriptNoLatest: in a transcript that fits its view,
// opening and closing a tool's block leaves no "Latest ↓": there is
// nothing below to go to. The block's output, coloured as ls --color
// prints it, reads as its text, not as the terminal's escapes, in its
// colours, which axe finds of enough contrast in light and dark.
func testWholeTranscriptNoLatest(t *testing.T, b *browser) {
	const sid = "7b000000-0000-4000-8000-0000000000c3"
	at := time.Now().Add(-time.Hour)
	c, _ := openSessionPage(t, b, sid, fixture.User(sid, cwd, "list the files", at),
		toolCall(t, sid, "ls", "Bash", map[string]any{"command": "ls"}, at),
		toolResult(t, sid, "ls", "\x1b[0m\x1b[01;34mcmd\x1b[0m\ngo.mod\n\x1b[01;32mmain.go\x1b[0m", at, nil),
		replyLine(t, sid, "msg_w1", "Two files.", at))
	line := `#transcript .block button.line`
	for _, want := range []string{"true", "false"} {
		mustEval[bool](c, fmt.Sprintf(`(document.querySelector(%s).click(), true)`, jsString(line)))
		c.waitJS(5*time.Second, "the block's line to say expanded="+want, fmt.Sprintf(`document.querySelector(%s).getAttribute("aria-expanded") === %s`, jsString(line), jsString(want)))
		if want == "true" {
			if got := c.text("#transcript pre.result"); got != "cmd\ngo.mod\nmain.go" {
				t.Errorf("the output reads %q", got)
			}
		}
		if fits := mustEval[bool](c, `(t => t.scrollHeight <= t.clientHeight)(document.getElementById("transcript"))`); !fits {
			t.Fatalf("the transcript does not fit its view: %s", c.describe())
		}
		if !c.staysAbsent("#new-below", 500*time.Millisecond) {
			t.Errorf("with the block expanded=%s, the whole transcript in view offers %q", want, c.text("#new-below"))
		}
	}
	// Opened again: its colours, and their contrast in both themes.
	mustEval[bool](c, fmt.Sprintf(`(document.querySelector(%s).click(), true)`, jsString(line)))
	c.waitJS(5*time.Second, "the output shown again", present("#transcript pre.result"))
	type span struct{ Class, Text, Color, Weight string }
	got := mustEval[[]span](c, `[...document.querySelectorAll("#transcript pre.result .sgr")].map(s =>
		({class: s.className, text: s.textContent, color: getComputedStyle(s).color, weight: getComputedStyle(s).fontWeight}))`)
	want := []span{{"sgr sgr-blue sgr-bold", "cmd", "rgb(10, 88, 194)", "700"}, {"sgr sgr-green sgr-bold", "main.go", "rgb(17, 99, 41)", "700"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the output's coloured runs are %+v, want %+v", got, want)
	}
	if axe := axeIfPresent(t); axe != "" {
		for _, scheme := range []string{"light", "dark"} {
			viewport(c, 1280, 900, false, scheme)
			axeCheck(t, c, axe, "a coloured output, "+scheme, 10)
		}
	}
}

// testInvisibleTitle: a custom title of zero-width spaces shows nothing;
// the session goes by its prompt instead, in the list and on its page,
// where it had an empty title, a blank line to click.
func testInvisibleTitle(t *testing.T, b *browser) {
	const sid = "7b000000-0000-4000-8000-0000000000c4"
	at := time.Now().Add(-time.Hour)
	c, _ := openSessionPage(t, b, sid, fixture.User(sid, cwd, "deploy the docs", at),
		record(t, sid, "custom-title", "ct-zw", at, nil, map[string]any{"customTitle": "\u200b\u200b\ufeff"}),
		replyLine(t, sid, "msg_z1", "Deployed.", at))
	c.waitJS(5*time.Second, "the page's title", hasText("#session-header .title", "deploy the docs"))
	c.navigate(strings.TrimSuffix(mustEval[string](c, `location.href`), "/s/claude/"+sid) + "/")
	waitLive(c)
	c.waitJS(5*time.Second, "the row", present(rowSel("claude:"+sid)))
	if got := c.text(rowSel("claude:"+sid) + " .title"); got != "deploy the docs" {
		t.Errorf("the row's title reads %+q", got)
	}
}

// testScriptedEvents: events a script makes (an extension's or a
// password manager's new Event("keydown"), without ctrlKey; a keydown
// on the document itself, whose target has no isContentEditable; a
// wheel, touch or press without their numbers) leave the client
// running. One read as the browser's own ended the Go program: the page
// stayed as it was, dead to keys, clicks and the stream, until reloaded.
func testScriptedEvents(t *testing.T, b *browser) {
	const sid = "7b000000-0000-4000-8000-0000000000c5"
	at := time.Now().Add(-time.Hour)
	c, _ := openSessionPage(t, b, sid, fixture.User(sid, cwd, "run the suite", at), replyLine(t, sid, "msg_e1", "It passes.", at))
	mustEval[bool](c, `(() => {
		const t = document.getElementById("transcript");
		document.dispatchEvent(new Event("keydown"));
		document.dispatchEvent(new KeyboardEvent("keydown", {key: "j"}));
		for (const type of ["wheel", "touchstart", "touchmove", "pointerdown"]) t.dispatchEvent(new Event(type, {bubbles: true}));
		return true;
	})()`)
	keys(c, "?")
	c.waitJS(5*time.Second, "the shortcuts, the client still running", present(`#help[role="dialog"]`))
	keys(c, "\x1b")
	c.waitJS(5*time.Second, "the dialog closed", `!document.getElementById("help")`)

	keys(c, "u") // the list, where a press on a row is listened to
	c.waitJS(10*time.Second, "the list", present(rowSel("claude:"+sid)))
	mustEval[bool](c, `(document.querySelector("li.session").dispatchEvent(new Event("pointerdown", {bubbles: true})),
		document.dispatchEvent(new Event("keydown")), true)`)
	keys(c, "/")
	c.waitJS(5*time.Second, "/ to focus the search, the client still running", `document.activeElement === document.getElementById("search")`)
}
