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

	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

func TestDocumentTitle(t *testing.T) {
	for _, tc := range []struct {
		waiting int
		want    string
	}{
		{0, "Helm"}, {-1, "Helm"}, {1, "(1) Helm"}, {2, "(2) Helm"}, {1234, "(1,234) Helm"},
	} {
		if got := DocumentTitle(tc.waiting); got != tc.want {
			t.Errorf("DocumentTitle(%d) = %q, want %q", tc.waiting, got, tc.want)
		}
	}
}

func TestMarked(t *testing.T) {
	for _, tc := range []struct {
		text, search, want string
	}{
		{"Fix the Login flake", "login", "Fix the <mark>Login</mark> flake"},
		{"login LOGIN", "Login", "<mark>login</mark> <mark>LOGIN</mark>"},
		{"Fix", "", "Fix"},
		{"Fix", "zzz", "Fix"},
		{"", "x", ""},
		{"<b>über</b>", "ÜBER", "&lt;b&gt;<mark>über</mark>&lt;/b&gt;"}, // text stays text
	} {
		var b strings.Builder
		for _, n := range marked(tc.text, tc.search) {
			b.WriteString(strings.Trim(app.HTMLString(n), "\n"))
		}
		got := b.String()
		if got != tc.want {
			t.Errorf("marked(%q, %q) = %q, want %q", tc.text, tc.search, got, tc.want)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("a", 100) + " the Needle\n\nhere " + strings.Repeat("é", 100)
	got := snippet(long, "needle")
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "the Needle here") {
		t.Errorf("snippet = %q", got)
	}
	if !strings.Contains(got, "é") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("snippet cut a rune: %q", got)
	}
	if got := snippet("short needle", "NEEDLE"); got != "short needle" {
		t.Errorf("short: %q", got)
	}
	if got := snippet("nothing", "needle"); got != "" {
		t.Errorf("no match: %q", got)
	}
}

// viewSample: two projects, the three statuses, one match only in a
// first prompt.
func viewSample() []shared.Session {
	s := sample()
	s = append(s,
		shared.Session{ID: "w2", Source: shared.SourceClaude, Title: "Deploy script", FirstPrompt: "make the deploy script idempotent",
			ProjectPath: "/w/site", ProjectName: "site", Status: shared.StatusWaiting, UpdatedAt: ms(time.Hour), CostUSD: 9},
		shared.Session{ID: "wk", Source: shared.SourceClaude, Title: "Tests", FirstPrompt: "add tests for the LOGIN page",
			ProjectPath: "/home/dev/webapp", ProjectName: "webapp", Status: shared.StatusWorking, Active: true, UpdatedAt: ms(time.Minute)},
	)
	return s
}

