package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

var now = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

func ms(d time.Duration) int64 { return now.Add(-d).UnixMilli() }

func sample() []shared.Session {
	return []shared.Session{
		{ID: "old", Source: shared.SourceOpenCode, Title: "Older one", ProjectPath: "/w/site", ProjectName: "site",
			Status: shared.StatusIdle, UpdatedAt: ms(3 * time.Hour), MessageCount: 1},
		{ID: "new", Source: shared.SourceClaude, Title: `<script>alert("x")</script> & 100%d`, ProjectPath: "/home/dev/webapp",
			ProjectName: "webapp", GitBranch: "feature/x", Status: shared.StatusWaiting, UpdatedAt: ms(2 * time.Minute),
			MessageCount: 42, Tokens: shared.Tokens{Input: 1000, Output: 2000, CacheRead: 9000}, CostUSD: 1.5,
			Model: "claude-sonnet-4-5-20250929"},
	}
}

// render loads h into a test engine (server mode: OnMount does not run)
// and returns its HTML.
func render(t *testing.T, h *Home) string {
	t.Helper()
	e := app.NewTestEngine()
	if err := e.Load(h); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	return app.HTMLString(h)
}

// countIn is #count's text in a rendered page as a browser reads it:
// its figures and its noun, without the line breaks and indents of
// go-app's printer.
func countIn(page string) string {
	_, after, ok := strings.Cut(page, `id="count"`)
	if !ok {
		return ""
	}
	_, after, _ = strings.Cut(after, ">")
	inner, _, _ := strings.Cut(after, "</span>\n")
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(inner, "")
	return html.UnescapeString(strings.Join(strings.Fields(text), " "))
}

// A filtered count is marked and has its noun apart, which a phone
// hides ("3 of 12"); an unfiltered one keeps it everywhere.
func TestRenderCountNoun(t *testing.T) {
	h := NewHome(Seed{Sessions: viewSample(), At: ms(0), Now: now})
	out := sortAttrs(render(t, h))
	if got := countIn(out); got != "4 sessions" || strings.Contains(out, "data-filtered") || !strings.Contains(out, `<span class="noun"> sessions`) {
		t.Errorf("unfiltered count %q: %s", got, between(out, `id="count"`, "</span>"))
	}
	h = NewHome(Seed{Sessions: viewSample(), At: ms(0), Now: now})
	h.query = list.QueryFromURL("status=waiting")
	out = sortAttrs(render(t, h))
	if got := countIn(out); got != "2 of 4 sessions" || !strings.Contains(out, "data-filtered") || !strings.Contains(out, `<span class="noun"> sessions`) {
		t.Errorf("filtered count %q: %s", got, between(out, `id="count"`, "</span>"))
	}
}

// rows extracts each li.session as its opening tag and inner text.
var rowRE = regexp.MustCompile(`(?s)<li[^>]*class="session"[^>]*>.*?</li>`)

func TestRenderList(t *testing.T) {
	h := NewHome(Seed{Sessions: sample(), At: ms(0), Now: now})
	out := render(t, h)
	rows := rowRE.FindAllString(out, -1)
	if len(rows) != 2 {
		t.Fatalf("%d rows in\n%s", len(rows), out)
	}
	first, second := sortAttrs(rows[0]), sortAttrs(rows[1]) // go-app writes attributes in map order
	for _, want := range []string{
		`data-key="claude:new"`, `data-status="waiting"`,
		`class="status"`, ">input needed<", // not "waiting" twice: the time says it
		`class="project" title="/home/dev/webapp"`, ">webapp<",
		">feature/x<", ">42 messages<", ">3k tokens · 9k cached<", ">$1.50<",
		">waiting 2 min<", // a waiting row says how long it has waited
		`title="claude-sonnet-4-5-20250929">sonnet 4.5<`, // the model as people say it, whole in the tooltip
		">Claude Code<",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("first row lacks %q:\n%s", want, first)
		}
	}
	for _, want := range []string{`data-key="opencode:old"`, `data-status="idle"`, ">OpenCode<", ">3 h ago<", ">1 message<"} {
		if !strings.Contains(second, want) {
			t.Errorf("second row lacks %q:\n%s", want, second)
		}
	}
	// Idle is the default: an idle row carries no status pill.
	if strings.Contains(second, `class="status"`) {
		t.Errorf("an idle row shows a status:\n%s", second)
	}
	// Rows are Tab stops.
	for _, r := range []string{first, second} {
		if !strings.Contains(r, `tabindex="0"`) {
			t.Errorf("a row is not focusable:\n%s", r)
		}
	}
	if got := countIn(out); got != "2 sessions" {
		t.Errorf("count missing:\n%s", out)
	}
	if strings.Contains(out, `id="empty"`) || strings.Contains(out, `id="loading"`) || strings.Contains(out, `data-wasm`) {
		t.Errorf("unexpected element:\n%s", out)
	}
}

