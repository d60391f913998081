package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestSessionFocusBrowser: where the session page's view and focus go
// when its rows change under them.
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -count=1 -run SessionFocusBrowser ./server/e2e/
func TestSessionFocusBrowser(t *testing.T) {
	beside(t)
	inOneBrowser(t, []browserTest{
		{"TheFocusStaysAsMessagesCome", testFocusStaysAsMessagesCome},
		{"TheTopShowsTheStart", testTopShowsTheStart},
	})
}

// testFocusStaysAsMessagesCome: a keyboard user's focus on a tool's
// line, at the end of a live session, stays on that line while messages
// come and the view follows them; it was dropped to the page's body at
// the first one (the rows are rendered by their place in the window,
// which moved).
func testFocusStaysAsMessagesCome(t *testing.T, b *browser) {
	const sid = "7b000000-0000-4000-8000-0000000000f1"
	at := time.Now().Add(-time.Hour)
	var w strings.Builder
	for i := range 30 { // more than a view: the window moves as messages come
		n := fmt.Sprint(i)
		w.WriteString(fixture.User(sid, cwd, "prompt "+n, at))
		w.WriteString(toolCall(t, sid, "c"+n, "Bash", map[string]any{"command": "ls " + n}, at))
		w.WriteString(toolResult(t, sid, "c"+n, "out", at, nil))
		w.WriteString(replyLine(t, sid, "msg_"+n, "reply "+n+"\n\nwith a second paragraph", at))
	}
	c, path := openSessionPage(t, b, sid, w.String())

	// Settled: the rows are measured and rendered past the view's top
	// (its overscan). A Tab in the moment between a render's hold of the
	// focus and that render is not kept (see markAnchor).
	c.waitJS(5*time.Second, "rows rendered above the view", `(t => t.querySelector(".msg[data-i]").getBoundingClientRect().bottom < t.getBoundingClientRect().top)(document.getElementById("transcript"))`)
	line := `[...document.querySelectorAll("#transcript .block button.line")].pop()`
	key := mustEval[string](c, `(b => (b.focus(), b.dataset.key))(`+line+`)`)
	for i := range 3 {
		fixture.Append(t, path, replyLine(t, sid, fmt.Sprintf("msg_new%d", i), fmt.Sprintf("news %d", i), time.Now()))
		c.waitJS(5*time.Second, fmt.Sprintf("message %d shown, the view at the end", i), hasTextContaining("#transcript", fmt.Sprintf("news %d", i))+
			` && !document.getElementById("new-below")`)
		// The render that moves the window may put the focus back on the
		// line in its settle, a frame after the message shows (a busy
		// machine widens that gap): what a user's next key meets is
		// where it ends, within the wait.
		c.waitJS(5*time.Second, fmt.Sprintf("the focus on the line after message %d", i),
			fmt.Sprintf(`(e => !!e && e.dataset.key === %q)(document.activeElement)`, key))
		got := mustEval[string](c, `(e => e.className + " " + (e.dataset.key || "") + " " + e.textContent.slice(0, 20))(document.activeElement)`)
		if got != "line "+key+" Bashls 29" {
			t.Fatalf("after message %d the focus is on %q, want the line of the last Bash call (%s)", i, got, key)
		}
	}
}

// testTopShowsTheStart: the transcript's scrollbar dragged to the top
// shows its start. The rows above the first rendered one stood as a
// spacer of guessed height; rendered taller than guessed, they pushed the
// view down to keep that row in place, and the reader at the top saw
// neither "Start of the transcript" nor the first prompt.
func testTopShowsTheStart(t *testing.T, b *browser) {
	const sid = "7b000000-0000-4000-8000-0000000000f2"
	at := time.Now().Add(-time.Hour)
	lines := []string{fixture.User(sid, cwd, "here is the log:\n"+strings.Repeat("a line of the log\n", 120), at)}
	for i := range 12 {
		lines = append(lines, replyLine(t, sid, fmt.Sprintf("msg_s%d", i), fmt.Sprintf("short answer %d", i), at),
			fixture.User(sid, cwd, fmt.Sprintf("short prompt %d", i), at))
	}
	c, _ := openSessionPage(t, b, sid, lines...)
	if mustEval[bool](c, present(`#transcript .msg[data-i="0"]`)) {
		t.Fatalf("the first message is rendered at the end: the view is too tall for this test: %s", c.describe())
	}
	// The scrollbar's thumb pressed and dragged to the top.
	mustEval[bool](c, `(t => (t.dispatchEvent(new PointerEvent("pointerdown", {bubbles: true})), t.scrollTop = 0, true))(document.getElementById("transcript"))`)
	c.waitJS(5*time.Second, "the first message rendered", present(`#transcript .msg[data-i="0"]`))
	// Two frames: the settle after that render has run.
	mustEval[bool](c, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
	top := mustEval[float64](c, `document.getElementById("transcript").scrollTop`)
	start := mustEval[bool](c, `(o => o.getBoundingClientRect().top >= document.getElementById("transcript").getBoundingClientRect().top)(document.getElementById("older"))`)
	if top > 0.5 || !start {
		t.Errorf("at the top, the view moved to %.0f px and shows the start: %v: %s", top, start, c.describe())
	}
}
