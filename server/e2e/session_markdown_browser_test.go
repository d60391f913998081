package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// markdownText is an assistant's answer as Claude writes them: a bulleted
// list under a numbered item, a table wider than a phone, a rule, a quote
// holding a list, a task list and a fenced block of code.
var markdownText = "Steps:\n\n1. first\n2. second\n   - alpha\n   - beta\n3. third\n\n" +
	"---\n\n> Noted:\n> - one\n> - two\n\n- [x] done it\n- [ ] not yet\n\n```go\nfunc main() {}\n```\n\n" +
	"| File | " + strings.Repeat("A rather long column heading | ", 6) + "Lines |\n" +
	"|:--|" + strings.Repeat("---|", 6) + "--:|\n" +
	"| `main.go` | " + strings.Repeat("some *words* here | ", 6) + "12 |\n" +
	"| `a.go` | " + strings.Repeat("a cell of many words, which wraps at a readable width rather than running on | ", 6) + "3 |\n"

// testSessionMarkdown: the session page shows a nested list as a sub-list
// of its item and a pipe table as a table, which scrolls sideways inside
// its box at a phone's width instead of widening the page, its borders
// 3:1 against the page in both schemes.
func testSessionMarkdown(t *testing.T, b *browser) {
	claude := t.TempDir()
	const sid = "6d000000-0000-4000-8000-000000000001"
	at := time.Now().Add(-time.Hour)
	fixture.Append(t, fixture.Path(claude, cwd, sid), fixture.User(sid, cwd, "show me", at)+
		record(t, sid, "assistant", "a-md", at, map[string]any{"id": "msg_md", "type": "message", "role": "assistant",
			"model": "claude-sonnet-4-5-20250929", "stop_reason": "end_turn", "usage": map[string]int{"input_tokens": 1, "output_tokens": 1},
			"content": []any{map[string]any{"type": "text", "text": markdownText}}}, map[string]any{"requestId": "req_md"}))
	p := serveList(t, claude)
	c := b.tab(t)
	viewport(c, 375, 812, true, "light")
	defer viewport(c, 1280, 900, false, "")
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(10*time.Second, "the table", `!!document.querySelector("#transcript .md .md-table table")`)

	list := `document.querySelector("#transcript .md ol")`
	if got := mustEval[string](c, `[...`+list+`.children].map(li => li.firstChild.textContent + (li.querySelector(":scope > ul") ? "[" +
		[...li.querySelector(":scope > ul").children].map(e => e.textContent).join(",") + "]" : "")).join(" ")`); got != "first second[alpha,beta] third" {
		t.Errorf("the numbered list reads %q, want first, second with the bullets alpha and beta under it, third", got)
	}
	table := `document.querySelector("#transcript .md .md-table")`
	if got := mustEval[string](c, `[...`+table+`.querySelectorAll("thead th, tbody td")].map(e => e.tagName + ":" + getComputedStyle(e).textAlign).filter((_, i) => i % 8 == 0 || i % 8 == 7).join()`); got != "TH:left,TH:right,TD:left,TD:right,TD:left,TD:right" {
		t.Errorf("the first and last columns' cells and alignments: %s", got)
	}
	if got := mustEval[string](c, table+`.querySelector("tbody td code").textContent + "/" + `+table+`.querySelector("tbody em").textContent`); got != "main.go/words" {
		t.Errorf("Markdown in the cells reads %q", got)
	}
	if !mustEval[bool](c, `(e => getComputedStyle(e).overflowX === "auto" && e.scrollWidth > e.clientWidth)(`+table+`)`) {
		t.Error("the wide table does not scroll inside its box")
	}
	if mustEval[bool](c, `document.documentElement.scrollWidth > document.documentElement.clientWidth || document.getElementById("transcript").scrollWidth > document.getElementById("transcript").clientWidth`) {
		t.Error("the wide table widens the page")
	}
	md := `document.querySelector("#transcript .md")`
	if got := mustEval[string](c, `(m => [m.querySelectorAll("hr").length, [...m.querySelectorAll("blockquote li")].map(e => e.textContent).join(","),
		[...m.querySelectorAll(".task-box")].map(e => e.getAttribute("aria-label")).join(","), m.querySelectorAll("input").length].join(" "))(`+md+`)`); got != "1 one,two done,not done 0" {
		t.Errorf("rule, quoted list, task boxes and inputs read %q, want 1 rule, a list one,two in the quote, boxes done,not done and no input", got)
	}
	// Code reads at a size a person reads all day: a block's code as its
	// box, both at least 12 px.
	if got := mustEval[string](c, `(m => [m.querySelector("pre code"), m.querySelector("pre"), m.querySelector("td code")].map(e => getComputedStyle(e).fontSize).join(" "))(`+md+`)`); got != "12.6px 12.6px 12.6px" {
		t.Errorf("code sizes (block's code, block, inline) %s, want 12.6px each", got)
	}
	for _, scheme := range []string{"light", "dark"} {
		viewport(c, 375, 812, true, scheme)
		ratio := mustEval[float64](c, fmt.Sprintf(`(() => {
			const rgb = s => (s.match(/[\d.]+/g) || []).slice(0, 4).map(Number);
			const lum = ([r, g, b]) => [r, g, b].map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
				.reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
			const td = %s.querySelector("td");
			let bgEl = td.parentElement, bg = rgb(getComputedStyle(bgEl).backgroundColor);
			while (bg.length === 4 && bg[3] === 0 && bgEl.parentElement) { bgEl = bgEl.parentElement; bg = rgb(getComputedStyle(bgEl).backgroundColor); }
			const [a, b] = [lum(rgb(getComputedStyle(td).borderTopColor)), lum(bg)].sort((x, y) => y - x);
			return (a + 0.05) / (b + 0.05);
		})()`, table))
		t.Logf("FIGURE markdown table border contrast %s: %.2f:1", scheme, ratio)
		if ratio < 3 {
			t.Errorf("%s: the table's borders are %.2f:1 against the page, want 3:1", scheme, ratio)
		}
	}
	c.screenshots("markdown")
}