// A waiting row's pill says what it waits for, as the session page does:
// a permission prompt is not a finished turn, and its tooltip does not
// say "finished its turn". The reason is text.
func TestRenderRowSaysWhyItWaits(t *testing.T) {
	finished := "Waiting: the assistant finished its turn and waits for your input"
	for _, tc := range []struct {
		reason, label, tip string
	}{
		{"permission: Bash", "permission: Bash", "Waiting for permission: the assistant asks to use Bash and is stopped until you allow or deny it"},
		{"permission prompt", "needs approval", "Waiting for permission: the assistant asks to use a tool and is stopped until you allow or deny it"},
		{"dialog open", "dialog open", "Waiting: the assistant is stopped until you answer (dialog open)"},
		{`permission: <b>"x"</b>`, `permission: &lt;b&gt;&#34;x&#34;&lt;/b&gt;`,
			"Waiting for permission: the assistant asks to use &lt;b&gt;&quot;x&quot;&lt;/b&gt; and is stopped until you allow or deny it"},
		{"input needed", "input needed", finished},
		{"", "input needed", finished}, // an older server
	} {
		s := shared.Session{ID: "w", Source: shared.SourceClaude, Title: "T", Status: shared.StatusWaiting,
			WaitingFor: tc.reason, WaitingSince: ms(time.Minute), UpdatedAt: ms(time.Minute)}
		out := render(t, NewHome(Seed{Sessions: []shared.Session{s}, At: ms(0), Now: now}))
		pill := regexp.MustCompile(`<span class="status" title="([^"]*)">([^<]*)</span>`).FindStringSubmatch(sortAttrs(strings.Join(rowRE.FindAllString(out, -1), "")))
		if pill == nil {
			t.Errorf("%q: no status pill in\n%s", tc.reason, out)
			continue
		}
		if pill[2] != tc.label || pill[1] != tc.tip {
			t.Errorf("%q: pill %q titled %q, want %q titled %q", tc.reason, pill[2], pill[1], tc.label, tc.tip)
		}
	}
}

