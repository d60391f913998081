package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// helmd ls right-aligns its figures too: message counts and costs of
// different widths end in one column.
func TestLsFiguresLineUp(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	var b strings.Builder
	err := writeTable(&b, []shared.Session{
		{Status: shared.StatusIdle, Title: "short", ProjectName: "a", MessageCount: 7, CostUSD: 0.5, UpdatedAt: now.UnixMilli()},
		{Status: shared.StatusWaiting, Title: "a longer title", ProjectName: "b", MessageCount: 1234, CostUSD: 12.25, UpdatedAt: now.UnixMilli()},
	}, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	msgs, cost := strings.Index(lines[0], "MSGS")+len("MSGS"), strings.Index(lines[0], "COST")+len("COST")
	for _, l := range lines[1:3] {
		if !strings.HasSuffix(l[:msgs], " 7") && !strings.HasSuffix(l[:msgs], " 1234") ||
			!strings.HasSuffix(l[:cost], " $0.50") && !strings.HasSuffix(l[:cost], " $12.25") {
			t.Errorf("figures do not end under MSGS and COST:\n%s", b.String())
		}
	}
}

// Titles in Japanese or with emoji take two columns a character: the
// columns after them still start at one place on every line, and a long
// one is cut to the title column's width in columns, not in runes (in
// 100 columns; with no limit it is whole).
func TestLsWideTitlesLineUp(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	table := func(limit int) []string {
		var b strings.Builder
		err := writeTable(&b, []shared.Session{
			{Status: shared.StatusIdle, Title: "plain title", ProjectName: "p1", Source: shared.SourceClaude, UpdatedAt: now.UnixMilli()},
			{Status: shared.StatusIdle, Title: "日本語のセッション", ProjectName: "p2", Source: shared.SourceClaude, UpdatedAt: now.UnixMilli()},
			{Status: shared.StatusIdle, Title: "🚀 ship it 🎉", ProjectName: "p3", Source: shared.SourceClaude, UpdatedAt: now.UnixMilli()},
			{Status: shared.StatusIdle, Title: strings.Repeat("長", 40), ProjectName: "p4", Source: shared.SourceClaude, UpdatedAt: now.UnixMilli()},
		}, now, limit)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	}
	under := func(lines []string, heading, cell string, row int) bool {
		h := strings.Index(lines[0], heading)
		c := strings.Index(lines[row], cell)
		return h >= 0 && c >= 0 && width(lines[0][:h]) == width(lines[row][:c])
	}
	lines := table(0)
	for i := 1; i < len(lines); i++ {
		if !under(lines, "PROJECT", fmt.Sprintf("p%d ", i), i) || !under(lines, "TOOL", "Claude Code", i) {
			t.Errorf("row %d: PROJECT or TOOL not under its heading:\n%s", i, strings.Join(lines, "\n"))
		}
	}
	lines = table(100)
	for i := 1; i < len(lines); i++ {
		if !under(lines, "PROJECT", fmt.Sprintf("p%d ", i), i) {
			t.Errorf("100 columns, row %d: PROJECT not under its heading:\n%s", i, strings.Join(lines, "\n"))
		}
	}
	if !strings.Contains(lines[4], "…") || widest(lines) > 100 {
		t.Errorf("a long wide title is not cut to its column:\n%s", strings.Join(lines, "\n"))
	}
}

// lsAt runs `helmd ls` with args against a helmd listing sessions, with
// stdout a terminal of termWidth columns (0: not a terminal) and env,
// and returns its lines.
func lsAt(t *testing.T, sessions []shared.Session, termWidth int, env map[string]string, args ...string) []string {
	t.Helper()
	body, err := json.Marshal(sessions)
	if err != nil {
		t.Fatal(err)
	}
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	var stdout, stderr out
	e := envOf(with(env, "PORT", port))
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	if err := Run(context.Background(), append([]string{"ls"}, args...), IO{Env: e, Home: "/nonexistent", Stdout: &stdout, Stderr: &stderr,
		Now: func() time.Time { return now }, Width: termWidth}); err != nil {
		t.Fatalf("ls: %v %s", err, stderr.String())
	}
	return strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
}

// widthCase is a width a command's output must fit: a terminal's
// (term columns, 0: not a terminal) and the environment's COLUMNS.
type widthCase struct {
	name string
	term int
	env  map[string]string
}

// eightyColumns are the two ways a command learns it has 80 columns.
var eightyColumns = []widthCase{
	{"an 80-column terminal", 80, nil},
	{"COLUMNS=80, not a terminal", 0, map[string]string{"COLUMNS": "80"}},
}

// narrowColumns are widths under 80 that every line must fit too, down
// to 40, the terminal's or COLUMNS's.
var narrowColumns = []widthCase{
	{"a 60-column terminal", 60, nil},
	{"COLUMNS=60, not a terminal", 0, map[string]string{"COLUMNS": "60"}},
	{"a 40-column terminal", 40, nil},
	{"COLUMNS=40 in a wider terminal", 200, map[string]string{"COLUMNS": "40"}},
}

// cols is the width the case gives a command.
func (c widthCase) cols() int {
	if n, err := strconv.Atoi(c.env["COLUMNS"]); err == nil {
		return n
	}
	return c.term
}

// widest is how many columns the widest of lines takes.
func widest(lines []string) int {
	n := 0
	for _, l := range lines {
		n = max(n, width(l))
	}
	return n
}

// helmd ls fits the terminal it writes to: in 80 columns no line wraps,
// the title giving up its columns first (cut with an ellipsis), the
// columns still aligned. COLUMNS, when set, is the width, terminal or
// not; with neither, lines keep their width (a title of 48 columns).
func TestLsFitsTheTerminal(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	sessions := []shared.Session{
		{ID: "a", Source: shared.SourceClaude, Status: shared.StatusWaiting, Title: "Refactor the session index so that the stream and the list agree",
			ProjectName: "helm", GitBranch: "main", MessageCount: 1234, CostUSD: 112.25, UpdatedAt: now.Add(-time.Minute).UnixMilli()},
		{ID: "b", Source: shared.SourceOpenCode, Status: shared.StatusIdle, Title: "日本語のタイトルがとても長いセッションの一覧",
			ProjectName: "vibecraft-website", GitBranch: "fix/wrapping", MessageCount: 7, CostUSD: 0.5, UpdatedAt: now.Add(-3 * time.Hour).UnixMilli()},
	}
	// PROJECT and TOOL, where they are, each start at one place on
	// every line.
	aligned := func(lines []string) bool {
		for _, col := range [][3]string{{"PROJECT", "helm", "vibec"}, {"TOOL", "Claude", "OpenCode"}} {
			h := strings.Index(lines[0], col[0])
			if h < 0 {
				if col[0] == "TOOL" {
					continue
				}
				return false
			}
			at := width(lines[0][:h])
			for i, cell := range col[1:] {
				l := lines[i+1]
				if j := strings.Index(l, cell); j < 0 || width(l[:j]) != at {
					return false
				}
			}
		}
		return true
	}

	for _, tc := range append(eightyColumns, widthCase{"COLUMNS=80 in a wider terminal", 200, map[string]string{"COLUMNS": "80"}}) {
		lines := lsAt(t, sessions, tc.term, tc.env)
		if w := widest(lines); w > 80 || !aligned(lines) || !strings.Contains(lines[1], "Refactor the ") ||
			!strings.Contains(lines[1], "…") || !strings.Contains(lines[2], "…") {
			t.Errorf("%s: %d columns wide, want at most 80, aligned, titles cut:\n%s", tc.name, w, strings.Join(lines, "\n"))
		}
	}

	// Not a terminal, no COLUMNS: no limit, the title whole.
	lines := lsAt(t, sessions, 0, nil)
	if w := widest(lines); w <= 80 || !strings.Contains(lines[1], "  Refactor the session index so that the stream and the list agree  ") {
		t.Errorf("not a terminal: %d columns, want the title whole:\n%s", w, strings.Join(lines, "\n"))
	}
}

// helmd ls gives a title the width there is: in 200 columns, the
// terminal's or COLUMNS's, a title of 100 is whole, and piped without
// COLUMNS every title is; narrower than the line, the title is cut to
// fit, not to a fixed 48 columns, which it was whatever the width.
func TestLsTitlesTakeTheWidthGiven(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	long := "Refactor the session index so that the stream, the list and the page agree on every change they show"
	huge := strings.Repeat("a very long title ", 20) + "end"
	sessions := func(title string) []shared.Session {
		return []shared.Session{{ID: "a", Source: shared.SourceClaude, Status: shared.StatusIdle, Title: title,
			ProjectName: "helm", GitBranch: "main", MessageCount: 12, CostUSD: 1.5, UpdatedAt: now.Add(-time.Minute).UnixMilli()}}
	}
	for _, tc := range []widthCase{{"a 200-column terminal", 200, nil}, {"COLUMNS=200, not a terminal", 0, map[string]string{"COLUMNS": "200"}}} {
		lines := lsAt(t, sessions(long), tc.term, tc.env)
		if !strings.Contains(lines[1], "  "+long+"  ") || widest(lines) > 200 {
			t.Errorf("%s: want the title of %d columns whole:\n%s", tc.name, len(long), strings.Join(lines, "\n"))
		}
		lines = lsAt(t, sessions(huge), tc.term, tc.env)
		if w := widest(lines); w != 200 || !strings.Contains(lines[1], "a very long title a very long title") || !strings.Contains(lines[1], "…  helm") {
			t.Errorf("%s: want a title wider than the line cut to fill its 200 columns, got %d:\n%s", tc.name, w, strings.Join(lines, "\n"))
		}
	}
	if lines := lsAt(t, sessions(huge), 0, nil); !strings.Contains(lines[1], "  "+huge+"  ") {
		t.Errorf("piped without COLUMNS: want the title whole:\n%s", strings.Join(lines, "\n"))
	}
}

// In helmd ls the title is what a user reads: TOOL gives way before it,
// its short forms ("Claude", "OpenCode") or, when every row has the same
// tool, the whole column, then the whole column whatever the tools
// before a title goes below 24 columns; in 80 columns titles had 16
// ("Add rate limiti…") while every row spent 10 on "Claude Co…". And no
// line is wider than the terminal, down to 40 columns and below: whole
// columns go (BRANCH, MSGS, COST, UPDATED, PROJECT) before the title
// does, where lines of 78 columns wrapped in 60.
func TestLsTitleBeforeTool(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	sessions := func(second shared.Source) []shared.Session {
		return []shared.Session{
			{ID: "a", Source: shared.SourceClaude, Status: shared.StatusWaiting, Title: "Add rate limiting to the public API gateway",
				ProjectName: "payments-service", GitBranch: "feature/rate-limits", MessageCount: 182, CostUSD: 14.2, UpdatedAt: now.Add(-time.Minute).UnixMilli()},
			{ID: "b", Source: second, Status: shared.StatusWorking, Title: "Upgrade the React Native version and fix the build",
				ProjectName: "webapp", GitBranch: "main", MessageCount: 2, CostUSD: 0.006, UpdatedAt: now.Add(-3 * time.Hour).UnixMilli()},
		}
	}
	titleCol := func(lines []string) int {
		end := strings.Index(lines[0], "PROJECT")
		if end < 0 {
			return width(lines[1]) - width(lines[0][:strings.Index(lines[0], "TITLE")])
		}
		return width(lines[0][:end]) - width(lines[0][:strings.Index(lines[0], "TITLE")]) - 2
	}
	for _, second := range []shared.Source{shared.SourceClaude, shared.SourceOpenCode} {
		for _, tc := range append(append([]widthCase{}, eightyColumns...), narrowColumns...) {
			lines := lsAt(t, sessions(second), tc.term, tc.env)
			all := strings.Join(lines, "\n")
			if w := widest(lines); w > tc.cols() {
				t.Errorf("%s, %s second: %d columns wide:\n%s", tc.name, second, w, all)
			}
			if strings.Contains(all, "Claude C") || !strings.HasPrefix(lines[1], "waiting  Add rate limiting") ||
				!strings.HasPrefix(lines[2], "working  Upgrade the React") {
				t.Errorf("%s, %s second: want each row's status and title, and no \"Claude Co…\":\n%s", tc.name, second, all)
			}
			if n := titleCol(lines); tc.cols() == 80 && n < 20 {
				t.Errorf("%s, %s second: a title column of %d, want 20 or more:\n%s", tc.name, second, n, all)
			}
		}
		// Wide enough for a TOOL, not for "Claude Code": its short forms.
		lines := lsAt(t, sessions(second), 110, nil)
		if second == shared.SourceOpenCode && (!strings.Contains(lines[1], "  Claude  ") || !strings.Contains(lines[2], "  OpenCode  ")) {
			t.Errorf("110 columns: want TOOL's short forms:\n%s", strings.Join(lines, "\n"))
		}
	}
}

// helmd ls names each session's tool as the page and helmd usage --by
// source do, "Claude Code" and "OpenCode"; --json keeps the source ids
// that scripts match on.
func TestLsNamesTools(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	sessions := []shared.Session{
		{ID: "a", Source: shared.SourceClaude, Status: shared.StatusIdle, Title: "one", ProjectName: "p", UpdatedAt: now.UnixMilli()},
		{ID: "b", Source: shared.SourceOpenCode, Status: shared.StatusIdle, Title: "two", ProjectName: "p", UpdatedAt: now.UnixMilli()},
	}
	lines := lsAt(t, sessions, 0, nil)
	tool := strings.Index(lines[0], "TOOL")
	for i, want := range []string{"Claude Code  ", "OpenCode  "} {
		if l := lines[i+1]; tool < 0 || !strings.HasPrefix(l[tool:], want) {
			t.Errorf("row %d: TOOL is not %q:\n%s", i+1, strings.TrimSpace(want), strings.Join(lines, "\n"))
		}
	}
	js := strings.Join(lsAt(t, sessions, 0, nil, "--json"), "\n")
	if !strings.Contains(js, `"source":"claude"`) || !strings.Contains(js, `"source":"opencode"`) || strings.Contains(js, "Claude Code") {
		t.Errorf("--json: want the source ids, not the labels:\n%s", js)
	}
}

// helmd ls and helmd usage spell a cost as the page does (shared.CostText):
// $0.006 is "<$0.01" in the list, the header and the usage page, and it
// read "$0.01" here, as if a cent had been spent.
func TestCostsAsThePage(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	costs := []float64{0.006, 0, 1.234, 1234.5}
	var sessions []shared.Session
	for i, c := range costs {
		sessions = append(sessions, shared.Session{ID: fmt.Sprint(i), Source: shared.SourceClaude, Status: shared.StatusIdle,
			Title: fmt.Sprint("t", i), ProjectName: "p", CostUSD: c, UpdatedAt: now.UnixMilli()})
	}
	lines := lsAt(t, sessions, 0, nil)
	end := strings.Index(lines[0], "COST") + len("COST")
	for i, c := range costs {
		if got, want := strings.TrimSpace(lines[i+1][:end][strings.LastIndex(lines[i+1][:end], " "):]), shared.CostText(c); got != want {
			t.Errorf("helmd ls: a cost of %v reads %q, the page's %q:\n%s", c, got, want, strings.Join(lines, "\n"))
		}
	}
	rep := `{"by":"project","buckets":[{"key":"/p","costUsd":0.006,"tokens":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-opus-4-1":0.006}}],
"total":{"costUsd":0.006,"tokens":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0}}}`
	for _, l := range usageAt(t, rep, 0, nil)[1:3] { // its row and TOTAL; the line naming the zone follows
		if !strings.Contains(l, " <$0.01 ") {
			t.Errorf("helmd usage: want <$0.01 for $0.006, got %q", l)
		}
	}
}

// helmd ls says why a session waits when its assistant is stopped
// mid-turn (a permission, a dialog), in the row's words, and not for a
// finished turn, which most waits are. A terminal too narrow for the
// reason drops it whole: the status stays "waiting", never cut.
func TestLsSaysWhyItWaits(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	at := now.Add(-time.Minute).UnixMilli()
	waits := func(id, reason string) shared.Session {
		return shared.Session{ID: id, Source: shared.SourceClaude, Status: shared.StatusWaiting, WaitingFor: reason,
			Title: "Session " + id, ProjectName: "helm", GitBranch: "main", UpdatedAt: at}
	}
	sessions := []shared.Session{
		waits("a", "permission: Bash"),
		waits("b", "permission prompt"),
		waits("c", "dialog open"),
		waits("d", "input needed"),
		waits("e", "permission: \x1b]0;pwned\x07mcp__github__create_pull_request_review"),
		{ID: "f", Source: shared.SourceClaude, Status: shared.StatusWorking, Title: "Session f", ProjectName: "helm", UpdatedAt: at},
	}
	want := []string{"waiting (permission: Bash)", "waiting (needs approval)", "waiting (dialog open)", "waiting", "waiting (permission: mcp__github__cr…)", "working"}
	status := func(lines []string) []string {
		var got []string
		for _, l := range lines[1:] {
			cell, _, _ := strings.Cut(l, "  Session")
			got = append(got, strings.TrimSpace(cell))
		}
		return got
	}
	for _, width := range []int{0, 140} {
		lines := lsAt(t, sessions, width, nil)
		if got := status(lines); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%d columns: STATUS %q, want %q:\n%s", width, got, want, strings.Join(lines, "\n"))
		}
	}
	// Narrower, a reason that does not fit is dropped whole; the status
	// itself is never cut.
	for _, tc := range append(eightyColumns, narrowColumns...) {
		lines := lsAt(t, sessions, tc.term, tc.env)
		for i, g := range status(lines) {
			full := want[i]
			st, _, _ := strings.Cut(full, " (")
			if g != full && g != st {
				t.Errorf("%s: STATUS %q, want %q or %q:\n%s", tc.name, g, full, st, strings.Join(lines, "\n"))
			}
		}
		for _, l := range lines {
			if width(l) > tc.cols() {
				t.Errorf("%s: a line of %d columns:\n%s", tc.name, width(l), strings.Join(lines, "\n"))
			}
		}
	}
}

