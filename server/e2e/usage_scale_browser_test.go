package e2e

import (
	"fmt"
	"math"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestBrowserUsageProjectScale: with more projects than the chart's top
// 10, the bars are to the scale of the costliest of them, not of the
// other projects folded together, which cost more than it does: its bar
// fills its track, the others three quarters of theirs. The folded rest
// is a last row with no bar, read as its name and cost, wide and on a
// phone, light and dark, within the chart; the page passes axe.
func TestBrowserUsageProjectScale(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	now := time.Now()
	project := func(i, responses int) {
		path := fmt.Sprintf("/home/dev/project-%02d", i)
		sid := fmt.Sprintf("5c000000-0000-4000-8000-%012d", i)
		fixture.Append(t, fixture.Path(claude, path, sid), fixture.User(sid, path, "work", now.Add(-time.Hour)))
		for j := range responses {
			fixture.Append(t, fixture.Path(claude, path, sid), spent(sid, path, fmt.Sprintf("msg_%d_%d", i, j), sonnetModel, now.Add(-time.Minute)))
		}
	}
	// The top 10: four responses for the first, three for the others;
	// six more projects of two each, twelve folded together.
	project(0, 4)
	for i := 1; i < 10; i++ {
		project(i, 3)
	}
	for i := 10; i < 16; i++ {
		project(i, 2)
	}
	p := serveList(t, claude)
	c := b.tab(t)
	c.navigate(p.URL + "/usage")
	c.waitJS(30*time.Second, "the projects' bars", `document.querySelectorAll("#chart-projects .hbars .bar").length === 11`)

	type row struct {
		Key, Name, Value, Note string
		Row, Chart, Track, Bar box
		HasBar                 bool
	}
	read := func() []row {
		return mustEval[[]row](c, `[...document.querySelectorAll("#chart-projects .hbars .bar")].map(bar => {
			const box = e => e ? e.getBoundingClientRect().toJSON() : null, track = bar.querySelector(".bar-track");
			return {key: bar.dataset.key, name: bar.querySelector(".bar-name").textContent, value: bar.querySelector(".bar-value").textContent,
				note: (bar.querySelector(".bar-note") || {}).textContent || "", row: box(bar), chart: box(bar.parentElement),
				track: box(track), bar: box(track && track.querySelector("rect")), hasBar: !!track};
		})`)
	}
	for _, look := range []struct {
		width  int64
		scheme string
	}{{1280, "light"}, {1280, "dark"}, {390, "light"}, {390, "dark"}} {
		viewport(c, look.width, 900, look.width < 600, look.scheme)
		what := fmt.Sprintf("%d px, %s", look.width, look.scheme)
		rows := read()
		for i, r := range rows[:10] {
			want := 0.75
			if i == 0 {
				want = 1
			}
			if !r.HasBar || r.Track.Width <= 0 || math.Abs(r.Bar.Width/r.Track.Width-want) > 0.02 {
				t.Errorf("%s: %s's bar %.1f of its track's %.1f px, want %.0f%%: to the scale of the costliest project",
					what, r.Key, r.Bar.Width, r.Track.Width, want*100)
			}
		}
		rest := rows[10]
		if rest.Name != "6 other projects" || !money.MatchString(rest.Value) || rest.HasBar || rest.Note == "" {
			t.Errorf("%s: the last row reads %q, %q, note %q, bar %v; want the 6 other projects' cost, and no bar", what, rest.Name, rest.Value, rest.Note, rest.HasBar)
		}
		if !rest.Row.inside(rest.Chart) || rest.Row.Height > 2.5*rows[0].Row.Height {
			t.Errorf("%s: the rest's row %+v, in the chart %+v, is not one line like the bars' (%+v)", what, rest.Row, rest.Chart, rows[0].Row)
		}
		if look.width < 600 {
			c.waitJS(5*time.Second, "the page to fit the phone", `document.documentElement.scrollWidth <= innerWidth`)
		}
		mustEval[bool](c, `document.querySelector("#chart-projects").scrollIntoView(), true`)
		c.screenshot(fmt.Sprintf("usage-project-scale-%d-%s", look.width, look.scheme))
		if axe := axeIfPresent(t); axe != "" {
			axeCheck(t, c, axe, "usage, "+what, 40)
		}
	}
	// A screen reader reads the rest as a bar: its name and its cost.
	if got, want := axText(c, `#chart-projects .bar.rest`), "6 other projects"+read()[10].Value; got != want {
		t.Errorf("a screen reader reads the rest as %q, want %q", got, want)
	}
}
