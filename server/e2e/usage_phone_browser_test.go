package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// phoneTablesJS reads the usage page's tables as a phone shows them:
// each table's headings shown; each cell that lies past the table's
// visible edge or is cut inside its own box; each row's height in lines
// of its text; and each project path's parts (up to and with a slash)
// that run over more than one line, with how many lines the path takes.
const phoneTablesJS = `(() => {
	const shown = e => e.getBoundingClientRect().width > 0;
	const tables = {}, cut = [], tall = [], paths = [];
	for (const table of document.querySelectorAll(".usage-table")) {
		const chart = table.closest("section").id, edge = table.querySelector(".scroller").getBoundingClientRect();
		tables[chart] = [...table.querySelectorAll("thead th")].filter(shown).map(th => th.textContent);
		for (const cell of table.querySelectorAll("th, td")) {
			if (!shown(cell)) continue;
			const b = cell.getBoundingClientRect();
			if (b.left < edge.left - 0.5 || b.right > edge.right + 0.5 || cell.scrollWidth > cell.clientWidth + 1) {
				cut.push(chart + ": " + JSON.stringify(cell.textContent) + " at " + Math.round(b.left) + "–" + Math.round(b.right) +
					" px of " + Math.round(edge.left) + "–" + Math.round(edge.right) + ", " + cell.scrollWidth + " px wide in " + cell.clientWidth);
			}
		}
		for (const tr of table.querySelectorAll("tr")) {
			const s = getComputedStyle(tr.firstElementChild);
			const lines = (tr.getBoundingClientRect().height - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom) -
				parseFloat(s.borderBottomWidth)) / parseFloat(s.lineHeight);
			if (lines > 2.1) tall.push(chart + ": " + JSON.stringify(tr.innerText) + " is " + lines.toFixed(1) + " lines tall");
		}
	}
	for (const th of document.querySelectorAll("#chart-projects tbody th")) {
		const nodes = [], walk = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
		for (let n; (n = walk.nextNode());) nodes.push(n);
		const at = i => { for (const n of nodes) { if (i <= n.length) return [n, i]; i -= n.length } };
		const text = nodes.map(n => n.data).join(""), all = new Set(), broken = [];
		let start = 0;
		for (const part of text.split(/(?<=\/)/)) {
			const r = document.createRange();
			r.setStart(...at(start)); r.setEnd(...at(start + part.length));
			const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
			if (tops.size > 1) broken.push(part);
			tops.forEach(t => all.add(t));
			start += part.length;
		}
		paths.push({path: text, broken, lines: all.size});
	}
	return {tables, cut, tall, paths, pageWidth: document.documentElement.scrollWidth};
})()`

type phoneTables struct {
	Tables    map[string][]string
	Cut, Tall []string
	Paths     []struct {
		Path   string
		Broken []string
		Lines  int
	}
	PageWidth float64
}

// spent is an assistant response on model with a day's worth of tokens
// of a busy user, so that the tables' figures are as wide as they get.
func spent(sid, cwd, msgID, model string, at time.Time) string {
	return strings.NewReplacer(sonnetModel, model, `"input_tokens":10`, `"input_tokens":1234567`,
		`"output_tokens":20`, `"output_tokens":234567`, `"cache_creation_input_tokens":0`, `"cache_creation_input_tokens":2345678`,
		`"cache_read_input_tokens":0`, `"cache_read_input_tokens":12345678`).
		Replace(fixture.Assistant(sid, cwd, msgID, "end_turn", at))
}

// TestBrowserUsagePhoneTables: on a 390 px phone, the usage page's
// tables read without scrolling sideways: every heading and figure shown
// whole, each row two lines at most, and a project's path broken across
// lines only after a slash, never inside a folder's name (nor at a space
// in it).
func TestBrowserUsagePhoneTables(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	now := time.Now()
	const (
		app    = "/home/dev/code/mobile_app.v2"
		blog   = "/home/dev/notes/blog posts"
		paying = "/home/dev/clients/acme/payments-api"
		haiku  = "claude-haiku-4-5-20251001"
	)
	// Today three models in one project; three days ago, two others.
	fixture.Append(t, fixture.Path(claude, app, sidA), fixture.User(sidA, app, "today", now.Add(-time.Minute)))
	for i, m := range []string{sonnetModel, opusModel, haiku} {
		fixture.Append(t, fixture.Path(claude, app, sidA), spent(sidA, app, fmt.Sprintf("msg_a%d", i), m, now))
	}
	old := now.AddDate(0, 0, -3)
	for _, s := range []struct{ sid, cwd string }{{sidB, blog}, {sidC, paying}} {
		fixture.Append(t, fixture.Path(claude, s.cwd, s.sid), fixture.User(s.sid, s.cwd, "older", old.Add(-time.Minute)))
		fixture.Append(t, fixture.Path(claude, s.cwd, s.sid), spent(s.sid, s.cwd, "msg_"+s.sid[len(s.sid)-1:], opusModel, old))
	}
	p := serveList(t, claude)

	c := b.tab(t)
	c.navigate(p.URL + "/usage")
	c.waitJS(30*time.Second, "the usage tables", present("#chart-projects table tbody tr"))
	viewport(c, 390, 844, true, "light")
	got := mustEval[phoneTables](c, phoneTablesJS)
	for _, s := range got.Cut {
		t.Errorf("390 px: a cell is cut: %s", s)
	}
	for _, s := range got.Tall {
		t.Errorf("390 px: %s, want two at most", s)
	}
	if got.PageWidth > 390 {
		t.Errorf("390 px: the page is %.0f px wide", got.PageWidth)
	}
	// What gives way is a day's share per model, nothing else.
	for chart, want := range map[string][]string{
		"chart-days":     {"Day", "Cost"},
		"chart-tokens":   {"Day", "Input", "Output", "Cache read", "Cache write"},
		"chart-projects": {"Name", "Cost", "Tokens"},
	} {
		if heads := got.Tables[chart]; !slices.Equal(heads[:min(len(want), len(heads))], want) {
			t.Errorf("390 px: %s's table shows the headings %q, want %q first", chart, heads, want)
		}
	}
	wrapped := false
	for _, l := range got.Paths {
		if len(l.Broken) > 0 {
			t.Errorf("390 px: the path %q breaks inside %q", l.Path, l.Broken)
		}
		wrapped = wrapped || l.Lines > 1
	}
	if len(got.Paths) != 3 || !wrapped {
		t.Errorf("390 px: the projects table's paths %+v: want three, one of them on two lines", got.Paths)
	}
	for _, chart := range []string{"days", "tokens", "projects"} {
		mustEval[bool](c, fmt.Sprintf(`(document.querySelector("#chart-%s table").scrollIntoView(), true)`, chart))
		c.screenshot("usage-phone-" + chart)
	}
}