// A wait the user cleared from Needs you still waits, but is not one
// that needs the user: helmd ls says so, as the page counts it apart, at
// any width, with its reason where there is room. It said "waiting",
// as for a session still waiting for its user.
func TestLsMarksAClearedWait(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	at := now.Add(-time.Minute).UnixMilli()
	waits := func(id, reason string, cleared int64) shared.Session {
		return shared.Session{ID: id, Source: shared.SourceClaude, Status: shared.StatusWaiting, WaitingFor: reason, ClearedAt: cleared,
			Title: "Session " + id, ProjectName: "helm", GitBranch: "main", UpdatedAt: at, WaitingSince: at}
	}
	sessions := []shared.Session{
		waits("a", "input needed", now.UnixMilli()),
		waits("b", "question", now.UnixMilli()),
		waits("c", "input needed", 0),
		{ID: "d", Source: shared.SourceClaude, Status: shared.StatusWorking, ClearedAt: now.UnixMilli(), Title: "Session d", ProjectName: "helm", UpdatedAt: at},
	}
	for _, tc := range []struct {
		cols int
		want []string
	}{
		{0, []string{"waiting, cleared", "waiting, cleared (question)", "waiting", "working"}},
		{40, []string{"waiting, cleared", "waiting, cleared", "waiting", "working"}},
	} {
		lines := lsAt(t, sessions, 0, map[string]string{"COLUMNS": strconv.Itoa(tc.cols)})
		for i, l := range lines[1:] {
			cell, _, _ := strings.Cut(l, "  ")
			if cell != tc.want[i] {
				t.Errorf("COLUMNS=%d: row %d STATUS %q, want %q:\n%s", tc.cols, i+1, cell, tc.want[i], strings.Join(lines, "\n"))
			}
		}
	}
}