func TestRenderView(t *testing.T) {
	tests := []struct {
		name   string
		raw    string // the URL query
		keys   []string
		count  string   // #count's text, when given
		expect []string // in the page
		absent []string
	}{
		{name: "everything", raw: "", keys: []string{"claude:wk", "claude:new", "claude:w2", "opencode:old"},
			count: "4 sessions", expect: []string{`id="waiting"`, ">2 waiting<", `id="filters"`, `id="search"`}},
		{name: "project", raw: "project=%2Fw%2Fsite", keys: []string{"claude:w2", "opencode:old"},
			count: "2 of 4 sessions", expect: []string{`id="clear"`}},
		{name: "status", raw: "status=waiting", keys: []string{"claude:new", "claude:w2"},
			expect: []string{`<button data-value="waiting" aria-pressed title="Waiting: the assistant finished its turn, or asks for a permission, and waits for you">`}},
		{name: "active", raw: "status=active", keys: []string{"claude:wk"}},
		{name: "source", raw: "source=opencode", keys: []string{"opencode:old"}},
		{name: "search highlights", raw: "q=DEPLOY", keys: []string{"claude:w2"},
			count: "1 of 4 sessions", expect: []string{"<mark>Deploy</mark>"}},
		{name: "a match in the prompt shows it", raw: "q=login", keys: []string{"claude:wk"},
			expect: []string{`class="prompt"`, "<mark>LOGIN</mark>"}},
		{name: "a match in the project path shows it", raw: "q=home%2Fdev", keys: []string{"claude:wk", "claude:new"},
			expect: []string{`<p class="prompt" dir="auto">/<mark>home/dev</mark>/webapp</p>`}},
		{name: "a match in the model's hidden part shows it whole", raw: "q=claude-sonnet", keys: []string{"claude:new"},
			expect: []string{`<p class="prompt" dir="auto"><mark>claude-sonnet</mark>-4-5-20250929</p>`}},
		{name: "the tool's name finds its sessions", raw: "q=opencode", keys: []string{"opencode:old"}},
		{name: "a match in the model's date shows it whole", raw: "q=20250929", keys: []string{"claude:new"},
			expect: []string{`<p class="prompt" dir="auto">claude-sonnet-4-5-<mark>20250929</mark></p>`}},
		{name: "a match in the model's short name is marked there", raw: "q=SONNET", keys: []string{"claude:new"},
			expect: []string{`title="claude-sonnet-4-5-20250929"><mark>sonnet</mark>4.5<`}, absent: []string{`class="prompt"`}},
		{name: "the model as people say it", raw: "q=sonnet+4.5", keys: []string{"claude:new"},
			expect: []string{`title="claude-sonnet-4-5-20250929"><mark>sonnet</mark><mark>4.5</mark><`}},
		{name: "sort by cost", raw: "sort=cost", keys: []string{"claude:w2", "claude:new", "claude:wk", "opencode:old"}}, // equal costs: newest first
		{name: "nothing matches", raw: "q=zzz", keys: nil, count: "0 of 4 sessions", expect: []string{`id="no-match"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHome(Seed{Sessions: viewSample(), At: ms(0), Now: now})
			h.query = list.QueryFromURL(tc.raw)
			h.typed = h.query.Search
			out := render(t, h)
			var keys []string
			for _, m := range regexp.MustCompile(`<li[^>]*data-key="([^"]*)"`).FindAllStringSubmatch(out, -1) {
				keys = append(keys, m[1])
			}
			if fmt.Sprint(keys) != fmt.Sprint(tc.keys) {
				t.Errorf("rows %v, want %v", keys, tc.keys)
			}
			if got := countIn(out); tc.count != "" && got != tc.count {
				t.Errorf("#count reads %q, want %q", got, tc.count)
			}
			flat := regexp.MustCompile(`>\s+`).ReplaceAllString(regexp.MustCompile(`\s+<`).ReplaceAllString(out, "<"), ">")
			flat = sortAttrs(flat)
			for _, want := range tc.expect {
				if !strings.Contains(flat, sortAttrs(want)) {
					t.Errorf("page lacks %s", want)
				}
			}
			for _, unwanted := range tc.absent {
				if strings.Contains(flat, sortAttrs(unwanted)) {
					t.Errorf("page has %s", unwanted)
				}
			}
			// Clear keeps its place, hidden while there is nothing to clear.
			if idle := strings.Contains(sortAttrs(out), ` data-idle id="clear"`); idle != (tc.raw == "" || tc.raw == "sort=cost") {
				t.Errorf("the clear button is idle: %v, for %q", idle, tc.raw)
			}
		})
	}
}

// TestStatusFilterTooltips: each status button says what its status
// means, and "Active" (a live process, whatever it is doing) reads
// differently from "Working" (answering right now).
func TestStatusFilterTooltips(t *testing.T) {
	out := sortAttrs(render(t, NewHome(Seed{Sessions: viewSample(), At: ms(0), Now: now})))
	tips := map[string]string{}
	for _, m := range regexp.MustCompile(`<button (?:aria-pressed(?:="[^"]*")? )?data-value="([a-z]+)" title="([^"]*)">`).FindAllStringSubmatch(out, -1) {
		tips[m[1]] = html.UnescapeString(m[2])
	}
	want := map[string]string{
		"all":     "Every session",
		"working": "Working: the assistant is answering or running a tool right now",
		"waiting": "Waiting: the assistant finished its turn, or asks for a permission, and waits for you",
		"idle":    "Idle: nothing is happening and nothing is asked of you",
		"active":  "Active: a live process owns the session, or it was written in the last 2 minutes (it may be working, waiting or idle)",
	}
	for v, w := range want {
		if tips[v] != w {
			t.Errorf("the %s button's tooltip is %q, want %q", v, tips[v], w)
		}
	}
	if len(tips) != len(want) {
		t.Errorf("status buttons %v, want one for each of %v", tips, want)
	}
	if tips["active"] == tips["working"] || strings.Contains(tips["active"], "right now") || !strings.Contains(tips["active"], "may be working") {
		t.Errorf("Active (%q) is not told apart from Working (%q)", tips["active"], tips["working"])
	}
}

