package ui

import (
	"slices"
	"strconv"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/convo"
	"vibecraft.sh/helm/app/vwin"
	"vibecraft.sh/helm/shared"
)

func cursors(msgs []shared.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Cursor)
	}
	return out
}

// While a window away from the end is shown, what the stream sends goes
// to the end behind it, counted; the window meets the end when a page
// after it reaches the end's messages, or the transcript's end, and is
// the end from then on, in order.
func TestWindowTakesNothingAndMeetsTheEnd(t *testing.T) {
	texts := map[string]string{}
	p := pageFor()
	p.convo.Reset(textMsgs(texts, "x", "y"))
	p.tail, p.convo = p.convo, convo.New()
	p.convo.Reset(textMsgs(texts, "a", "b"))

	grew := textMsgs(texts, "y", "z")
	grew.After = "z"
	if added := p.take(app.Context{}, grew); added != 1 || p.unseen != 1 {
		t.Fatalf("take while detached: %d added, %d unseen; want 1 and 1", added, p.unseen)
	}
	if got := cursors(p.convo.Msgs); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("the window took the stream's message: %q", got)
	}
	if got := p.liveConvo(); got != p.tail || got.After != "z" {
		t.Fatalf("the live end is not the end behind the window")
	}

	more := textMsgs(texts, "b", "c")
	more.More = true
	p.convo.Merge(more)
	p.meet(more)
	if p.tail == nil {
		t.Fatal("met the end from a page that reached neither it nor its messages")
	}
	reach := textMsgs(texts, "c", "x")
	reach.More = true
	p.convo.Merge(reach)
	p.meet(reach)
	if p.tail != nil || p.unseen != 0 {
		t.Fatalf("a page that reached the end's first message: detached %v, unseen %d", p.tail != nil, p.unseen)
	}
	if got := cursors(p.convo.Msgs); !slices.Equal(got, []string{"a", "b", "c", "x", "y", "z"}) || p.convo.After != "z" {
		t.Fatalf("met: %q after %q", got, p.convo.After)
	}
}

// numbered is a page of the messages with cursors from … to-1.
func numbered(from, to int) shared.MessagePage {
	var pg shared.MessagePage
	for i := from; i < to; i++ {
		pg.Messages = append(pg.Messages, shared.Message{Cursor: strconv.Itoa(i), Role: "assistant"})
	}
	pg.After = strconv.Itoa(to - 1)
	return pg
}

// Past the cap, the page lets go of the messages well above the rows it
// shows, and only those: the rows shown, the match held in view and the
// row read are the same messages after, at their new indices, and the
// top says older messages load again. Nothing goes while what the reader
// is on (find's current match) is above, or an older page is on its way;
// the end behind a window is capped whole.
func TestCapLetsGoAboveTheView(t *testing.T) {
	defer func(m int) { convo.Max = m }(convo.Max)
	convo.Max = 10
	reading := func() *SessionPage {
		p := pageFor()
		p.convo.Reset(numbered(0, 200))
		p.follow, p.win, p.pin, p.anchor, p.curCursor = false, vwin.Window{First: 150, Last: 155}, 152, 151, "152"
		return p
	}
	p := reading()
	p.foundEnd = "20" // of a find closed since
	if n := p.capMsgs(); n != 100 {
		t.Fatalf("let %d go, want the 100 more than a page above the rows shown", n)
	}
	c := p.convo
	if c.Msgs[p.win.First].Cursor != "150" || p.win.Last-p.win.First != 5 || c.Msgs[p.pin].Cursor != "152" || c.Msgs[p.anchor].Cursor != "151" {
		t.Fatalf("after the cap: window from %q, pin on %q, anchor on %q; want 150, 152, 151",
			c.Msgs[p.win.First].Cursor, c.Msgs[p.pin].Cursor, c.Msgs[p.anchor].Cursor)
	}
	if c.Before != "100" || len(c.Msgs) != 100 || c.Heights.Len() != 100 {
		t.Fatalf("held %d (%d heights), Before %q; want 100 from message 100", len(c.Msgs), c.Heights.Len(), c.Before)
	}

	p = reading()
	p.curCursor = "20" // the match the reader stepped to, scrolled away from
	if n := p.capMsgs(); n != 0 {
		t.Fatalf("let %d go above find's current match", n)
	}
	p = reading()
	p.older = true
	if n := p.capMsgs(); n != 0 || len(p.convo.Msgs) != 200 {
		t.Fatalf("let %d go while an older page was on its way", n)
	}

	p = reading()
	p.curCursor = "" // find's match, in the end, would be kept
	p.tail, p.convo = p.convo, convo.New()
	p.convo.Reset(numbered(0, 5))
	p.take(app.Context{}, numbered(200, 210))
	if n := len(p.tail.Msgs); n > convo.Max || p.tail.Msgs[n-1].Cursor != "209" || len(p.convo.Msgs) != 5 {
		t.Fatalf("the end behind a window holds %d, the window %d", n, len(p.convo.Msgs))
	}
}