// Why a session waits is what the user has to act on: at 80 columns
// STATUS keeps "waiting (permission: Bash)" and MSGS, COST, UPDATED give
// way first. It was the other way round: "waiting  alpha notify me …
// 3  $0.01  6m ago".
func TestLsKeepsTheReasonBeforeTheFigures(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	sessions := []shared.Session{
		{ID: "a", Source: shared.SourceClaude, Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Title: "alpha notify me when the deploy is done",
			ProjectName: "proj-alpha", GitBranch: "feature/notify", MessageCount: 3, CostUSD: 0.01, UpdatedAt: now.Add(-6 * time.Minute).UnixMilli()},
		{ID: "b", Source: shared.SourceClaude, Status: shared.StatusWaiting, WaitingFor: "input needed", Title: "beta working task",
			ProjectName: "proj-beta", GitBranch: "main", MessageCount: 2, CostUSD: 0.004, UpdatedAt: now.Add(-2 * time.Minute).UnixMilli()},
	}
	for _, tc := range eightyColumns {
		lines := lsAt(t, sessions, tc.term, tc.env, "--status", "waiting")
		all := strings.Join(lines, "\n")
		if w := widest(lines); w > 80 || !strings.HasPrefix(lines[1], "waiting (permission: Bash)  alpha notify") ||
			!strings.HasPrefix(lines[2], "waiting                     beta working task") {
			t.Errorf("%s: %d columns; want the reason and the titles' starts in 80:\n%s", tc.name, w, all)
		}
	}
}

