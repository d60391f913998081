package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"vibecraft.sh/helm/server/internal/fixture"
)

// testSessionJumps: on a transcript of 3,000 messages, Home shows its
// first prompt (not the start of the 50 loaded) and End its end; a
// message written while the start is read leaves the view still and is
// announced; End follows the end again; find counts a word only message
// 10 holds over the whole transcript, and Enter shows it.
func testSessionJumps(t *testing.T, b *browser) {
	const sid = "6d000000-0000-4000-8000-000000000010"
	c, path := openTurns(t, b, sid, 1500, func(i int) string {
		if i == 5 { // message 10
			return "prompt 5 holds the zebrafish"
		}
		return fmt.Sprintf("prompt %d", i)
	})
	const transcript = `document.getElementById("transcript")`
	inView := func(text string) string {
		return fmt.Sprintf(`(t => [...t.querySelectorAll(".msg")].some(m => {
			const v = t.getBoundingClientRect(), r = m.getBoundingClientRect();
			return r.bottom > v.top && r.top < v.bottom && m.textContent.includes(%s);
		}))(%s)`, jsString(text), transcript)
	}
	newBelow := `(document.getElementById("new-below") || {}).textContent`
	atEnd := `(t => t.scrollTop + t.clientHeight >= t.scrollHeight - 2)(` + transcript + `)`

	keys(c, kb.Home)
	c.waitJS(10*time.Second, "Home: the first prompt in view", inView("prompt 0")+` && `+hasText("#older", "Start of the transcript"))
	c.waitJS(5*time.Second, "the way back to the end offered", newBelow+` === "Jump to latest ↓"`)
	row := `document.querySelector('#transcript .msg[data-i="0"]')`
	before := settledTop(c, "the first prompt", row)

	fixture.Append(t, path, fixture.User(sid, cwd, "written while the start is read", time.Now()))
	c.waitJS(10*time.Second, "the new message announced", newBelow+` === "1 new message — jump to latest ↓"`)
	if after := settledTop(c, "the first prompt after the write", row); after != before {
		t.Errorf("the write moved the first prompt from y=%.1f to y=%.1f", before, after)
	}
	if mustEval[bool](c, msgsWith("written while the start is read")) {
		t.Error("the new message was added below the start")
	}

	keys(c, kb.End)
	c.waitJS(10*time.Second, "End: the new message, at the end", inView("written while the start is read")+` && `+atEnd+
		` && !document.getElementById("new-below")`)
	fixture.Append(t, path, replyLine(t, sid, "msg_j_after", "written after End", time.Now()))
	c.waitJS(10*time.Second, "End follows the end again", inView("written after End")+` && `+atEnd)

	keys(c, "/")
	c.waitJS(5*time.Second, "the find box focused", `document.activeElement && document.activeElement.id === "find"`)
	// Enter at once, as people type, before helmd has answered: it
	// shows the match when the answer comes (it was dropped).
	keys(c, "zebrafish\r")
	count := `document.getElementById("find-count").textContent`
	c.waitJS(10*time.Second, "one match in the whole transcript", count+` === "1 of 1"`)
	c.waitJS(10*time.Second, "Enter shows message 10", currentMatchInView("zebrafish")+` && `+inView("prompt 5 holds"))
	if got := c.text(".find .hint"); got != "searches the whole transcript" {
		t.Errorf("the hint says %q", got)
	}
}

// testSessionWindowMeetsTheEnd: scrolled down from Home, the window
// loads the pages after it until it meets the end, which the page then
// follows as before: a message written there shows, at the end. A call
// on the first page whose result is written 200 messages below it (the
// user went on talking while it ran) shows as done, not running, before
// its result is loaded; a call written at the end, which has no result
// yet, runs.
func testSessionWindowMeetsTheEnd(t *testing.T, b *browser) {
	const sid = "6d000000-0000-4000-8000-000000000011"
	at := time.Now().Add(-time.Hour)
	c, path := openTurns(t, b, sid, 150, func(i int) string { return fmt.Sprintf("prompt %d", i) }, func(i int) string { // 300 messages: six pages
		switch i {
		case 2:
			return toolCall(t, sid, "slow", "Bash", map[string]any{"command": "make slow-suite"}, at)
		case 100:
			return toolResult(t, sid, "slow", "slow suite passed", at, nil)
		}
		return ""
	})
	slow := `(b => b && b.dataset.state)([...document.querySelectorAll("#transcript .block.tool")].find(b => b.textContent.includes("make slow-suite")))`
	keys(c, kb.Home)
	c.waitJS(10*time.Second, "Home: the first page, newer below it", msgsWith("prompt 0")+` && !!document.getElementById("newer")`)
	c.waitJS(5*time.Second, "the call whose result is not loaded yet shown as done", slow+` === "answered"`)
	// Down to the bottom of the window, again and again as pages come.
	c.waitJS(15*time.Second, "the window met the end", `(t => {
		t.scrollTop = t.scrollHeight;
		return !document.getElementById("newer") && !document.getElementById("new-below");
	})(document.getElementById("transcript"))`+` && `+msgsWith("reply 149"))
	fixture.Append(t, path, fixture.User(sid, cwd, "written once the window met the end", time.Now()))
	c.waitJS(10*time.Second, "followed at the end", msgsWith("written once the window met the end")+
		` && (t => t.scrollTop + t.clientHeight >= t.scrollHeight - 2)(document.getElementById("transcript"))`)
	fixture.Append(t, path, toolCall(t, sid, "now", "Bash", map[string]any{"command": "make now"}, time.Now()))
	c.waitJS(10*time.Second, "the call written last, with no result yet, runs",
		`[...document.querySelectorAll("#transcript .block.tool")].some(b => b.textContent.includes("make now") && b.dataset.state === "running")`)
}

// openTurns writes a transcript of turns prompts (prompt(i)), each
// answered "reply i" and followed by the lines after(i) gives, an hour
// ago, serves it and opens its page at the last page, the transcript
// focused; it returns the tab and the file.
func openTurns(t *testing.T, b *browser, sid string, turns int, prompt func(i int) string, after ...func(i int) string) (*chrome, string) {
	t.Helper()
	claude := t.TempDir()
	at := time.Now().Add(-time.Hour)
	var s strings.Builder
	for i := range turns {
		s.WriteString(fixture.User(sid, cwd, prompt(i), at) + replyLine(t, sid, fmt.Sprintf("msg_%s_%d", sid[len(sid)-2:], i), fmt.Sprintf("reply %d", i), at))
		for _, a := range after {
			s.WriteString(a(i))
		}
	}
	path := fixture.Path(claude, cwd, sid)
	fixture.Append(t, path, s.String())
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the last page", msgsWith(fmt.Sprintf("reply %d", turns-1)))
	c.waitJS(5*time.Second, "the transcript focused", `document.activeElement && document.activeElement.id === "transcript"`)
	return c, path
}
