package ui

import (
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// The server's page carries only its first screen of sessions: the count
// says how many there are until the stream's init brings them all.
func TestPartialSeedCountsEverySession(t *testing.T) {
	seed := Seed{Sessions: sample(), Total: 12345, At: ms(0), Now: now}
	out := render(t, NewHome(seed))
	if !strings.Contains(out, ">12,345 sessions<") {
		t.Fatalf("a partial seed's count: %s", between(out, `id="count"`, "</span>"))
	}
	if !strings.Contains(out, `&#34;total&#34;:12345`) && !strings.Contains(out, `&quot;total&quot;:12345`) {
		t.Errorf("the page's seed does not pass the total on")
	}
	h := NewHome(seed)
	h.apply(shared.Event{Type: shared.EventInit, Sessions: sample()[:1]})
	if out := render(t, h); !strings.Contains(out, ">1 session<") {
		t.Fatalf("after init the count is the list's: %s", between(out, `id="count"`, "</span>"))
	}
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	in, _, _ := strings.Cut(after, to)
	return in
}