// On a hub, helmd ls names each row's machine, as the page's rows do:
// two sessions of one title on two machines printed identical rows. A
// session of a machine that stopped is "offline", not the "idle" the
// hub lists it as. Machine names come from other machines: cleaned.
// Without a fleet, no MACHINE column.
func TestLsNamesMachines(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	at := now.Add(-6 * time.Minute).UnixMilli()
	sessions := []shared.Session{
		{ID: "a", Source: shared.SourceClaude, Host: "alpha", Remote: true, Status: shared.StatusWaiting, WaitingFor: "permission: Bash",
			Title: "notify me when the deploy is done", ProjectName: "proj", GitBranch: "main", MessageCount: 3, CostUSD: 0.01, UpdatedAt: at},
		{ID: "a", Source: shared.SourceClaude, Host: "beta", Remote: true, HostOffline: true, Status: shared.StatusIdle,
			Title: "notify me when the deploy is done", ProjectName: "proj", GitBranch: "main", MessageCount: 3, CostUSD: 0.01, UpdatedAt: at},
		{ID: "h", Source: shared.SourceClaude, Host: "hub\x1b]0;pwned\x07", Status: shared.StatusWorking,
			Title: "the hub's own", ProjectName: "proj", GitBranch: "main", MessageCount: 1, CostUSD: 0.01, UpdatedAt: at},
	}
	want := []string{"waiting (permission: Bash)  alpha    notify me", "offline                     beta     notify me", "working                     hub      the hub's own"}
	for _, tc := range append([]widthCase{{"not a terminal", 0, nil}}, eightyColumns...) {
		lines := lsAt(t, sessions, tc.term, tc.env)
		all := strings.Join(lines, "\n")
		ok := strings.HasPrefix(lines[0], "STATUS                      MACHINE  TITLE") && len(lines) == 4 && !strings.Contains(all, "\x1b")
		for i, w := range want {
			ok = ok && strings.HasPrefix(lines[i+1], w)
		}
		if !ok || tc.term+len(tc.env) > 0 && widest(lines) > 80 {
			t.Errorf("%s: want each row's machine, beta's offline, within the width:\n%s", tc.name, all)
		}
	}
	// --machine keeps one machine's sessions; a name no session has is
	// an error naming those there are.
	if lines := lsAt(t, sessions, 0, nil, "--machine", "beta"); len(lines) != 2 || !strings.HasPrefix(lines[1], "offline  beta     notify me") {
		t.Errorf("--machine beta: want beta's session alone:\n%s", strings.Join(lines, "\n"))
	}
	// One machine's own sessions, no fleet: no MACHINE.
	local := []shared.Session{{ID: "x", Source: shared.SourceClaude, Host: "hub", Status: shared.StatusIdle, Title: "mine", ProjectName: "p", UpdatedAt: at},
		{ID: "y", Source: shared.SourceClaude, Host: "hub", Status: shared.StatusIdle, Title: "mine too", ProjectName: "p", UpdatedAt: at}}
	if lines := lsAt(t, local, 0, nil); strings.Contains(lines[0], "MACHINE") {
		t.Errorf("one machine: want no MACHINE column:\n%s", strings.Join(lines, "\n"))
	}
}

