package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// The session page at a wide screen's width, against the widths it had:
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -count=1 -run SessionPageBrowserWide ./server/e2e/

// measure is the longest line of message text, in CSS pixels: the 70rem
// (of 14 px) that the page's 72rem frame left it, at any width.
const measure = 980

// wideProse is a paragraph longer than any line of the page.
const wideProse = "This paragraph is long on purpose, so that it wraps over several lines on any screen; a reader's eye " +
	"travels back from the end of each line to the start of the next, and the longer the line the easier it is to lose one's place. " +
	"A comfortable measure is some sixty to a hundred and twenty characters, not the whole width of a wide window."

// wideCode is a reply that opens with a line of code longer than the
// measure, then a paragraph.
var wideCode = "```\n" + strings.Repeat("log line with a long tail, ", 8) + "end\n```\n\n" + wideProse

// wideLookJS reads the session page as a reader sees it: the header's
// box, its facts' boxes and whether a fact's value is cut (wider than
// its box), how the project reads (shownJS), the title's and the copy
// buttons' boxes; the transcript's box; the widest paragraph or prompt
// of text, each code block's box, and a message's time and its text;
// and whether the page is wider than the window.
const wideLookJS = `(() => {
	const box = e => e.getBoundingClientRect().toJSON();
	const all = sel => [...document.querySelectorAll(sel)];
	const facts = all("#session-header .fact").map(f => ({class: f.classList[1], box: box(f),
		cut: (v => v.scrollWidth > v.clientWidth + 1)(f.querySelector(".value"))}));
	const text = all("#transcript .md > p, #transcript .prompt, #transcript .md li");
	const cont = all("#transcript .msg.cont").find(m => (m.querySelector(".md > :first-child") || {}).tagName === "P");
	return {header: box(document.getElementById("session-header")), facts,
		project: (` + shownJS + `)(document.querySelector("#session-header .project .value")),
		title: box(document.querySelector("#session-header .title")),
		copies: all("#session-header .actions button").map(box),
		transcript: box(document.getElementById("transcript")),
		textWidest: Math.max(...text.map(e => e.getBoundingClientRect().width)), texts: text.length,
		code: all("#transcript pre").map(box),
		time: cont ? box(cont.querySelector(".msg-head .time")) : null,
		timeText: cont ? box(cont.querySelector(".md > p")) : null,
		overflow: document.documentElement.scrollWidth > innerWidth};
})()`

type wideLook struct {
	Header box
	Facts  []struct {
		Class string
		Box   box
		Cut   bool
	}
	Project        pathShown
	Title          box
	Copies         []box
	Transcript     box
	TextWidest     float64
	Texts          int
	Code           []box
	Time, TimeText *box
	Overflow       bool
}