func TestRenderEscapesData(t *testing.T) {
	sessions := sample()
	sessions = append(sessions, shared.Session{
		ID: `q"id`, Source: shared.SourceClaude, UpdatedAt: ms(time.Hour),
		Title:       `x" onmouseover="alert(1)" y='z'` + "\nline2",
		ProjectPath: `C:\Users\dev\"app"`, ProjectName: "app",
	}, shared.Session{
		ID: "separators", Source: shared.SourceClaude, UpdatedAt: ms(2 * time.Hour),
		Title: "one\u2028two\u2029three\u200bfour",
	})
	out := render(t, NewHome(Seed{Sessions: sessions, At: ms(0), Now: now}))
	if strings.Contains(out, "<script>") {
		t.Fatalf("a title's markup reached the page unescaped:\n%s", out)
	}
	// go-app quotes attributes with strconv.Quote: no `\"` may reach it,
	// or an attribute ends early and the rest becomes markup.
	if strings.Contains(out, `\"`) || strings.Contains(out, `\\`) {
		t.Fatalf("an attribute value was Go-quoted:\n%s", out)
	}
	for _, want := range []string{
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; 100%d`,           // text
		`title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 100%d"`, // attribute
		`title="x&quot; onmouseover=&quot;alert(1)&quot; y=&#39;z&#39; line2"`,
		`title="C:&#92;Users&#92;dev&#92;&quot;app&quot;"`,
		`data-key="claude:q&quot;id"`,
		`title="one&#x2028;two&#x2029;three&#x200B;four"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %s", want)
		}
	}
	// Every attribute is well formed: name="value" with no raw quote inside.
	for _, tag := range regexp.MustCompile(`<[a-z0-9]+(\s[^>]*)?>`).FindAllString(out, -1) {
		rest := regexp.MustCompile(`\s[a-z-]+(="[^"<>]*")?`).ReplaceAllString(tag, "")
		if !regexp.MustCompile(`^<[a-z0-9]+>$`).MatchString(rest) {
			t.Errorf("malformed tag %s (left %s)", tag, rest)
		}
	}
	// The seed carries the same data, escaped into an attribute.
	m := regexp.MustCompile(`data-seed="([^"]*)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no seed:\n%s", out)
	}
	var seed Seed
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &seed); err != nil {
		t.Fatal(err)
	}
	if len(seed.Sessions) != 4 || seed.Sessions[2].Title != "one\u2028two\u2029three\u200bfour" || seed.Sessions[0].Title != sample()[1].Title || seed.Sessions[1].ProjectPath != sessions[2].ProjectPath || seed.Sessions[1].Title != sessions[2].Title {
		t.Fatalf("seed = %+v", seed)
	}
	if strings.Contains(out, "disabled") {
		t.Error("the refresh button is disabled in the pre-rendered page")
	}
}

func TestRenderEmptyState(t *testing.T) {
	tests := []struct {
		name    string
		watched []string
		want    []string
	}{
		{"with folders", []string{"/home/dev/.claude", "/home/dev/.local/share/opencode"},
			[]string{"/home/dev/.claude", "/home/dev/.local/share/opencode", "Helm watches these folders"}},
		{"without", nil, []string{"Start a Claude Code or OpenCode session"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := render(t, NewHome(Seed{At: ms(0), Watched: tc.watched, Now: now}))
			if !strings.Contains(out, `id="empty"`) || strings.Contains(out, `id="sessions"`) {
				t.Fatalf("no empty state:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q", w)
				}
			}
			if got := countIn(out); got != "0 sessions" {
				t.Errorf("count %q", got)
			}
		})
	}
}

func TestRenderLoadingBeforeData(t *testing.T) {
	out := render(t, NewHome(Seed{Now: now}))
	if !strings.Contains(out, `id="loading"`) || strings.Contains(out, `id="empty"`) || strings.Contains(out, `id="seed"`) {
		t.Fatalf("want the loading state:\n%s", out)
	}
}

func TestRenderIndicator(t *testing.T) {
	tests := []struct {
		st     feed.State
		label  string
		reason string
	}{
		{feed.Live, "Live", "stream open"},
		{feed.Polling, "Polling", "stream unavailable"},
		{feed.Offline, "Offline", "server unreachable: Failed to fetch"},
		{feed.Connecting, "Connecting", "the connection was lost; reconnecting in 2s (attempt 2 of 5)"},
	}
	for _, tc := range tests {
		t.Run(tc.label, func(t *testing.T) {
			h := NewHome(Seed{Sessions: sample(), At: ms(10 * time.Minute), Now: now})
			h.conn = feed.Status{State: tc.st, Since: now.Add(-3 * time.Minute), Reason: tc.reason}
			out := render(t, h)
			m := regexp.MustCompile(`<span[^>]*id="conn"[^>]*>([^<]*)</span>`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no #conn:\n%s", out)
			}
			tag := m[0]
			if m[1] != tc.label || !strings.Contains(tag, fmt.Sprintf(`data-state="%s"`, tc.st)) {
				t.Fatalf("indicator = %s", tag)
			}
			for _, w := range []string{tc.label + " since ", "(3 min ago)", html.EscapeString(tc.reason)} {
				if !strings.Contains(tag, w) {
					t.Errorf("tooltip lacks %q: %s", w, tag)
				}
			}
			// Offline keeps the list and says how old it is.
			hasAge := strings.Contains(out, `id="cache-age"`)
			if hasAge != (tc.st == feed.Offline) {
				t.Errorf("cache-age shown = %v in %s", hasAge, tc.st)
			}
			if tc.st == feed.Offline && !strings.Contains(out, "as of 10 min ago") {
				t.Errorf("age text missing:\n%s", out)
			}
		})
	}
}

func TestRenderCachedList(t *testing.T) {
	h := NewHome(Seed{Now: now})
	h.sessions.Replace(sample())
	h.loaded, h.cachedAt, h.dataAt = true, ms(2*time.Hour), ms(2*time.Hour)
	out := render(t, h)
	if !strings.Contains(out, `id="cache-age"`) || !strings.Contains(out, "Showing the list saved 2 h ago.") {
		t.Fatalf("no cache age:\n%s", out)
	}
	if len(rowRE.FindAllString(out, -1)) != 2 {
		t.Fatal("the cached rows are not shown")
	}
}

func TestRenderButtons(t *testing.T) {
	h := NewHome(Seed{Sessions: sample(), At: ms(0), Now: now})
	out := render(t, h)
	if !strings.Contains(out, `id="refresh"`) || strings.Contains(out, `id="install"`) || strings.Contains(out, `id="update"`) {
		t.Fatalf("buttons:\n%s", out)
	}
	h = NewHome(Seed{Sessions: sample(), At: ms(0), Now: now})
	h.installable, h.updateAvailable, h.refreshErr = true, true, "Refresh failed: HTTP 503"
	out = render(t, h)
	for _, w := range []string{`id="install"`, `id="update"`, `id="refresh-error"`, "HTTP 503"} {
		if !strings.Contains(out, w) {
			t.Errorf("lacks %q", w)
		}
	}
}

func TestRenderLimitsRows(t *testing.T) {
	var many []shared.Session
	for i := range pageSize + 5 {
		many = append(many, shared.Session{ID: fmt.Sprint(i), Source: shared.SourceClaude, UpdatedAt: int64(i + 1)})
	}
	h := NewHome(Seed{Sessions: many, At: ms(0), Now: now})
	out := render(t, h)
	if n := len(rowRE.FindAllString(out, -1)); n != pageSize {
		t.Fatalf("%d rows, want %d", n, pageSize)
	}
	if !strings.Contains(out, `id="more"`) || countIn(out) != fmt.Sprintf("%d sessions", pageSize+5) {
		t.Fatal("no more button or wrong count")
	}
	if !strings.Contains(out, "Untitled session") {
		t.Fatal("an empty title should read Untitled session")
	}
}

func TestApplyUpdatesTheList(t *testing.T) {
	h := NewHome(Seed{Now: now})
	h.apply(shared.Event{Type: shared.EventInit, Sessions: sample()})
	if !h.loaded || h.sessions.Len() != 2 {
		t.Fatal("init not applied")
	}
	h.apply(shared.Event{Type: shared.EventSessionCreated, Sessions: []shared.Session{{ID: "n", Source: shared.SourceClaude, UpdatedAt: ms(0)}}})
	h.apply(shared.Event{Type: shared.EventSessionDeleted, Sessions: []shared.Session{sample()[0]}})
	out := render(t, h)
	rows := rowRE.FindAllString(out, -1)
	if len(rows) != 2 || !strings.Contains(rows[0], `data-key="claude:n"`) || !strings.Contains(rows[1], `data-key="claude:new"`) {
		t.Fatalf("rows:\n%s", strings.Join(rows, "\n"))
	}
}

func TestRootsFromStatus(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"claude":{"roots":["/h/.claude"]},"opencode":{"roots":["/h/oc"]},"roots":["/h/.claude","/top"]}`, "/h/.claude,/top,/h/oc"},
		{`{"watcher":{"mode":"fsnotify","roots":["/a"]}}`, "/a"},
		{`{"roots":"not a list"}`, ""},
		{`not json`, ""},
		{`[]`, ""},
	}
	for _, tc := range tests {
		if got := strings.Join(rootsFromStatus([]byte(tc.body)), ","); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestKeepaliveEnv(t *testing.T) {
	t.Setenv(KeepaliveEnv, "15000")
	if got := keepalive(); got != 15*time.Second {
		t.Fatalf("keepalive = %s", got)
	}
	t.Setenv(KeepaliveEnv, "bogus")
	if got := keepalive(); got != 0 {
		t.Fatalf("keepalive = %s", got)
	}
}

func TestRestoreKeepsTheNewerList(t *testing.T) {
	snap := list.Snapshot{Sessions: []shared.Session{{ID: "cached", Source: shared.SourceClaude}}, SavedAt: ms(time.Hour), Watched: []string{"/w"}}
	tests := []struct {
		name       string
		seedAt     int64
		wantCached bool
	}{
		{"no page data: the stored list shows", 0, true},
		{"an older page (the worker's copy): the stored list shows", ms(2 * time.Hour), true},
		{"a fresh page: its data stays", ms(0), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHome(Seed{Sessions: sample(), At: tc.seedAt, Now: now, EventID: "1-9"})
			h.restoreFrom(cached{Snapshot: snap, EventID: "4-2"})
			_, isCached := h.sessions.Get("claude:cached")
			if isCached != tc.wantCached || (h.cachedAt > 0) != tc.wantCached {
				t.Fatalf("cached row %v, cachedAt %d", isCached, h.cachedAt)
			}
			// The stream resumes from the id of the list shown.
			if wantCursor := map[bool]string{true: "4-2", false: "1-9"}[tc.wantCached]; h.cursor != wantCursor {
				t.Fatalf("cursor %q, want %q", h.cursor, wantCursor)
			}
			if tc.wantCached && (!h.loaded || h.watched[0] != "/w" || h.sessions.Len() != 1) {
				t.Fatalf("restore incomplete: %+v", h)
			}
		})
	}
}