// A reason STATUS cannot keep goes whole, and the columns it frees go to
// the title: cut by columns, a STATUS of 23 dropped the reason of 26
// anyway, and its 19 columns stood empty beside a title cut to 16.
func TestLsReasonGoneGivesItsRoom(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	at := now.Add(-6 * time.Minute).UnixMilli()
	sessions := []shared.Session{
		{ID: "a", Source: shared.SourceClaude, Status: shared.StatusWaiting, WaitingFor: "permission: Bash",
			Title: "alpha notify me when the deploy is done", ProjectName: "proj-alpha", GitBranch: "main", MessageCount: 3, CostUSD: 0.01, UpdatedAt: at},
		{ID: "b", Source: shared.SourceClaude, Status: shared.StatusWaiting, Title: "the hub's own", ProjectName: "helm", UpdatedAt: at},
	}
	for _, cols := range []int{50, 45} {
		lines := lsAt(t, sessions, 0, map[string]string{"COLUMNS": strconv.Itoa(cols)})
		if w := widest(lines); w > cols || w < cols-3 || !strings.HasPrefix(lines[1], "waiting  alpha notify me when") {
			t.Errorf("COLUMNS=%d: %d columns used; want the reason gone and the title in its room:\n%s", cols, w, strings.Join(lines, "\n"))
		}
	}
}