// TestSessionPageBrowserWide: at 1600 px (and 1920) the session page
// uses the width: its frame is the window's, the header's ten facts
// keep one line (the project, showing its end after a "…", and the
// branch giving way first) with the copy buttons on the title's line,
// so the header is shorter than at 1280; message text keeps the
// measure it had (70rem), a code block longer than that grows past it
// within the frame, and an answer's time stays beside its text. At 1280
// px nothing moves: the frame, the facts whole, text at the frame's
// width. At 390 px the page fits. Contrast passes, light and dark.
func TestSessionPageBrowserWide(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	const sid = "5f000000-0000-4000-8000-000000000001"
	project := acme + "platform/services/payments/billing-api"
	at := time.Now().Add(-2 * time.Hour)
	tokens := strings.NewReplacer(`"input_tokens":10`, `"input_tokens":56`, `"output_tokens":20`, `"output_tokens":1500`,
		`"cache_creation_input_tokens":0`, `"cache_creation_input_tokens":6300`, `"cache_read_input_tokens":0`, `"cache_read_input_tokens":106000`)
	var w strings.Builder
	w.WriteString(fixture.User(sid, project, "Our Docker image is 2 GB, slim it down", at))
	w.WriteString(tokens.Replace(fixture.Assistant(sid, project, "msg_w0", "end_turn", at.Add(time.Minute))))
	w.WriteString(replyLine(t, sid, "msg_w1", wideCode, at.Add(2*time.Minute)))
	w.WriteString(replyLine(t, sid, "msg_w2", wideProse, at.Add(3*time.Minute)))
	w.WriteString(fixture.User(sid, project, "Thanks. "+wideProse, at.Add(4*time.Minute)))
	w.WriteString(fixture.TurnDuration(sid, project, 95*time.Second, at.Add(4*time.Minute)))
	fixture.Append(t, fixture.Path(claude, project, sid), strings.ReplaceAll(strings.ReplaceAll(w.String(),
		`"cwd":"`+cwd+`"`, `"cwd":"`+project+`"`), `"gitBranch":"main"`, `"gitBranch":"feature/slim-docker-image"`))
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/s/claude/" + sid)
	c.waitJS(30*time.Second, "the header's facts", present("#session-header .work .value"))
	c.waitJS(10*time.Second, "the transcript", msgsWith("Thanks. This paragraph"))

	looks := map[int64]wideLook{}
	for _, width := range []int64{1280, 1600, 1920, 390} {
		viewport(c, width, 900, width < 600, "light")
		l := mustEval[wideLook](c, wideLookJS)
		looks[width] = l
		what := fmt.Sprintf("%d px", width)
		t.Logf("FIGURE session page at %s: header %.0f px high, transcript %.0f px wide", what, l.Header.Height, l.Transcript.Width)
		if l.Overflow {
			t.Errorf("%s: the page is wider than the window", what)
		}
		if l.Texts < 3 {
			t.Fatalf("%s: %d paragraphs of text in the transcript", what, l.Texts)
		}
		if width == 390 {
			continue // the phone's header: testLookSessionHeaderPhone
		}
		if len(l.Facts) != 10 || len(l.Copies) != 3 {
			t.Fatalf("%s: %d facts and %d copy buttons, want all ten and three", what, len(l.Facts), len(l.Copies))
		}
		lines, where := map[float64]bool{}, []string{}
		for _, f := range l.Facts {
			lines[f.Box.Top] = true
			where = append(where, fmt.Sprintf("%s@%.0f", f.Class, f.Box.Top))
			if f.Box.Right > l.Header.Right+0.5 || (f.Cut && f.Class != "project" && f.Class != "branch") {
				t.Errorf("%s: the fact %s is cut or past the header: %+v", what, f.Class, f.Box)
			}
		}
		if !readsEnd(l.Project.Text, l.Project.Shown) || l.Project.Overlap {
			t.Errorf("%s: the project reads %q, want %q whole or … and its last folders", what, l.Project.Shown, l.Project.Text)
		}
		if l.TextWidest > measure+0.5 {
			t.Errorf("%s: a line of message text is %.0f px long, want %d at most", what, l.TextWidest, measure)
		}
		if len(l.Code) != 1 || l.Code[0].Right > l.Transcript.Right+0.5 {
			t.Fatalf("%s: code blocks %+v, want one within the transcript %+v", what, l.Code, l.Transcript)
		}
		if l.Time == nil || l.TimeText == nil || l.Time.Left < l.TimeText.Right || l.Time.Left > l.TimeText.Left+measure+60 {
			t.Errorf("%s: an answer's time %+v is not just right of its text %+v", what, l.Time, l.TimeText)
		}
		if width == 1280 {
			if len(lines) < 2 || l.Project.Shown != l.Project.Text || l.Transcript.Width > 1010 || l.TextWidest < measure-40 {
				t.Errorf("1280 px: not as it was: facts on %d lines, the project reads %q, transcript %.0f px, text %.0f px",
					len(lines), l.Project.Shown, l.Transcript.Width, l.TextWidest)
			}
			continue
		}
		if len(lines) != 1 {
			t.Errorf("%s: the header's facts take %d lines, want one: %s", what, len(lines), strings.Join(where, " "))
		}
		for _, b := range l.Copies {
			if !sameLine(b, l.Title) || b.Left < l.Title.Right {
				t.Errorf("%s: a copy button %+v is not on the title's line %+v, right of it", what, b, l.Title)
			}
		}
		if l.Transcript.Width < float64(width)-40 {
			t.Errorf("%s: the transcript is %.0f px wide, want the window's", what, l.Transcript.Width)
		}
		if l.Header.Height >= looks[1280].Header.Height {
			t.Errorf("%s: the header is %.0f px high, no less than at 1280 px (%.0f)", what, l.Header.Height, looks[1280].Header.Height)
		}
		if l.Code[0].Width <= measure {
			t.Errorf("%s: the long line of code is cut at %.0f px, within the text's measure: the width goes unused", what, l.Code[0].Width)
		}
		c.screenshot(fmt.Sprintf("session-wide-%d-light", width))
	}
	if axe := axeIfPresent(t); axe != "" {
		for _, scheme := range []string{"light", "dark"} {
			viewport(c, 1600, 900, false, scheme)
			axeCheck(t, c, axe, "session page at 1600 px, "+scheme, 20)
		}
		c.screenshot("session-wide-1600-dark")
	}
}