// TestRenderQuestion: a waiting row shows its question under the title,
// as text; a row that does not wait shows none, whatever it holds.
func TestRenderQuestion(t *testing.T) {
	sessions := sample()
	sessions[1].Question = `Deploy <img src=x onerror="alert(1)"> now?`
	sessions[0].Question = "stale question of an idle session"
	out := render(t, NewHome(Seed{Sessions: sessions, At: ms(0), Now: now}))
	rows := rowRE.FindAllString(out, -1)
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	waiting := sortAttrs(rows[0])
	if want := `>Deploy &lt;img src=x onerror=&#34;alert(1)&#34;&gt; now?</p>`; !strings.Contains(waiting, want) || !strings.Contains(waiting, `class="question"`) {
		t.Errorf("the waiting row lacks its question as text:\n%s", waiting)
	}
	if strings.Contains(out, "<img src=x") {
		t.Errorf("the question's markup reached the page:\n%s", out)
	}
	if strings.Contains(rows[1], "question") {
		t.Errorf("an idle row shows a question:\n%s", rows[1])
	}
}

// A machine's name and a model's id come from other machines and from
// transcripts: a bidi override in them is shown as a mark, never obeyed,
// in the machine filter, the row's machine and offline tooltip, and the
// row's model.
func TestRenderMachineAndModelShowControls(t *testing.T) {
	sessions := []shared.Session{
		{ID: "a", Source: shared.SourceClaude, Title: "one", UpdatedAt: ms(time.Minute), Host: "al\u202epha", Remote: true, HostOffline: true,
			Model: "claude-\u202esonnet-4-5"},
		{ID: "b", Source: shared.SourceClaude, Title: "two", UpdatedAt: ms(time.Hour), Host: "beta"},
	}
	out := render(t, NewHome(Seed{Sessions: sessions, At: ms(0), Now: now}))
	out = regexp.MustCompile(`data-seed="[^"]*"`).ReplaceAllString(out, "") // the data itself, not what shows
	if strings.Contains(out, "\u202e") {
		t.Errorf("a raw U+202E reached the page:\n%s", out)
	}
	for _, want := range []string{`al[U+202E]pha (1) · offline`, `data-host="al[U+202E]pha"`, `al[U+202E]pha is offline`, `claude-[U+202E]sonnet-4-5`} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %s", want)
		}
	}
}