// A waiting row's UPDATED says how long it has waited, as the page's row
// says "waiting 12 min": from when the wait began (a hook, say, after
// the last record), else from the last record. Every other row, and a
// stopped machine's, keeps its last activity. It said "1h ago" for a
// session that had waited 5 minutes. A fleet's machine's times are told
// on the hub's clock (Session.OnHubClock).
func TestLsSaysHowLongAWaitingSessionWaited(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) int64 { return now.Add(-d).UnixMilli() }
	sessions := []shared.Session{
		{ID: "a", Source: shared.SourceClaude, Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Title: "hooked",
			ProjectName: "p", UpdatedAt: ms(time.Hour), WaitingSince: ms(5 * time.Minute)},
		{ID: "b", Source: shared.SourceClaude, Status: shared.StatusWaiting, Title: "unknown start", ProjectName: "p", UpdatedAt: ms(3 * time.Hour)},
		{ID: "c", Source: shared.SourceClaude, Status: shared.StatusWaiting, Title: "just now", ProjectName: "p",
			UpdatedAt: ms(time.Minute), WaitingSince: now.Add(time.Second).UnixMilli()},
		{ID: "d", Source: shared.SourceClaude, Status: shared.StatusIdle, Title: "machine gone", ProjectName: "p", Host: "far", Remote: true,
			HostOffline: true, UpdatedAt: ms(2 * time.Hour), WaitingSince: ms(2 * time.Hour)},
		{ID: "e", Source: shared.SourceClaude, Status: shared.StatusWorking, Title: "busy", ProjectName: "p", UpdatedAt: ms(3 * time.Minute)},
		// A fleet's machine whose clock is 10 min behind the hub's: told on the hub's clock.
		{ID: "f", Source: shared.SourceClaude, Status: shared.StatusWaiting, Title: "late wait", ProjectName: "p", Host: "late", Remote: true,
			UpdatedAt: ms(14 * time.Minute), WaitingSince: ms(14 * time.Minute), HostClockAheadMs: -600_000},
		{ID: "g", Source: shared.SourceClaude, Status: shared.StatusIdle, Title: "late idle", ProjectName: "p", Host: "late", Remote: true,
			UpdatedAt: ms(16 * time.Minute), HostClockAheadMs: -600_000},
	}
	lines := lsAt(t, sessions, 0, nil)
	want := map[string]string{"hooked": "for 5m", "unknown start": "for 3h", "just now": "for 0s", "machine gone": "2h ago", "busy": "3m ago",
		"late wait": "for 4m", "late idle": "6m ago"}
	for title, cell := range want {
		found := false
		for _, l := range lines {
			if strings.Contains(l, " "+title+" ") {
				found = true
				if !strings.HasSuffix(l, "  "+cell) {
					t.Errorf("the row of %q ends %q, want %q:\n%s", title, l[max(0, len(l)-12):], cell, strings.Join(lines, "\n"))
				}
			}
		}
		if !found {
			t.Errorf("no row of %q:\n%s", title, strings.Join(lines, "\n"))
		}
	}
}

