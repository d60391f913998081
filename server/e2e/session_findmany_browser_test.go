package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"vibecraft.sh/helm/server/internal/fixture"
)

// testSessionFindPastTheCap: a term 1,012 messages show, more than
// helmd sends at once (1,000), is counted whole and each match is
// numbered where it stands: from the end, the matches between the
// 1,000th and the loaded end are reached; past the last, the first;
// and one written while the first is read is counted, then reached.
func testSessionFindPastTheCap(t *testing.T, b *browser) {
	const sid = "6d000000-0000-4000-8000-000000000012"
	// Prompts 0–1009 hold the term, and 1050 and 1098; the last page
	// (turns 1075–1099) holds only 1098.
	c, path := openTurns(t, b, sid, 1100, func(i int) string {
		if i < 1010 || i == 1050 || i == 1098 {
			return fmt.Sprintf("zebrafish number %d.", i)
		}
		return fmt.Sprintf("prompt %d", i)
	})
	count := `document.getElementById("find-count").textContent`
	at := func(what, want string, prompt int) {
		t.Helper()
		c.waitJS(20*time.Second, fmt.Sprintf("%s: %s, prompt %d shown", what, want, prompt),
			count+` === `+jsString(want)+` && `+currentMatchInView("zebrafish")+
				` && document.querySelector("#transcript .msg.current-match").textContent.includes(`+jsString(fmt.Sprintf("number %d.", prompt))+`)`)
	}
	defer func() {
		if t.Failed() {
			t.Logf("find says %q", mustEval[string](c, count))
		}
	}()
	keys(c, "/")
	c.waitJS(5*time.Second, "the find box focused", `document.activeElement && document.activeElement.id === "find"`)
	keys(c, "zebrafish")
	at("the last match, counted over the whole transcript", "1,012 of 1,012", 1098)
	shiftEnter(c)
	at("between the 1,000th and the loaded end", "1,011 of 1,012", 1050)
	shiftEnter(c)
	at("the one before", "1,010 of 1,012", 1009)
	keys(c, "\r")
	at("Enter, forward again", "1,011 of 1,012", 1050)
	keys(c, "\r")
	at("Enter, back at the end", "1,012 of 1,012", 1098)
	keys(c, "\r")
	at("past the last, the first", "1 of 1,012", 0)

	// The first is shown in a window: a match written at the end while
	// it is read counts at once, and is the one before the first.
	fixture.Append(t, path, fixture.User(sid, cwd, "zebrafish number 5000.", time.Now()))
	c.waitJS(10*time.Second, "the new message announced", `(document.getElementById("new-below") || {}).textContent === "1 new message — jump to latest ↓"`)
	c.waitJS(10*time.Second, "the match written counted", count+` === "1 of 1,013"`)
	shiftEnter(c)
	at("before the first, the one written last", "1,013 of 1,013", 5000)
}

// testSessionFindCountsWritesInAWindow: while a window (Home) shows,
// a message written at the end that shows the term is counted at once,
// as it is at the end, and n reaches it.
func testSessionFindCountsWritesInAWindow(t *testing.T, b *browser) {
	const sid = "6d000000-0000-4000-8000-000000000013"
	c, path := openTurns(t, b, sid, 150, func(i int) string { // 300 messages: the last page is turns 125–149
		if i == 2 || i == 140 {
			return fmt.Sprintf("zebrafish number %d.", i)
		}
		return fmt.Sprintf("prompt %d", i)
	})
	count := `document.getElementById("find-count").textContent`
	at := func(what, want, text string) {
		t.Helper()
		c.waitJS(10*time.Second, fmt.Sprintf("%s: %s, %q shown", what, want, text),
			count+` === `+jsString(want)+` && `+currentMatchInView("zebrafish")+
				` && document.querySelector("#transcript .msg.current-match").textContent.includes(`+jsString(text)+`)`)
	}
	keys(c, kb.Home)
	c.waitJS(10*time.Second, "Home: the start, the way back to the end offered", msgsWith("prompt 0")+
		` && (document.getElementById("new-below") || {}).textContent === "Jump to latest ↓"`)
	keys(c, "/")
	c.waitJS(5*time.Second, "the find box focused", `document.activeElement && document.activeElement.id === "find"`)
	keys(c, "zebrafish")
	at("the first, in the window", "1 of 2", "number 2.")
	fixture.Append(t, path, fixture.User(sid, cwd, "a zebrafish written while the start is read", time.Now()))
	c.waitJS(10*time.Second, "the new message announced", `(document.getElementById("new-below") || {}).textContent === "1 new message — jump to latest ↓"`)
	c.waitJS(10*time.Second, "the match written counted, the start still read", count+` === "1 of 3"`+` && `+msgsWith("prompt 0"))
	keys(c, "\r")
	at("the next, in the end's messages", "2 of 3", "number 140.")
	keys(c, "\r")
	at("the one written", "3 of 3", "written while the start is read")
}