// TestWaitingFilterSaysWhatWasCleared: a cleared session keeps its
// status, so Waiting counts it where the header's badge does not; the
// button's tooltip says how many of its sessions were cleared.
func TestWaitingFilterSaysWhatWasCleared(t *testing.T) {
	sessions := viewSample()
	for i := range sessions {
		if sessions[i].ID == "w2" {
			sessions[i].WaitingSince, sessions[i].ClearedAt = ms(time.Hour), ms(time.Hour+time.Minute)
		}
	}
	out := sortAttrs(render(t, NewHome(Seed{Sessions: sessions, At: ms(0), Now: now})))
	want := regexp.QuoteMeta(`data-value="waiting" title="Waiting: the assistant finished its turn, or asks for a permission, and waits for you (1 of them cleared from Needs you)">`) +
		`\s*Waiting\s*<span class="n">2</span>`
	if !regexp.MustCompile(want).MatchString(out) {
		t.Errorf("the Waiting button does not say that 1 of its 2 was cleared:\n%s", out[strings.Index(out, `id="status"`):][:900])
	}
	if !strings.Contains(out, ">1 waiting<") {
		t.Errorf("the header's badge does not count only the waiting session not cleared")
	}
}

func TestRenderFilterControlsReflectTheView(t *testing.T) {
	h := NewHome(Seed{Sessions: viewSample(), At: ms(0), Now: now})
	h.query = list.QueryFromURL("source=claude&project=%2Fw%2Fsite&sort=messages&q=dep")
	h.typed = "dep"
	out := render(t, h)
	out = sortAttrs(out)
	for _, re := range []string{
		`<input [^>]*value="dep"`,
		`<option selected value="claude">`,
		`<option selected value="/w/site">\s*site \(1\)`,   // claude sessions of site: 1
		`<option value="/home/dev/webapp">\s*webapp \(2\)`, // every project, counted
		`<option selected value="messages">`,
		`<option value="all">\s*All projects \(3\)`, // the sessions of both projects
		`<option value="all">\s*All sources`,
		`<select [^>]*id="project"[^>]*value="/w/site"`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("page does not match %s", re)
		}
	}
	if i, j := strings.Index(out, `<option selected value="/w/site">`), strings.Index(out, `<option value="/home/dev/webapp">`); i < 0 || j < 0 || i > j {
		t.Error("projects are not by name (site before webapp)")
	}
	if n := len(regexp.MustCompile(`<option selected`).FindAllString(out, -1)); n != 3 {
		t.Errorf("%d selected options, want one per select (3)", n)
	}
}

// sortAttrs rewrites every tag with its attributes in name order: go-app
// writes them in map order.
func sortAttrs(html string) string {
	attrRE := regexp.MustCompile(`\s[a-z-]+(="[^"]*")?`)
	return regexp.MustCompile(`<[a-z0-9]+(\s[^>]*)?>`).ReplaceAllStringFunc(html, func(tag string) string {
		name := regexp.MustCompile(`^<[a-z0-9]+`).FindString(tag)
		attrs := attrRE.FindAllString(tag, -1)
		slices.Sort(attrs)
		return name + strings.Join(attrs, "") + ">"
	})
}

