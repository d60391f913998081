package ui

import (
	"strings"
	"testing"

	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

func TestTitleNamesTheHostOffThisMachine(t *testing.T) {
	tests := []struct {
		waiting int
		host    string
		demo    bool
		urlHost string
		want    string
	}{
		{0, "devbox", false, "127.0.0.1", "Helm"},
		{2, "devbox", false, "localhost", "(2) Helm"},
		{0, "devbox", false, "::1", "Helm"},
		{0, "devbox", false, "[::1]", "Helm"},
		{0, "devbox", false, "app.localhost", "Helm"},
		{0, "devbox", false, "devbox.lan", "Helm · devbox"},
		{3, "build-7", false, "10.0.0.7", "(3) Helm · build-7"},
		{0, "", false, "devbox.lan", "Helm"},
		{0, "devbox", true, "127.0.0.1", "Helm · Demo"},
	}
	for _, tc := range tests {
		if got := titleFor(tc.waiting, tc.host, tc.demo, tc.urlHost); got != tc.want {
			t.Errorf("titleFor(%d, %q, %v, %q) = %q, want %q", tc.waiting, tc.host, tc.demo, tc.urlHost, got, tc.want)
		}
	}
}

// The header says which Helm this is, and the page passes it on.
func TestHeaderNamesTheHostAndDemo(t *testing.T) {
	out := render(t, NewHome(Seed{Sessions: sample(), At: ms(0), Now: now, Host: "build-7", Demo: true, Instance: "abcd"}))
	for _, want := range []string{`id="host"`, ">build-7<", `id="demo"`, ">Demo<"} {
		if !strings.Contains(out, want) {
			t.Errorf("header lacks %s", want)
		}
	}
	seed := between(out, `data-seed="`, `"`)
	for _, want := range []string{"build-7", "abcd", "demo"} {
		if !strings.Contains(seed, want) {
			t.Errorf("the page's seed does not pass %q on: %s", want, seed)
		}
	}
	if out := render(t, NewHome(Seed{Sessions: sample(), At: ms(0), Now: now})); strings.Contains(out, `id="demo"`) || strings.Contains(out, `id="host"`) {
		t.Error("no host and no demo, yet marks")
	}
}

// Another Helm at the address: the list is hidden, and the page says so.
func TestElsewhereHidesTheList(t *testing.T) {
	h := NewHome(Seed{Sessions: sample(), At: ms(0), Now: now, Host: "alpha"})
	h.conn = feed.Status{State: feed.Elsewhere, Reason: "another Helm"}
	out := render(t, h)
	if strings.Contains(out, `class="session"`) || strings.Contains(out, `id="needs-you"`) {
		t.Error("rows still shown for another Helm")
	}
	if !strings.Contains(out, `id="elsewhere"`) || !strings.Contains(out, "the Helm on alpha") {
		t.Errorf("no explanation: %s", between(out, "<main", "</main>"))
	}
	if !strings.Contains(out, ">Other Helm<") {
		t.Error("the indicator does not say Other Helm")
	}
}

// A list saved from another helmd is not restored as this one's.
func TestCacheOfAnotherInstanceIsNotRestored(t *testing.T) {
	saved := cached{Snapshot: list.New([]shared.Session{{ID: "x", Source: shared.SourceClaude}}).Snapshot(ms(0)+1, nil), Instance: "other"}
	h := NewHome(Seed{Instance: "mine"})
	h.restoreFrom(saved)
	if h.sessions.Len() != 0 {
		t.Error("another instance's saved list was restored")
	}
	saved.Instance = "mine"
	h.restoreFrom(saved)
	if h.sessions.Len() != 1 {
		t.Error("this instance's saved list was not restored")
	}
}

// The list highlights each word of its search; the session page's find
// (marked) keeps its phrase.
func TestListHighlightsEveryWord(t *testing.T) {
	h := NewHome(Seed{Sessions: sample(), At: ms(0), Now: now})
	h.query = list.QueryFromURL("q=" + "older+site")
	out := render(t, h)
	for _, want := range []string{"<mark>Older</mark>", "<mark>site</mark>"} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if got := len(marked("reply 14 and reply", "reply 14")); got != 2 {
		t.Errorf("the phrase search marks %d pieces, want 2 (the phrase, then the rest)", got)
	}
}
