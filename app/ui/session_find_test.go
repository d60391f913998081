package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/convo"
	"vibecraft.sh/helm/shared"
)

func textMsgs(texts map[string]string, cursors ...string) shared.MessagePage {
	var pg shared.MessagePage
	for _, c := range cursors {
		pg.Messages = append(pg.Messages, shared.Message{Cursor: c, Role: "assistant",
			Blocks: []shared.Block{{Type: shared.BlockText, Text: texts[c]}}})
	}
	return pg
}

// The match find shows stays the same message when older messages
// arrive above it (every index moves), and find stops holding a row
// in view once its message is gone (the transcript was rewritten).
func TestFindKeepsItsMessage(t *testing.T) {
	texts := map[string]string{"o1": "reply 140 older", "o2": "nothing", "c1": "reply 141", "c2": "other", "c3": "reply 142", "n1": "reply 143 rewritten"}
	p := pageFor()
	p.convo.Reset(textMsgs(texts, "c1", "c2", "c3"))
	p.term = "reply 14"
	p.refind()
	if len(p.matches) != 2 {
		t.Fatalf("%d matches in the last page, want 2", len(p.matches))
	}
	// The second match is shown and held in view (what next does).
	p.match, p.curCursor, p.pin = 1, "c3", 2

	p.convo.Prepend(textMsgs(texts, "o1", "o2"))
	p.refind()
	if len(p.matches) != 3 || p.match != 2 || p.pin != 4 || p.convo.Msgs[p.pin].Cursor != "c3" {
		t.Fatalf("after an older page: match %d of %d, held row %d; want match 3 of 3 on the same message (row 4)", p.match+1, len(p.matches), p.pin)
	}

	p.convo.Reset(textMsgs(texts, "n1"))
	p.refind()
	if p.pin != -1 {
		t.Fatalf("after a rewrite: row %d held in view, its message is gone", p.pin)
	}
	if p.match != 0 || len(p.matches) != 1 {
		t.Fatalf("after a rewrite: match %d of %d, want 1 of 1", p.match+1, len(p.matches))
	}
}

// Find's first match is where the reader is, not the oldest loaded one:
// the current match while a longer term still finds it, else the first
// after it; with none, a match in view (one that starts in it first),
// else the first below the view, else the nearest above.
func TestFirstMatch(t *testing.T) {
	msgs := textMsgs(map[string]string{}, "m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7").Messages
	matches := []int{1, 3, 6}
	for _, c := range []struct {
		name string
		cur  string
		from int
		view []viewRow
		want int
	}{
		{"the view at the start", "", 0, nil, 0},
		{"a match at the view's top", "", 3, nil, 1},
		{"the first below the view", "", 4, nil, 2},
		{"none below: the nearest above", "", 7, nil, 2},
		{"the current match kept", "m3", 7, nil, 1},
		{"the current match no longer matches", "m2", 5, nil, 2},
		{"one cut at the top, one whole below it: the whole one", "", 3, []viewRow{{3, false}, {4, true}, {5, true}, {6, true}}, 2},
		{"only one cut at the top: that one", "", 3, []viewRow{{3, false}, {4, true}, {5, true}}, 1},
		{"none in view: the first below", "", 4, []viewRow{{4, false}, {5, true}}, 2},
	} {
		if got := firstMatch(matches, msgs, c.cur, c.from, c.view); got != c.want {
			t.Errorf("%s: match %d (row %d), want %d (row %d)", c.name, got, matches[got], c.want, matches[c.want])
		}
	}
}

// TestFindSaysWhatItKnows: before helmd answers a find, the count says
// "…", not "no match"; a term too long for helmd's find says so rather
// than offering the loaded messages without a reason; and a window away
// from the end, offline, does not invite a scroll that loads nothing.
func TestFindSaysWhatItKnows(t *testing.T) {
	p := pageFor()
	p.convo.Reset(textMsgs(map[string]string{"c1": "nothing here"}, "c1"))
	p.convo.Before = "c0" // older messages to load
	p.term, p.foundTerm, p.foundState = "resultonly", "resultonly", findAsking
	if out := app.HTMLString(p.renderFind()); !regexp.MustCompile(`id="find-count"[^>]*>…<`).MatchString(out) {
		t.Errorf("while helmd searches, the count is not \"…\":\n%s", out)
	}
	long := strings.Repeat("é", shared.MaxFindTerm/2+1)
	p.term, p.foundTerm, p.foundState = long, long, findFailed
	if out := app.HTMLString(p.renderFind()); !strings.Contains(out, "too long to search the whole transcript (256 bytes at most)") {
		t.Errorf("a term over %d bytes does not say why only the loaded messages are searched:\n%s", shared.MaxFindTerm, out)
	}
	p.tail, p.state = &convo.Convo{}, "offline"
	if out := app.HTMLString(p.renderTranscript()); !strings.Contains(out, "Newer messages load once helmd answers again") {
		t.Errorf("offline in a window, the end of the transcript does not say newer messages wait for helmd:\n%s", out)
	}
}
