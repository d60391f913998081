package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestTextDirectionBrowser: a session written in Hebrew reads right to
// left wherever its text shows (the row's title and question, the
// prompt, the answer's paragraphs, headings, list items and table cells,
// the header's title and question), each element taking its direction
// from its own text, while the page around it stays left to right: the
// times and buttons beside that text keep their places. Its question is
// the answer's first line that says something, past a short heading.
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -count=1 -run TextDirectionBrowser ./server/e2e/
func TestTextDirectionBrowser(t *testing.T) {
	beside(t)
	inOneBrowser(t, []browserTest{{"RightToLeftText", testRightToLeftText}})
}

func testRightToLeftText(t *testing.T, b *browser) {
	const sid = "5e000000-0000-4000-8000-0000000000d1"
	claude := t.TempDir()
	at := time.Now().Add(-30 * time.Second) // an ended turn, just written: waiting
	answer := "## שאלה\nהאם להמשיך עם **login**?\n\n- פריט ראשון\n\n| שם | גודל |\n|---|---|\n| קובץ | 12 |\n\n> ציטוט מהמסמך\n\n> a quote in English"
	fixture.Append(t, fixture.Path(claude, cwd, sid), fixture.User(sid, cwd, "שלום!", at)+replyLine(t, sid, "msg_rtl", answer, at))
	p := serveList(t, claude)
	c := b.tab(t)
	viewport(c, 1280, 900, false, "")
	c.navigate(p.URL + "/")
	waitLive(c)
	waitRows(c, "the list", sid)
	row := rowSel("claude:" + sid)
	c.waitJS(10*time.Second, "the row waiting, with its question", fmt.Sprintf(`!!document.querySelector(%s)`, jsString(row+" .question")))

	// dirOf is an element's direction and alignment as laid out.
	type laid struct {
		Dir, Align, Text string
	}
	dirOf := func(sel string) laid {
		t.Helper()
		return mustEval[laid](c, fmt.Sprintf(`(e => e ? {Dir: getComputedStyle(e).direction, Align: getComputedStyle(e).textAlign, Text: e.textContent} : {})(document.querySelector(%s))`, jsString(sel)))
	}
	// bangLeftOfShin reports whether the text of sel ending in "!" shows
	// its "!" at the left of its first letter, as a right-to-left line
	// does: "שלום!" read left to right shows as "!שלום" would, reversed.
	bangLeftOfShin := func(sel string) bool {
		t.Helper()
		return mustEval[bool](c, fmt.Sprintf(`(e => {
			const w = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
			const n = w.nextNode(), r = document.createRange(), s = n.textContent;
			r.setStart(n, 0); r.setEnd(n, 1); const first = r.getBoundingClientRect();
			r.setStart(n, s.length - 1); r.setEnd(n, s.length); const bang = r.getBoundingClientRect();
			return bang.right <= first.left + 0.5;
		})(document.querySelector(%s))`, jsString(sel)))
	}
	for _, sel := range []string{row + " .title", row + " .question"} {
		if got := dirOf(sel); got.Dir != "rtl" {
			t.Errorf("%s: %+v, want right to left", sel, got)
		}
	}
	if got := dirOf(row + " .question").Text; got != "האם להמשיך עם login?" {
		t.Errorf("the row's question reads %q, want the line after the answer's heading, without its marks", got)
	}
	if !bangLeftOfShin(row + " .title") {
		t.Errorf("the row's title %q does not read right to left", dirOf(row+" .title").Text)
	}
	// The page stays left to right, and the row's time is right of its
	// title, on its line.
	if got := dirOf("body").Dir; got != "ltr" {
		t.Errorf("the page reads %s", got)
	}
	type box struct{ Left, Right, Top, Bottom float64 }
	rect := func(sel string) box {
		t.Helper()
		return mustEval[box](c, fmt.Sprintf(`(r => ({Left: r.left, Right: r.right, Top: r.top, Bottom: r.bottom}))(document.querySelector(%s).getBoundingClientRect())`, jsString(sel)))
	}
	if title, tm := rect(row+" .title"), rect(row+" .time"); tm.Left < title.Right-0.5 || tm.Top >= title.Bottom || tm.Bottom <= title.Top {
		t.Errorf("the row's time %+v is not beside its right-to-left title %+v", tm, title)
	}

	openFromList(c, sid, "the Hebrew session")
	c.waitJS(10*time.Second, "the transcript", msgsWith("פריט ראשון"))
	c.waitJS(10*time.Second, "the header's question", `!!document.querySelector("#session-header .question")`)
	for _, sel := range []string{"#session-header .title", "#session-header .question", "#transcript .prompt",
		"#transcript .md .md-h", "#transcript .md p", "#transcript .md li", "#transcript .md th", "#transcript .md td"} {
		if got := dirOf(sel); got.Dir != "rtl" || (got.Align != "start" && got.Align != "right") {
			t.Errorf("%s: %+v, want right to left, aligned at its start", sel, got)
		}
	}
	if got := dirOf("#session-header .question").Text; got != "האם להמשיך עם login?" {
		t.Errorf("the header's question reads %q, as the row's should", got)
	}
	if !bangLeftOfShin("#transcript .prompt") {
		t.Errorf("the prompt %q does not read right to left", dirOf("#transcript .prompt").Text)
	}
	// A right-to-left block reads from the right: its text ends at its
	// right edge, not its left.
	if text, prompt := mustEval[box](c, `(e => { const r = document.createRange(); r.selectNodeContents(e); const b = r.getBoundingClientRect(); return {Left: b.left, Right: b.right}; })(document.querySelector("#transcript .md p"))`), rect("#transcript .md p"); prompt.Right-text.Right > 2 {
		t.Errorf("the answer's paragraph %+v is not aligned right in its box %+v", text, prompt)
	}
	// The page's own lines stay left to right: the back link before
	// Find, a message's role before its time.
	if back, find := rect("#back"), rect("#find-open"); find.Left < back.Right {
		t.Errorf("Find %+v is left of the back link %+v", find, back)
	}
	if role, tm := rect("#transcript .msg-head .role"), rect("#transcript .msg-head .time"); tm.Left < role.Right {
		t.Errorf("a message's time %+v is left of its role %+v", tm, role)
	}
	// A quote's bar stands where its text begins: right of a Hebrew
	// quote, left of an English one.
	bars := mustEval[[]string](c, `[...document.querySelectorAll("#transcript .md blockquote")].map(q => {
		const s = getComputedStyle(q);
		return (s.borderLeftWidth === "0px" ? "" : "left") + (s.borderRightWidth === "0px" ? "" : "right");
	})`)
	if strings.Join(bars, " ") != "right left" {
		t.Errorf("the quotes' bars are %q, want the Hebrew one's right and the English one's left", bars)
	}
	if mustEval[bool](c, `document.documentElement.scrollWidth > document.documentElement.clientWidth`) {
		t.Error("the right-to-left text widens the page")
	}
}
