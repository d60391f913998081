package ui

import (
	"slices"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/convo"
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
