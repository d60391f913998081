package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

// tagsWithClass are the opening tags of out (attributes sorted) that
// have class c.
func tagsWithClass(out, c string) []string {
	var tags []string
	for _, tag := range regexp.MustCompile(`<[a-z0-9]+\s[^>]*>`).FindAllString(sortAttrs(out), -1) {
		if m := regexp.MustCompile(`class="([^"]*)"`).FindStringSubmatch(tag); m != nil && strings.Contains(" "+m[1]+" ", " "+c+" ") {
			tags = append(tags, tag)
		}
	}
	return tags
}

// checkDirAuto fails unless every element of out with each class takes
// its direction from its own text (dir="auto"), and there is one.
func checkDirAuto(t *testing.T, where, out string, classes ...string) {
	t.Helper()
	for _, c := range classes {
		tags := tagsWithClass(out, c)
		if len(tags) == 0 {
			t.Errorf("%s: no .%s in\n%s", where, c, out)
		}
		for _, tag := range tags {
			if !strings.Contains(tag, ` dir="auto"`) {
				t.Errorf("%s: %s holds a transcript's text without dir=\"auto\": a Hebrew or Arabic one reads left to right", where, tag)
			}
		}
	}
}

// Text from a transcript takes its direction from its own first strong
// character: "שלום!" reads right to left, its "!" at its left end. The
// page's own words stay left to right: no dir on what holds them.
func TestTranscriptTextTakesItsOwnDirection(t *testing.T) {
	sessions := sample()
	sessions[1].Title = "שלום!"
	sessions[1].Question = "האם להמשיך?"
	sessions[1].FirstPrompt = "תקן את login"
	h := NewHome(Seed{Sessions: sessions, At: ms(0), Now: now})
	checkDirAuto(t, "the list", render(t, h), "title", "question")
	h = NewHome(Seed{Sessions: sessions, At: ms(0), Now: now})
	h.query = list.QueryFromURL("q=login")
	h.typed = h.query.Search
	checkDirAuto(t, "a row matched by its prompt", render(t, h), "prompt")

	p := pageFor("c1#1")
	p.detail = &shared.SessionDetail{Session: shared.Session{ID: p.id, Source: shared.SourceClaude, Title: "שלום!",
		Status: shared.StatusWaiting}, Question: "האם להמשיך?"}
	_, _, out := headerFacts(t, p)
	checkDirAuto(t, "the session's header", out, "title", "question")
	for _, c := range []string{"top-line", "status-line", "facts", "actions"} {
		for _, tag := range tagsWithClass(out, c) {
			if strings.Contains(tag, " dir=") {
				t.Errorf("the header's %s has a direction of its own: %s", c, tag)
			}
		}
	}

	m := shared.Message{Cursor: "c1", Role: "user", Blocks: []shared.Block{{Type: shared.BlockText, Text: "שלום!"}}}
	checkDirAuto(t, "a prompt", app.HTMLString(p.renderMessage(0, &m)), "prompt")
	m = shared.Message{Cursor: "c1", Role: "assistant", Blocks: []shared.Block{
		{Type: shared.BlockTool, Tool: &shared.Tool{Name: "Bash", Summary: "echo שלום"}},
		{Type: shared.BlockThinking, Text: "אני חושב"},
		{Type: shared.BlockText, Text: "# כותרת\n\nשלום!\n\n- פריט\n\n| א | ב |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```"},
	}}
	out = sortAttrs(app.HTMLString(p.renderMessage(0, &m)))
	checkDirAuto(t, "an answer", out, "arg", "thinking-text", "md-h")
	for _, want := range []string{`<p dir="auto">שלום!</p>`, `<li dir="auto">פריט</li>`, `<th dir="auto">א</th>`, `<td dir="auto">1</td>`} {
		if !strings.Contains(regexp.MustCompile(`>\s+|\s+<`).ReplaceAllStringFunc(out, strings.TrimSpace), want) {
			t.Errorf("an answer lacks %s:\n%s", want, out)
		}
	}
	if code := regexp.MustCompile(`<pre[^>]*>`).FindString(out); strings.Contains(code, "dir=") {
		t.Errorf("a code block takes its direction from its text: %s", code)
	}
}
