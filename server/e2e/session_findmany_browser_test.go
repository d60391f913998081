package e2e

import (
	"fmt"
	"testing"
	"time"
)

// testSessionFindPastTheCap: a term 1,012 messages show, more than
// helmd sends at once (1,000), is counted whole and each match is
// numbered where it stands: from the end, the matches between the
// 1,000th and the loaded end are reached; past the last, the first,
// and before the first, the last.
func testSessionFindPastTheCap(t *testing.T, b *browser) {
	const sid = "6d000000-0000-4000-8000-000000000012"
	// Prompts 0–1009 hold the term, and 1050 and 1098; the last page
	// (turns 1075–1099) holds only 1098.
	c, _ := openTurns(t, b, sid, 1100, func(i int) string {
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
	shiftEnter(c)
	at("before the first, the last", "1,012 of 1,012", 1098)
}
