package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestSubagentHeaderBrowser: a subagent's page says what the subagent is
// (its meta file's description and type), whose subagent it is, with a
// link to that session, and which facts are that session's; it shows the
// subagent's own figures, not its parent's question, message count,
// models or cost, and its resume button says it resumes the parent.
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -count=1 -run SubagentHeaderBrowser ./server/e2e/
func TestSubagentHeaderBrowser(t *testing.T) {
	beside(t)
	inOneBrowser(t, []browserTest{{"NamesItselfAndItsParent", testSubagentHeader}})
}

func testSubagentHeader(t *testing.T, b *browser) {
	const sid, agent = "5e000000-0000-4000-8000-0000000000a9", "a9497799e6978cb67"
	claude := t.TempDir()
	at := time.Now().Add(-30 * time.Second) // the parent's turn ended just now: it waits
	path := fixture.Path(claude, cwd, sid)
	fixture.Append(t, path, fixture.User(sid, cwd, "tidy the rate limiter", at)+
		replyLine(t, sid, "msg_p1", "I asked a subagent.", at)+
		fixture.User(sid, cwd, "and then?", at)+
		replyLine(t, sid, "msg_p2", "## Question\nShould the limit be per user or per IP?", at))
	dir := filepath.Join(strings.TrimSuffix(path, ".jsonl"), "subagents")
	side := map[string]any{"isSidechain": true, "agentId": agent}
	fixture.Append(t, filepath.Join(dir, "agent-"+agent+".jsonl"),
		record(t, sid, "user", "s-1", at, map[string]any{"role": "user", "content": "Explore the limiter's code."}, side)+
			record(t, sid, "assistant", "s-2", at, map[string]any{"id": "msg_sub_1", "type": "message", "role": "assistant",
				"model": "claude-haiku-4-5-20251001", "stop_reason": "end_turn", "usage": map[string]int{"input_tokens": 1000, "output_tokens": 10},
				"content": []any{map[string]any{"type": "text", "text": "The limiter keys on the IP."}}}, side))
	if err := os.WriteFile(filepath.Join(dir, "agent-"+agent+".meta.json"), []byte(`{"agentType":"Explore","description":"Explore code"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid + "?agent=" + agent)
	c.waitJS(30*time.Second, "the subagent's messages", msgsWith("The limiter keys on the IP."))
	c.waitJS(10*time.Second, "its header", `!!document.querySelector("#session-header .facts")`)
	defer func() {
		if t.Failed() {
			t.Logf("header: %s", mustEval[string](c, `document.getElementById("session-header").outerHTML`))
		}
	}()

	type header struct {
		Title, Of, ParentHref, ParentStatus, Resume, ID string
		Question, Messages                              bool
		Cost, Models                                    string
		DocTitle                                        string
	}
	got := mustEval[header](c, `(() => {
		const h = document.getElementById("session-header"), q = s => h.querySelector(s);
		return {Title: q(".title").textContent, Of: (q(".subagent-of") || {}).textContent || "",
			ParentHref: q("#parent-session") ? q("#parent-session").getAttribute("href") : "",
			ParentStatus: q(".parent-status") ? q(".parent-status").textContent : "",
			Resume: q("#copy-resume").textContent, ID: q("#copy-id").textContent,
			Question: !!q(".question") || h.textContent.includes("per user"), Messages: !!q(".fact.messages"),
			Cost: (q(".fact.cost .value") || {}).textContent || "", Models: (q(".fact.models .value") || {}).textContent || "",
			DocTitle: document.title};
	})()`)
	want := header{Title: "Explore code", Of: "Explore subagent of tidy the rate limiter", ParentHref: "/s/claude/" + sid,
		ParentStatus: "the session is waiting for input", Resume: "Copy the parent session's resume command",
		ID: "Copy the parent session's id", Cost: got.Cost, Models: "haiku 4.5", DocTitle: got.DocTitle}
	if got != want {
		t.Errorf("the subagent's header:\n got %+v\nwant %+v", got, want)
	}
	if !strings.Contains(got.DocTitle, "Explore code") {
		t.Errorf("the tab's title %q does not name the subagent", got.DocTitle)
	}
	// Its own tokens: the 1,000 it read, not the parent's sum.
	if tokens := c.text("#session-header .fact.tokens .value"); !strings.HasPrefix(tokens, "in 1k ·") || got.Cost == "" {
		t.Errorf("tokens %q, cost %q: want the subagent's own", tokens, got.Cost)
	}
	// The transcript path it copies is its own.
	mustEval[bool](c, `(Clipboard.prototype.writeText = function (t) { window.__copied = t; return Promise.resolve(); }, true)`)
	c.do(5*time.Second, "clicking #copy-path", chromedp.Click("#copy-path"))
	c.waitJS(10*time.Second, "the path copied", `!!window.__copied`)
	if got := mustEval[string](c, `window.__copied`); got != filepath.Join(dir, "agent-"+agent+".jsonl") {
		t.Errorf("copy-path copied %q, want the subagent's transcript", got)
	}
	// The link leads to the parent session's page, which shows its
	// question under its title.
	c.do(5*time.Second, "clicking the parent's link", chromedp.Click("#parent-session"))
	c.waitJS(10*time.Second, "the parent's page", fmt.Sprintf(`location.pathname === %s && !location.search.includes("agent") && `,
		jsString("/s/claude/"+sid))+msgsWith("I asked a subagent."))
	c.waitJS(10*time.Second, "the parent's question in its header", hasText("#session-header .question", "Should the limit be per user or per IP?"))
	if got := c.text("#copy-resume"); got != "Copy resume command" {
		t.Errorf("the session's own resume button reads %q", got)
	}
}