// refusal is an HTTP answer that is not a list, as app/browser's fetch
// reports one.
type refusal int

func (r refusal) Error() string   { return fmt.Sprintf("HTTP %d", int(r)) }
func (r refusal) HTTPStatus() int { return int(r) }

// TestRenderOfflineSaysWhy: helmd restarted with another token answers
// every poll 401. The page keeps its list, Offline; its notice must say
// what to do (open the address helmd printed), not that the server is
// unreachable: it answers, and the user would wait for it forever.
func TestRenderOfflineSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		want   string
		cached bool
	}{
		{"refused", refusal(401), "open the address helmd printed, with its token", false},
		{"refused, saved list", refusal(403), "open the address helmd printed, with its token", true},
		{"failing", refusal(502), "The server had a problem (HTTP 502)", false},
		{"gone", errors.New("TypeError: Failed to fetch"), "The server does not answer", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHome(Seed{Sessions: sample(), At: ms(10 * time.Minute), Now: now})
			if tc.cached {
				h.cachedAt = ms(10 * time.Minute)
			}
			h.conn = feed.Status{State: feed.Offline, Since: now, Reason: feed.PlainError(tc.err)}
			out := render(t, h)
			m := regexp.MustCompile(`<p[^>]*id="cache-age"[^>]*>([^<]*)</p>`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no #cache-age:\n%s", out)
			}
			got := html.UnescapeString(m[1])
			if !strings.Contains(got, tc.want) || !strings.HasPrefix(got, "Offline: ") || !strings.Contains(got, "10 min ago") {
				t.Errorf("notice %q, want Offline, %q and the list's age", got, tc.want)
			}
		})
	}
}