// helmd ls reads the list a page at a time: at 100,000 sessions the
// whole list in one answer (76 MB) was past what ls reads at once, and
// it failed ("answer larger than 64 MB"). Every request here is a page,
// and every session of every page is listed, in order.
func TestLsReadsTheListAPageAtATime(t *testing.T) {
	defer func(n int) { lsPage = n }(lsPage)
	lsPage = 3
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	var all []shared.Session
	for i := range 7 {
		all = append(all, shared.Session{ID: strconv.Itoa(i), Source: shared.SourceClaude, Host: "vm", Status: shared.StatusIdle,
			Title: fmt.Sprintf("session number %d", i), ProjectName: "p", UpdatedAt: now.Add(-time.Duration(i) * time.Minute).UnixMilli()})
	}
	var mu sync.Mutex
	var asked []string
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.RawQuery)
		mu.Unlock()
		q := r.URL.Query()
		if !q.Has("limit") { // the whole list, as helmd answers it
			json.NewEncoder(w).Encode(all)
			return
		}
		limit, _ := strconv.Atoi(q.Get("limit"))
		start, _ := strconv.Atoi(q.Get("cursor"))
		end := min(start+limit, len(all))
		pg := map[string]any{"sessions": all[start:end], "total": len(all)}
		if end < len(all) {
			pg["next"] = strconv.Itoa(end)
		}
		json.NewEncoder(w).Encode(pg)
	})
	stdout, stderr, err := runCmd(context.Background(), map[string]string{"PORT": port}, "ls")
	if err != nil {
		t.Fatalf("ls: %v %s", err, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	ok := len(lines) == 8
	for i := 0; ok && i < 7; i++ {
		ok = strings.Contains(lines[i+1], fmt.Sprintf("session number %d", i))
	}
	if !ok {
		t.Errorf("want the 7 sessions of 3 pages, newest first:\n%s", stdout)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"limit=3", "cursor=3&limit=3", "cursor=6&limit=3"}; !slices.Equal(asked, want) {
		t.Errorf("asked %q, want the list a page at a time: %q", asked, want)
	}
}

// helmd ls --status, --machine and --project ask helmd for the sessions
// they keep (the API's status, host and projectMatch): it read every
// page of the whole list and kept a few, 20 requests and 2 s at 100,000
// sessions. What it prints
// is the same whether helmd applies them or ignores them (an older
// helmd), and --machine naming no machine still names those there are,
// from helmd's status, or, from a helmd whose status does not count
// them, from the list.
func TestLsSendsItsFiltersToHelmd(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	var all []shared.Session
	for i, m := range []string{"alpha", "beta", "hub", "alpha", "beta", "hub"} {
		st := []shared.Status{shared.StatusWaiting, shared.StatusIdle, shared.StatusWorking}[i%3]
		all = append(all, shared.Session{ID: strconv.Itoa(i), Source: shared.SourceClaude, Host: m, Remote: m != "hub", Status: st,
			Title: fmt.Sprintf("session %d", i), ProjectName: fmt.Sprint("proj", i%2), ProjectPath: fmt.Sprint("/p/proj", i%2),
			UpdatedAt: now.Add(-time.Duration(i) * time.Minute).UnixMilli()})
	}
	type helmd struct {
		name            string
		filters, counts bool // it applies status and host; its status counts the list's machines
	}
	var mu sync.Mutex
	var asked []string // the list's requests, of the helmd that applies filters and counts
	serve := func(h helmd) string {
		return fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/status" {
				doc := map[string]any{"version": "test"}
				if h.counts {
					doc["listed"], doc["machines"] = len(all), shared.Machines(all)
				}
				json.NewEncoder(w).Encode(doc)
				return
			}
			ss := all
			if h.filters {
				q, err := shared.ParseQuery(r.URL.Query())
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				ss = q.Apply(all)
				if h.counts {
					mu.Lock()
					asked = append(asked, r.URL.RawQuery)
					mu.Unlock()
				}
			}
			json.NewEncoder(w).Encode(map[string]any{"sessions": ss, "total": len(ss)})
		})
	}
	helmds := []helmd{{"applies the filters", true, true}, {"ignores them", false, false}, {"applies them, status without machines", true, false}}
	ports := map[string]string{}
	for _, h := range helmds {
		ports[h.name] = serve(h)
	}
	for _, tc := range []struct {
		args  []string
		query string // what the list's request says besides the limit
		want  string // in what ls prints
	}{
		{[]string{"--status", "waiting"}, "limit=5000&status=waiting", "session 0"},
		{[]string{"--machine", "beta"}, "host=beta&limit=5000", "session 4"},
		{[]string{"--machine", "beta", "--status", "idle", "--project", "proj0"}, "host=beta&limit=5000&projectMatch=proj0&status=idle", "session 4"},
		{[]string{"--project", "PROJ1", "--json"}, "limit=5000&projectMatch=PROJ1", `"id":"5"`},
		{[]string{"--project", "/p/proj0/"}, "limit=5000&projectMatch=%2Fp%2Fproj0%2F", "session 4"},
		{[]string{"--project", "proj"}, "limit=5000&projectMatch=proj", "no sessions"},
		{[]string{"--machine", "beta", "--status", "working"}, "host=beta&limit=5000&status=working", "no sessions"},
		{[]string{"--machine", "gamma"}, "host=gamma&limit=5000", `--machine "gamma": no session of that machine; machines listed: alpha, beta, hub`},
		{[]string{"--json", "--status", "idle"}, "limit=5000&status=idle", `"id":"1"`},
	} {
		mu.Lock()
		asked = nil
		mu.Unlock()
		var first string
		for _, h := range helmds {
			stdout, stderr, err := runCmd(context.Background(), map[string]string{"PORT": ports[h.name]}, append([]string{"ls"}, tc.args...)...)
			got := fmt.Sprint(stdout, stderr, err)
			if !strings.Contains(got, tc.want) {
				t.Errorf("ls %s, a helmd that %s: want %q in:\n%s", tc.args, h.name, tc.want, got)
			}
			if first == "" {
				first = got
			} else if got != first {
				t.Errorf("ls %s: a helmd that %s gives\n%s\nwant what one that %s gives:\n%s", tc.args, h.name, got, helmds[0].name, first)
			}
		}
		mu.Lock()
		if len(asked) != 1 || asked[0] != tc.query {
			t.Errorf("ls %s asked for the list %q, want once, with its filters: %q", tc.args, asked, tc.query)
		}
		mu.Unlock()
	}
}

