package ui

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/shared"
)

// pageAgain holds a Home as a mounted page does across updates: each
// Load with the next Gen renders the same Home again, and the engine
// updates the rows component already mounted (rowList), as a dispatch
// does in the browser, rather than drawing it anew.
type pageAgain struct {
	app.Compo
	Gen  int
	home *Home
}

func (p *pageAgain) Render() app.UI { return p.home.Render() }

// wholeRowRE is a whole row, selected or not.
var wholeRowRE = regexp.MustCompile(`(?s)<li[^>]*class="session[^"]*"[^>]*>.*?</li>`)

// TestRowsFollowEveryInput changes, one at a time, each thing the rows
// show, and checks that the rows drawn before are drawn again: an input
// of the rows that is not a field of rowList would leave them stale.
func TestRowsFollowEveryInput(t *testing.T) {
	many := make([]shared.Session, 0, pageSize+3)
	for i := range pageSize + 3 {
		many = append(many, shared.Session{ID: fmt.Sprintf("s%02d", i), Source: shared.SourceClaude,
			Title: fmt.Sprintf("task %02d", i), UpdatedAt: ms(time.Duration(i+2) * time.Minute), Status: shared.StatusIdle})
	}
	h := NewHome(Seed{Sessions: many, At: ms(0), Now: now})
	e := app.NewTestEngine()
	gen := 0
	var first *pageAgain // the page mounted; each Load updates it
	draw := func() string {
		t.Helper()
		gen++
		p := &pageAgain{Gen: gen, home: h}
		if gen == 1 {
			first = p
		}
		if err := e.Load(p); err != nil {
			t.Fatal(err)
		}
		e.ConsumeAll()
		return app.HTMLString(first)
	}
	firstRow := func(out string) string {
		t.Helper()
		rows := wholeRowRE.FindAllString(out, -1)
		if len(rows) == 0 {
			t.Fatalf("no rows in:\n%s", out)
		}
		return rows[0]
	}
	out := draw()
	if !strings.Contains(firstRow(out), "2 min ago") || !strings.Contains(out, fmt.Sprintf("Show more (%d of %d shown)", pageSize, pageSize+3)) {
		t.Fatalf("first draw:\n%s", firstRow(out))
	}

	steps := []struct {
		what   string
		change func()
		want   func(out string) bool
	}{
		{"a session's title", func() {
			s := many[0]
			s.Title = "renamed task"
			h.apply(shared.Event{Type: shared.EventSessionUpdated, Sessions: []shared.Session{s}})
		}, func(out string) bool { return strings.Contains(firstRow(out), "renamed task") }},
		{"the clock", func() { h.now = now.Add(8 * time.Minute) },
			func(out string) bool { return strings.Contains(firstRow(out), "10 min ago") }},
		{"the selected row", func() { h.selected = many[0].Key() },
			func(out string) bool { return strings.Contains(firstRow(out), `class="session selected"`) }},
		{"a mark for attention", func() { h.attention = map[string]bool{many[0].Key(): true} },
			func(out string) bool { return strings.Contains(firstRow(out), ` data-attention`) }},
		{"the search", func() { h.query.Search = "renamed" },
			func(out string) bool { return strings.Contains(firstRow(out), "<mark>renamed</mark>") }},
		{"a session's machine", func() {
			s, _ := h.sessions.Get(many[0].Key())
			s.Host = "box-1"
			h.apply(shared.Event{Type: shared.EventSessionUpdated, Sessions: []shared.Session{s}})
		}, func(out string) bool { return !strings.Contains(out, "data-host") }}, // one machine: not named
		{"a second machine", func() {
			s := many[pageSize+2]
			s.Host, s.Remote, s.UpdatedAt = "box-2", true, 1 // the oldest: not among the rows shown
			h.apply(shared.Event{Type: shared.EventSessionCreated, Sessions: []shared.Session{s}})
		}, func(out string) bool { return strings.Contains(firstRow(out), `data-host="box-1"`) }},
		{"the rows shown", func() { h.query.Search = ""; h.limit = 2 * pageSize },
			func(out string) bool {
				return len(wholeRowRE.FindAllString(out, -1)) == pageSize+4 && !strings.Contains(out, `id="more"`)
			}},
	}
	for _, st := range steps {
		st.change()
		if out := draw(); !st.want(out) {
			t.Errorf("after a change of %s the rows were not drawn again; first row:\n%s", st.what, firstRow(out))
		}
	}
}

// TestRowsSayOfflineStatusesAreLastKnown: while the page is Offline its
// list is the last it saw, yet its rows read "working" and "input
// needed" as if live, where the session page says "working (last
// known)". Offline, a working or waiting row's pill says it is the last
// known; back Live, it says the status again. The rows already drawn
// are drawn again at each change of the connection, and what a
// transcript wrote stays text.
func TestRowsSayOfflineStatusesAreLastKnown(t *testing.T) {
	ss := []shared.Session{
		{ID: "w", Source: shared.SourceClaude, Title: `<b>busy</b>`, UpdatedAt: ms(time.Minute), Status: shared.StatusWorking},
		{ID: "q", Source: shared.SourceClaude, Title: "asks", UpdatedAt: ms(2 * time.Minute), Status: shared.StatusWaiting,
			WaitingFor: "permission: <i>Bash</i>"},
		{ID: "i", Source: shared.SourceClaude, Title: "rests", UpdatedAt: ms(3 * time.Minute), Status: shared.StatusIdle},
	}
	h := NewHome(Seed{Sessions: ss, At: ms(0), Now: now})
	e := app.NewTestEngine()
	var first *pageAgain
	gen := 0
	draw := func(s feed.State) []string {
		t.Helper()
		h.conn.State = s
		gen++
		p := &pageAgain{Gen: gen, home: h}
		if first == nil {
			first = p
		}
		if err := e.Load(p); err != nil {
			t.Fatal(err)
		}
		e.ConsumeAll()
		var pills []string
		for _, m := range regexp.MustCompile(`<span[^>]*class="status"[^>]*>([^<]*)</span>`).FindAllStringSubmatch(app.HTMLString(first), -1) {
			pills = append(pills, html.UnescapeString(m[1]))
		}
		return pills
	}
	live := []string{"working", "permission: <i>Bash</i>"}
	offline := []string{"working (last known)", "permission: <i>Bash</i> (last known)"}
	for _, step := range []struct {
		state feed.State
		want  []string
	}{{feed.Live, live}, {feed.Offline, offline}, {feed.Connecting, live}, {feed.Live, live}} {
		if got := draw(step.state); !slices.Equal(got, step.want) {
			t.Errorf("%s: pills %q, want %q", step.state, got, step.want)
		}
	}
	h.conn.State = feed.Offline
	out := render(t, h)
	if strings.Contains(out, "<b>") || strings.Contains(out, "<i>") {
		t.Errorf("a transcript's text became markup:\n%s", out)
	}
	if !regexp.MustCompile(`class="status" data-stale[ =>]`).MatchString(sortAttrs(out)) || !strings.Contains(out, "cannot reach helmd") {
		t.Errorf("an offline pill is neither marked stale nor says why:\n%s", between(out, `class="status"`, "</span>"))
	}
}