func TestApplyMarksSessionsThatStartWaiting(t *testing.T) {
	h := NewHome(Seed{Now: now})
	h.apply(shared.Event{Type: shared.EventInit, Sessions: viewSample()})
	if len(h.attention) != 0 {
		t.Fatalf("the first list marks nothing: %v", h.attention)
	}
	wk, _ := h.sessions.Get("claude:wk")
	wk.Status = shared.StatusWaiting
	h.apply(shared.Event{Type: shared.EventSessionUpdated, Sessions: []shared.Session{wk}})
	if !h.attention["claude:wk"] || len(h.attention) != 1 {
		t.Fatalf("attention = %v", h.attention)
	}
	if n := h.sessions.Count(shared.StatusWaiting); n != 3 {
		t.Fatalf("%d waiting", n)
	}
	out := render(t, h)
	if !strings.Contains(sortAttrs(out), `<li class="session" data-attention data-key="claude:wk"`) {
		t.Errorf("the row is not marked:\n%s", out)
	}
	if !strings.Contains(out, ">3 waiting<") {
		t.Error("the badge does not count it")
	}
	// A new session that arrives waiting asks too; one that leaves waiting stops.
	h.apply(shared.Event{Type: shared.EventSessionCreated, Sessions: []shared.Session{{ID: "n2", Source: shared.SourceClaude, Status: shared.StatusWaiting, UpdatedAt: ms(0)}}})
	wk.Status = shared.StatusWorking
	h.apply(shared.Event{Type: shared.EventSessionUpdated, Sessions: []shared.Session{wk}})
	if fmt.Sprint(h.attention) != "map[claude:n2:true]" {
		t.Fatalf("attention = %v", h.attention)
	}
	// Looking at it clears the mark; so does a snapshot without it.
	h.choose("claude:n2")
	if len(h.attention) != 0 {
		t.Fatalf("attention = %v", h.attention)
	}
	h.attention = map[string]bool{"claude:gone": true}
	h.apply(shared.Event{Type: shared.EventRefresh, Sessions: viewSample()})
	if len(h.attention) != 0 {
		t.Fatalf("a refresh without the session kept its mark: %v", h.attention)
	}
	// A refresh that turns a held session to waiting marks it, with no
	// mark before it.
	turned := viewSample()
	for i := range turned {
		if turned[i].Key() == "claude:wk" {
			turned[i].Status = shared.StatusWaiting
		}
	}
	h.apply(shared.Event{Type: shared.EventRefresh, Sessions: turned})
	if fmt.Sprint(h.attention) != "map[claude:wk:true]" {
		t.Fatalf("a refresh that turned a session to waiting: attention = %v", h.attention)
	}
}

func TestRenderMarksTheSelectedRow(t *testing.T) {
	h := NewHome(Seed{Sessions: viewSample(), At: ms(0), Now: now})
	h.choose("claude:w2")
	out := render(t, h)
	sel := regexp.MustCompile(`<li[^>]*class="session selected"[^>]*>`).FindAllString(sortAttrs(out), -1)
	if len(sel) != 1 || sel[0] != `<li aria-current class="session selected" data-key="claude:w2" data-status="waiting" tabindex="0">` {
		t.Fatalf("selected rows: %v", sel)
	}
}

// TestFilterControlsShowControls: a project's name in the project filter
// and a model in its chip come from transcripts: a bidi override in one
// is shown, never obeyed, as in the rows.
func TestFilterControlsShowControls(t *testing.T) {
	sessions := append(viewSample(), shared.Session{ID: "bidi", Source: shared.SourceClaude, Title: "t",
		ProjectPath: "/w/ev\u202eil", ProjectName: "ev\u202eil", Model: "claude-\u202ex", UpdatedAt: ms(time.Minute)})
	h := NewHome(Seed{Sessions: sessions, At: ms(0), Now: now})
	h.query = list.QueryFromURL("model=claude-%E2%80%AEx")
	out := render(t, h)
	for _, want := range []string{"ev[U+202E]il (1)", "Model: [U+202E]x"} {
		if !strings.Contains(out, want) {
			t.Errorf("the filters lack %q", want)
		}
	}
	if strings.Contains(between(out, `id="filters"`, `id="sessions"`), "\u202e") {
		t.Errorf("a bidi override reached the filters raw")
	}
}