// helmd ls --json prints each page as it comes, not the whole list once
// read: that held 360 MB at 100,000 sessions. A page is asked for only
// once the one before it is out, and what is printed is, byte for byte,
// what json.Encoder wrote for the whole list (HTML characters escaped,
// the line separators too, one line feed at the end), for a list of
// several pages, with sessions kept from some pages only (helmd applies
// no filter here, as an older one does not), or from none. A walk that
// must start again (409) gives the same list, each session once,
// whether or not a page was printed before.
func TestLsJSONPrintsEachPageAsItComes(t *testing.T) {
	defer func(n int) { lsPage = n }(lsPage)
	lsPage = 3
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	var all []shared.Session
	for i := range 8 {
		st := shared.StatusIdle
		if i == 4 || i == 7 {
			st = shared.StatusWaiting
		}
		all = append(all, shared.Session{ID: fmt.Sprint("s", i), Source: shared.SourceClaude, Host: "vm", Status: st,
			Title: fmt.Sprintf("<b>%d</b> & \u2028 \"q\" é", i), ProjectName: "p", ProjectPath: "/p", CostUSD: 0.1 * float64(i),
			UpdatedAt: now.Add(-time.Duration(i) * time.Minute).UnixMilli()})
	}
	var mu sync.Mutex
	var stdout *out
	conflicts := 0 // 409s still to answer, to the first cursor asked for
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		start := 0
		if c := q.Get("cursor"); c != "" {
			start, _ = strconv.Atoi(c)
			mu.Lock()
			printed := stdout.String()
			conflict := conflicts > 0
			if conflict {
				conflicts--
			}
			mu.Unlock()
			if conflict {
				http.Error(w, `{"error":"the list changed"}`, http.StatusConflict)
				return
			}
			// Every kept session of the pages before is out already.
			for _, s := range all[:start] {
				if kept := q.Get("status") == "" || s.Status == shared.Status(q.Get("status")); kept && !strings.Contains(printed, `"id":"`+s.ID+`"`) {
					t.Errorf("page at %d asked for before session %s of an earlier page was printed:\n%s", start, s.ID, printed)
				}
			}
		}
		end := min(start+limit, len(all))
		pg := map[string]any{"sessions": all[start:end], "total": len(all)}
		if end < len(all) {
			pg["next"] = strconv.Itoa(end)
		}
		json.NewEncoder(w).Encode(pg)
	})
	run := func(conflict int, args ...string) (string, error) {
		mu.Lock()
		stdout, conflicts = &out{}, conflict
		o := stdout
		mu.Unlock()
		err := Run(context.Background(), append([]string{"ls", "--json"}, args...), IO{Env: envOf(map[string]string{"PORT": port}),
			Home: "/nonexistent", Stdout: o, Stderr: &out{}, Now: func() time.Time { return now }})
		return o.String(), err
	}
	encoded := func(status shared.Status) string {
		kept := []shared.Session{}
		for _, s := range all {
			if status == "" || s.Status == status {
				kept = append(kept, s)
			}
		}
		var b strings.Builder
		json.NewEncoder(&b).Encode(kept)
		return b.String()
	}
	for _, tc := range []struct {
		args     []string
		conflict int
		want     string
	}{
		{nil, 0, encoded("")},
		{[]string{"--status", "waiting"}, 0, encoded(shared.StatusWaiting)},
		{[]string{"--status", "working"}, 0, "[]\n"},
		{[]string{"--status", "waiting"}, 1, encoded(shared.StatusWaiting)}, // nothing printed before the 409
		{nil, 1, encoded("")}, // the first page printed before it
	} {
		got, err := run(tc.conflict, tc.args...)
		if err != nil || got != tc.want {
			t.Errorf("ls --json %s (409s: %d): %v\n%s\nwant\n%s", tc.args, tc.conflict, err, got, tc.want)
		}
	}
}

// When the list's state is gone (409: helmd refreshed or restarted)
// after ls --json printed part of it, ls reads the new list from its
// start and prints what it had not: every session of the new list, none
// twice. It said the output was incomplete and left an array no parser
// took, all of it lost to a refresh during the walk.
func TestLsJSONStartsAgainAfterPrinting(t *testing.T) {
	defer func(n int) { lsPage = n }(lsPage)
	lsPage = 3
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	mk := func(id string, ago int, title string) shared.Session {
		return shared.Session{ID: id, Source: shared.SourceClaude, Status: shared.StatusIdle, Title: title,
			UpdatedAt: now.Add(-time.Duration(ago) * time.Minute).UnixMilli()}
	}
	old := []shared.Session{mk("s0", 0, "0"), mk("s1", 1, "1"), mk("s2", 2, "2"), mk("s3", 3, "3"), mk("s4", 4, "4"), mk("s5", 5, "5"), mk("s6", 6, "6")}
	// Since: s8 began, s5 changed (it comes first now), s1 and s6 ended.
	// An OpenCode session of s3's id is another session.
	oc := mk("s3", 7, "opencode")
	oc.Source = shared.SourceOpenCode
	fresh := []shared.Session{mk("s8", -2, "8"), mk("s5", -1, "5 again"), mk("s0", 0, "0"), mk("s2", 2, "2"), mk("s3", 3, "3"), mk("s4", 4, "4"), oc}
	var mu sync.Mutex
	gone := false // the old list's state, after its first page
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		state, start := "new", 0 // a cursor is "<state>:<offset>"
		if c := r.URL.Query().Get("cursor"); c != "" {
			var at string
			state, at, _ = strings.Cut(c, ":")
			start, _ = strconv.Atoi(at)
		} else if !gone {
			state, gone = "old", true // the next page finds its state gone
		}
		list := fresh
		if state == "old" {
			if start > 0 {
				http.Error(w, `{"error":"the list changed too much since the first page"}`, http.StatusConflict)
				return
			}
			list = old
		}
		end := min(start+lsPage, len(list))
		pg := map[string]any{"sessions": list[start:end], "total": len(list)}
		if end < len(list) {
			pg["next"] = state + ":" + strconv.Itoa(end)
		}
		json.NewEncoder(w).Encode(pg)
	})
	stdout, stderr, err := runCmd(context.Background(), map[string]string{"PORT": port}, "ls", "--json")
	if err != nil {
		t.Fatalf("ls --json: %v %s\n%s", err, stderr, stdout)
	}
	var got []shared.Session
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("ls --json printed no JSON array: %v\n%s", err, stdout)
	}
	var keys []string
	for _, s := range got {
		keys = append(keys, s.Key()+"="+s.Title)
	}
	// The old list's first page as printed, then the new list's others.
	want := []string{"claude:s0=0", "claude:s1=1", "claude:s2=2", "claude:s8=8", "claude:s5=5 again", "claude:s3=3", "claude:s4=4", "opencode:s3=opencode"}
	if !slices.Equal(keys, want) {
		t.Errorf("ls --json printed\n%q\nwant\n%q", keys, want)
	}
}
