package ui

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/shared"
)

// headerFacts renders the page's header and reads its facts by class,
// and the text each copy button copies (its title) by id.
func headerFacts(t *testing.T, p *SessionPage) (facts, copies map[string]string, out string) {
	t.Helper()
	// Without the encoder's indentation, so text reads as one line.
	out = regexp.MustCompile(`>\s+|\s+<`).ReplaceAllStringFunc(app.HTMLString(p.renderHeader()), strings.TrimSpace)
	facts, copies = map[string]string{}, map[string]string{}
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, m := range regexp.MustCompile(`class="fact ([a-z]+)"><span class="label">[^<]*</span><span [^>]*class="value"[^>]*>(.*?)</span></div>`).FindAllStringSubmatch(out, -1) {
		facts[m[1]] = html.UnescapeString(tags.ReplaceAllString(m[2], ""))
	}
	for _, m := range regexp.MustCompile(`<button[^>]*>`).FindAllString(out, -1) {
		id := regexp.MustCompile(`id="([^"]*)"`).FindStringSubmatch(m)
		title := regexp.MustCompile(`title="([^"]*)"`).FindStringSubmatch(m)
		if id != nil && title != nil {
			copies[id[1]] = html.UnescapeString(html.UnescapeString(title[1]))
		}
	}
	return facts, copies, out
}

// The header says what the issue lists: title, project (laid out to
// keep its end, pathFit), branch, models,
// status, why it waits and since when, messages, tokens split (cache writes by 5 min
// and 1 h), cost, started, last activity and duration, and offers to copy
// the resume command, the id and the transcript's path.
func TestRenderSessionHeader(t *testing.T) {
	started := time.Date(2026, 3, 2, 9, 15, 0, 0, time.Local)
	p := pageFor()
	p.detail = &shared.SessionDetail{
		Session: shared.Session{ID: p.id, Source: shared.SourceClaude, Title: "Fix the <b>login</b> test",
			ProjectPath: "/home/dev/app", GitBranch: "fix/login", MessageCount: 12345,
			Tokens:  shared.Tokens{Input: 1200, Output: 34_000, CacheRead: 2_500_000, CacheWrite: 9000, CacheWrite1h: 2000},
			CostUSD: 4.5, Status: shared.StatusWaiting, WaitingFor: "permission: Bash",
			CreatedAt: started.UnixMilli(), UpdatedAt: time.Now().UnixMilli(), WorkMs: (12*60 + 30) * 1000,
			WaitingSince: time.Now().Add(-3*time.Minute - time.Second).UnixMilli()},
		Transcripts:   []string{"/home/dev/.claude/projects/-home-dev-app/" + p.id + ".jsonl", "/sub/agent-a1.jsonl"},
		Models:        []string{"claude-haiku-4-5", "claude-opus-4-5-20251101"},
		ResumeCommand: "cd /home/dev/app && claude --resume " + p.id,
		DurationMs:    (3*60 + 5) * 60_000,
		Question:      "Shall I run \u202ethe tests?",
	}
	facts, copies, out := headerFacts(t, p)
	for class, want := range map[string]string{
		"project":  "/home/dev/app",
		"branch":   "fix/login",
		"models":   "haiku 4.5, opus 4.5", // as the list says them; the whole ids in the tooltip
		"messages": "12,345",
		"tokens":   "in 1.2k · out 34k · cache read 2.5M · cache write 7k\u00a0(kept\u00a05\u00a0min) + 2k\u00a0(kept\u00a01\u00a0h)",
		"cost":     "$4.50",
		"started":  "2026-03-02 09:15:00",
		"updated":  "just now",
		"duration": "3 h 5 min",
		"work":     "12 min",
	} {
		if facts[class] != want {
			t.Errorf("%s: %q, want %q", class, facts[class], want)
		}
	}
	for _, want := range []string{ // attributes come in any order
		`>Fix the &lt;b&gt;login&lt;/b&gt; test</h1>`,
		// A permission asked for says so, the tool beside it, and how
		// long it has waited.
		`<span [^>]*data-status="waiting"[^>]*>waiting for permission<`,
		`<span [^>]*class="reason"[^>]*>Bash<`,
		`<time [^>]*class="waited"[^>]*>for 3 min<`,
		`class="fact models"><span class="label">Models<`,
		`<span [^>]*title="claude-haiku-4-5, claude-opus-4-5-20251101"[^>]*>haiku 4.5, opus 4.5<`,
		// The project keeps its end where a wide header cuts it, whole in its tooltip.
		`<span [^>]*title="/home/dev/app"[^>]*><span class="fit-end"><span>/</span><span>home/</span><span>dev/</span><span>app</span></span></span>`,
		`<span [^>]*class="question"[^>]*>Shall I run \[U\+202E\]the tests\?<`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("header lacks %s:\n%s", want, out)
		}
	}
	for id, want := range map[string]string{
		"copy-resume": p.detail.ResumeCommand,
		"copy-id":     p.id,
		"copy-path":   p.detail.Transcripts[0],
	} {
		if copies[id] != want {
			t.Errorf("%s copies %q, want %q", id, copies[id], want)
		}
	}
}

// Once helmd no longer has the session (its transcript deleted or moved),
// the header no longer says its status as current, nor how long it has
// waited: the last one known, marked stale.
func TestRenderSessionHeaderGone(t *testing.T) {
	p := pageFor()
	p.detail = &shared.SessionDetail{Session: shared.Session{ID: p.id, Source: shared.SourceClaude, Status: shared.StatusWaiting,
		UpdatedAt: time.Now().Add(-4 * time.Minute).UnixMilli(), WaitingSince: time.Now().Add(-4 * time.Minute).UnixMilli()}}
	p.state = "gone"
	_, _, out := headerFacts(t, p)
	if !regexp.MustCompile(`<span [^>]*data-stale[^>]*>gone \(was waiting for input\)<`).MatchString(out) || strings.Contains(out, `class="waited"`) {
		t.Errorf("want the status \"gone (was waiting for input)\", marked stale, and no wait's length:\n%s", out)
	}
}

// An idle session without branch, models or timed turns shows no empty facts, and a
// session without a transcript path offers nothing to copy for it.
func TestRenderSessionHeaderSparse(t *testing.T) {
	p := pageFor()
	p.detail = &shared.SessionDetail{Session: shared.Session{ID: p.id, Source: shared.SourceOpenCode, Status: shared.StatusIdle},
		ResumeCommand: "opencode --session " + p.id}
	facts, _, out := headerFacts(t, p)
	for _, class := range []string{"branch", "models", "work"} { // work: a transcript that times no turn
		if _, ok := facts[class]; ok {
			t.Errorf("an empty %s is shown", class)
		}
	}
	if !strings.Contains(out, `>Untitled session</h1>`) || strings.Contains(out, `class="question"`) {
		t.Errorf("want the untitled title and no question:\n%s", out)
	}
	if b := regexp.MustCompile(`<button[^>]*id="copy-path"[^>]*>`).FindString(out); !regexp.MustCompile(`\sdisabled(="true")?[\s>]`).MatchString(b) {
		t.Errorf("copy-path is not disabled without a path:\n%s", out)
	}
}

// A session of a fleet's machine whose clock is 10 min behind the hub's:
// its last activity and its wait are told on the hub's clock, and a
// Clock fact says the rest (its start, its messages' times) are the
// machine's. A machine within a minute of the hub's has no such fact.
func TestRenderSessionHeaderOfAMachineWhoseClockIsOff(t *testing.T) {
	const behind = -10 * time.Minute
	p := pageFor()
	p.host = "late"
	p.detail = &shared.SessionDetail{Session: shared.Session{ID: p.id, Source: shared.SourceClaude, Host: "late<i>", Remote: true,
		Status: shared.StatusWaiting, WaitingFor: "input needed", HostClockAheadMs: int32(behind.Milliseconds()),
		WaitingSince: time.Now().Add(behind - 3*time.Minute - time.Second).UnixMilli(),
		UpdatedAt:    time.Now().Add(behind - 3*time.Minute - time.Second).UnixMilli()}}
	facts, _, out := headerFacts(t, p)
	if facts["updated"] != "3 min ago" || facts["clock"] != "late<i>'s is 10 min behind this hub's" {
		t.Errorf("last activity %q, clock %q", facts["updated"], facts["clock"])
	}
	if !strings.Contains(out, ">for 3 min</time>") {
		t.Errorf("the wait is not told on the hub's clock:\n%s", out)
	}
	p.detail.Session.HostClockAheadMs = 59_000
	if facts, _, _ := headerFacts(t, p); facts["clock"] != "" {
		t.Errorf("a clock 59 s off: clock %q", facts["clock"])
	}
}

// Until the session's detail comes, the header says what the URL names:
// the session's id, or on a subagent's page the subagent (it read as the
// session's id, as if the main transcript were shown).
func TestRenderSessionHeaderBeforeTheDetail(t *testing.T) {
	p := pageFor()
	if _, _, out := headerFacts(t, p); !strings.Contains(sortAttrs(out), `class="title" dir="auto">`+p.id+`<`) {
		t.Errorf("a session's page before its detail:\n%s", out)
	}
	p.agent = "a1b2c3"
	if _, _, out := headerFacts(t, p); !strings.Contains(sortAttrs(out), `class="title" dir="auto">Subagent a1b2c3<`) {
		t.Errorf("a subagent's page before the detail:\n%s", out)
	}
}

// What the header says once is not said twice: a session that waits for
// no more than input shows its status alone ("waiting for input", not
// beside "input needed"), one model is a Model (two releases of it too,
// their ids in the tooltip), and a session without
// 1-hour cache writes shows no "1 h 0".
func TestRenderSessionHeaderSaysThingsOnce(t *testing.T) {
	p := pageFor()
	p.detail = &shared.SessionDetail{
		Session: shared.Session{ID: p.id, Source: shared.SourceClaude, Title: "t", Status: shared.StatusWaiting,
			WaitingFor: "input needed", Tokens: shared.Tokens{Input: 10, Output: 20, CacheRead: 300, CacheWrite: 5400}},
		Models: []string{"claude-opus-4-5", "claude-opus-4-5-20251101"},
	}
	facts, _, out := headerFacts(t, p)
	if facts["models"] != "opus 4.5" || !strings.Contains(out, `title="claude-opus-4-5, claude-opus-4-5-20251101"`) {
		t.Errorf("two releases of one model: %q\n%s", facts["models"], out)
	}
	if strings.Contains(out, `class="reason"`) || !strings.Contains(out, `>waiting for input<`) {
		t.Errorf("the generic reason is shown beside the status, or the status is gone:\n%s", out)
	}
	if !strings.Contains(out, `class="fact models"><span class="label">Model<`) {
		t.Errorf("one model is labelled as several:\n%s", out)
	}
	if want := "in 10 · out 20 · cache read 300 · cache write 5.4k\u00a0(kept\u00a05\u00a0min)"; facts["tokens"] != want {
		t.Errorf("tokens %q, want %q", facts["tokens"], want)
	}
	p.detail.Tokens = shared.Tokens{Input: 1}
	if facts, _, _ := headerFacts(t, p); facts["tokens"] != "in 1 · out 0 · cache read 0 · cache write 0" {
		t.Errorf("no cache writes: tokens %q", facts["tokens"])
	}
}

// A page that cannot reach helmd says its status is the last one known:
// "working" may have ended since.
func TestRenderSessionHeaderOfflineStatus(t *testing.T) {
	p := pageFor()
	p.detail = &shared.SessionDetail{Session: shared.Session{ID: p.id, Source: shared.SourceClaude, Status: shared.StatusWorking}}
	if _, _, out := headerFacts(t, p); !regexp.MustCompile(`data-status="working"[^>]*>working<`).MatchString(out) || strings.Contains(out, "last known") {
		t.Errorf("online:\n%s", out)
	}
	for _, state := range []string{"offline", "error"} {
		p.state = state
		if _, _, out := headerFacts(t, p); !regexp.MustCompile(`<span [^>]*data-stale(="true")?( [^>]*)?>working \(last known\)<`).MatchString(out) {
			t.Errorf("%s:\n%s", state, out)
		}
	}
}

// A session's page says which Helm it is of, as the list does: the
// machine, and Demo for a simulated workspace; before its detail too.
func TestRenderSessionHeaderNamesItsHelm(t *testing.T) {
	p := newSessionPageOf(Which{Host: "gamma <b>", Demo: true}).(*SessionPage)
	p.source, p.id = "claude", "5b000000-0000-4000-8000-000000000001"
	for _, when := range []string{"before the detail", "with it"} {
		_, _, out := headerFacts(t, p)
		if !regexp.MustCompile(`<span [^>]*id="host"[^>]*>gamma &lt;b&gt;<`).MatchString(out) || !regexp.MustCompile(`<span [^>]*id="demo"[^>]*>Demo<`).MatchString(out) {
			t.Errorf("%s: the header does not name its Helm:\n%s", when, out)
		}
		p.detail = &shared.SessionDetail{Session: shared.Session{ID: p.id, Source: shared.SourceClaude, Title: "t"}}
	}
	p = pageFor()
	if _, _, out := headerFacts(t, p); strings.Contains(out, `id="host"`) || strings.Contains(out, `id="demo"`) {
		t.Errorf("a page of an unnamed Helm names one:\n%s", out)
	}
}

// A subagent's page copies the subagent's own transcript, not the
// session's; a subagent the detail does not list has nothing to copy.
func TestSubagentPageCopiesItsOwnPath(t *testing.T) {
	p := pageFor()
	p.agent = "a1"
	p.detail = &shared.SessionDetail{Session: shared.Session{ID: p.id, Source: shared.SourceClaude},
		Transcripts: []string{"/p/main.jsonl", "/p/main/subagents/agent-a1.jsonl"},
		Subagents:   []shared.Subagent{{ID: "a1", Path: "/p/main/subagents/agent-a1.jsonl"}}}
	if got := p.copyText("copy-path"); got != "/p/main/subagents/agent-a1.jsonl" {
		t.Errorf("a subagent's page copies %q", got)
	}
	p.agent = "gone"
	if got := p.copyText("copy-path"); got != "" {
		t.Errorf("an unknown subagent's page copies %q", got)
	}
	p.agent = ""
	if got := p.copyText("copy-path"); got != "/p/main.jsonl" {
		t.Errorf("the session's page copies %q", got)
	}
}

// The header says whether the page follows its session: Live on its
// stream, Polling without one, Offline while helmd does not answer; a
// page still loading, missing or gone says so in words instead.
func TestRenderSessionConn(t *testing.T) {
	for _, tc := range []struct {
		state  string
		stream bool
		want   string // "" for hidden
	}{
		{"ready", true, `data-state="live"[^>]*>Live<`},
		{"ready", false, `data-state="polling"[^>]*>Polling<`},
		{"offline", false, `data-state="offline"[^>]*>Offline<`},
		{"loading", false, ""},
		{"gone", false, ""},
	} {
		p := pageFor()
		p.state = tc.state
		if tc.stream {
			p.live = &browser.PageStream{}
		}
		out := sortAttrs(app.HTMLString(p.renderConn()))
		if tc.want == "" && !strings.Contains(out, "hidden") || tc.want != "" && !regexp.MustCompile(`<span [^>]*`+tc.want).MatchString(out) {
			t.Errorf("%s (stream %v): %s", tc.state, tc.stream, out)
		}
	}
}

// The transcript's first line offers older messages only when scrolling
// up loads them: not while helmd does not answer, nor once it no longer
// has the session.
func TestRenderOlderLineSaysWhetherOlderLoad(t *testing.T) {
	for state, want := range map[string]string{
		"ready":   "Scroll up for older messages",
		"offline": "Older messages load once helmd answers again",
		"gone":    "Older messages cannot be loaded: helmd no longer has this session",
	} {
		p := pageFor()
		p.state = state
		p.convo.Loaded, p.convo.Before = true, "c0"
		out := app.HTMLString(p.renderTranscript())
		if !regexp.MustCompile(`<p [^>]*>` + regexp.QuoteMeta(want) + `</p>`).MatchString(out) {
			t.Errorf("%s: want %q first:\n%.300s", state, want, out)
		}
	}
}

// A subagent's page names the subagent by its description and type,
// says whose subagent it is with a link to that session and that
// session's status as the parent's, shows the subagent's own figures,
// not its parent's question, message count, models or cost, and offers
// no resume command that would silently resume the parent.
func TestRenderSubagentHeader(t *testing.T) {
	p := pageFor()
	p.agent = "a9497799e6978cb67"
	started := time.Date(2026, 3, 2, 9, 15, 0, 0, time.Local)
	p.detail = &shared.SessionDetail{
		Session: shared.Session{ID: p.id, Source: shared.SourceClaude, Title: "Fix the <b>login</b> test", ProjectPath: "/home/dev/app",
			GitBranch: "main", MessageCount: 3, CostUSD: 4.5, Status: shared.StatusWaiting, Tokens: shared.Tokens{Input: 9000}},
		Models:        []string{"claude-opus-4-5-20251101"},
		ResumeCommand: "cd /home/dev/app && claude --resume " + p.id,
		Question:      "Shall I push the parent's work?",
		Subagents:     []shared.Subagent{{ID: p.agent, Path: "/p/main/subagents/agent-a9497799e6978cb67.jsonl"}},
		Agent: &shared.AgentDetail{ID: p.agent, Type: "Explore", Description: "Explore code", FirstPrompt: "Look around.",
			Path: "/p/main/subagents/agent-a9497799e6978cb67.jsonl", Models: []string{"claude-haiku-4-5-20251001"},
			Tokens: shared.Tokens{Input: 1200, Output: 300}, CostUSD: 0.25,
			CreatedAt: started.UnixMilli(), UpdatedAt: started.Add(90 * time.Second).UnixMilli()},
	}
	facts, copies, out := headerFacts(t, p)
	tags := regexp.MustCompile(`<[^>]*>`)
	// text is the text of the element with class, its runs joined by a
	// space (the printer indents them; the browser test reads the page's).
	text := func(class string) string {
		raw := regexp.MustCompile(`\s+`).ReplaceAllString(app.HTMLString(p.renderHeader()), " ")
		m := regexp.MustCompile(`<([a-z0-9]+) [^>]*class="` + class + `"[^>]*>(.*?)</(span|h1|div)>`).FindStringSubmatch(raw)
		if m == nil {
			return ""
		}
		return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(m[2], " "))), " ")
	}
	if got := text("title"); got != "Explore code" {
		t.Errorf("title %q, want the subagent's description", got)
	}
	if got := text("subagent-of"); got != "Explore subagent of Fix the <b>login</b> test" {
		t.Errorf("the header says %q of whose subagent it is", got)
	}
	link := regexp.MustCompile(`<a [^>]*id="parent-session"[^>]*>`).FindString(out)
	if want := `href="/s/claude/` + p.id + `"`; !strings.Contains(link, want) {
		t.Errorf("no link to the parent session (%s):\n%s", want, out)
	}
	if want := `<span class="parent-status" title="The parent session's status"><span class="label">the session is</span>` +
		`<span class="status" data-status="waiting">waiting for input</span></span>`; !strings.Contains(sortAttrs(out), want) {
		t.Errorf("the parent's status is not said to be the session's: want %s in\n%s", want, sortAttrs(out))
	}
	if strings.Contains(out, "Shall I push") || strings.Contains(out, `class="question"`) {
		t.Errorf("the parent's question shows on its subagent's page:\n%s", out)
	}
	for class, want := range map[string]string{"models": "haiku 4.5", "cost": "$0.25", "duration": "1 min", "project": "/home/dev/app",
		"started": "2026-03-02 09:15:00"} {
		if facts[class] != want {
			t.Errorf("%s: %q, want %q", class, facts[class], want)
		}
	}
	if _, ok := facts["messages"]; ok {
		t.Errorf("the subagent's page shows a message count, its parent's: %q", facts["messages"])
	}
	if !strings.Contains(facts["tokens"], "in 1.2k") {
		t.Errorf("tokens %q, want the subagent's own", facts["tokens"])
	}
	if copies["copy-path"] != "/p/main/subagents/agent-a9497799e6978cb67.jsonl" {
		t.Errorf("copy-path copies %q", copies["copy-path"])
	}
	resume := regexp.MustCompile(`<button[^>]*id="copy-resume"[^>]*>([^<]*)<`).FindStringSubmatch(out)
	if resume == nil || !strings.Contains(resume[1], "parent") {
		t.Errorf("the resume button does not say it resumes the parent session: %q", resume)
	}

	// From a helmd that sends no subagent facts: named by its id, and no
	// figure of the parent passed off as its own.
	p.detail.Agent = nil
	facts, _, out = headerFacts(t, p)
	if got := text("title"); got != "Subagent a9497799e6978cb67" {
		t.Errorf("title %q without the subagent's facts", got)
	}
	for _, class := range []string{"cost", "models", "messages", "tokens"} {
		if v, ok := facts[class]; ok {
			t.Errorf("without the subagent's facts, %s shows %q, the parent's", class, v)
		}
	}
}

// TestWaitDetailReadsReasonsAsTheRowDoes: the header's reason beside
// "waiting for permission" and the list row's pill (shared.WaitReason)
// read a reason alike: a permission that names no tool, however it is
// worded, adds nothing to the status, where the header used to repeat
// "permission request" whole beside it.
func TestWaitDetailReadsReasonsAsTheRowDoes(t *testing.T) {
	for _, tt := range []struct{ reason, detail, pill string }{
		{"permission: Bash", "Bash", "permission: Bash"},
		{" Permission:  mcp__github__create_issue ", "mcp__github__create_issue", "permission: mcp__github__create_issue"},
		{"permission prompt", "", "needs approval"},
		{"permission request", "", "needs approval"},
		{"Permission", "", "needs approval"},
		{"input needed", "", ""},
		{"dialog open", "dialog open", "dialog open"},
		// A question or a plan, as this helmd or an older one names it.
		{"question", "question", "question"},
		{"permission: AskUserQuestion", "question", "question"},
		{"permission: ExitPlanMode", "plan to approve", "plan to approve"},
	} {
		if got := waitDetail(tt.reason); got != tt.detail {
			t.Errorf("waitDetail(%q) = %q, want %q", tt.reason, got, tt.detail)
		}
		if got := shared.WaitReason(shared.StatusWaiting, tt.reason); got != tt.pill {
			t.Errorf("WaitReason(%q) = %q, want %q", tt.reason, got, tt.pill)
		}
	}
}

// The header's reason and its tooltip say why a session waits in the
// words of its row's pill: an older helmd's "permission: AskUserQuestion"
// (a fleet's other machine) is a question there too, never a tool to
// allow.
func TestHeaderReasonTipInTheRowsWords(t *testing.T) {
	for reason, want := range map[string]string{
		"permission: Bash":            `title="Why it waits: permission: Bash"[^>]*>Bash<`,
		"permission: AskUserQuestion": `title="Why it waits: question"[^>]*>question<`,
		"permission: ExitPlanMode":    `title="Why it waits: plan to approve"[^>]*>plan to approve<`,
		shared.ReasonQuestion:         `title="Why it waits: question"[^>]*>question<`,
	} {
		p := pageFor()
		p.detail = &shared.SessionDetail{Session: shared.Session{ID: p.id, Status: shared.StatusWaiting, WaitingFor: reason}}
		_, _, out := headerFacts(t, p)
		reasons := regexp.MustCompile(`<span [^>]*class="reason"[^>]*>[^<]*<`).FindAllString(out, -1)
		if len(reasons) != 1 || !regexp.MustCompile(want).MatchString(reasons[0]) {
			t.Errorf("%q: the header's reason is %q, want %s", reason, reasons, want)
		}
	}
}

// A session some of whose tokens have no price (a model newer than
// helmd's table) does not read as free or as costing only its priced
// part: the list's row and the session page's header say "unpriced", as
// the usage page does.
func TestRenderUnpricedIsNotFree(t *testing.T) {
	rows := []shared.Session{
		{ID: "none", Source: shared.SourceClaude, Title: "none", Status: shared.StatusIdle, UpdatedAt: ms(time.Minute), Unpriced: true},
		{ID: "some", Source: shared.SourceClaude, Title: "some", Status: shared.StatusIdle, UpdatedAt: ms(2 * time.Minute), CostUSD: 0.17, Unpriced: true},
		{ID: "all", Source: shared.SourceClaude, Title: "all", Status: shared.StatusIdle, UpdatedAt: ms(3 * time.Minute), CostUSD: 0.17},
	}
	out := render(t, NewHome(Seed{Sessions: rows, At: ms(0), Now: now}))
	costs := regexp.MustCompile(`class="cost"[^>]*>([^<]*)<`).FindAllStringSubmatch(out, -1)
	want := []string{"unpriced", "$0.17 + unpriced", "$0.17"}
	if len(costs) != len(want) {
		t.Fatalf("%d costs in the list, want %d:\n%s", len(costs), len(want), out)
	}
	for i, m := range costs {
		if m[1] != want[i] {
			t.Errorf("row %s: cost %q, want %q", rows[i].ID, m[1], want[i])
		}
	}
	for i, s := range rows {
		p := pageFor()
		s.ID = p.id
		p.detail = &shared.SessionDetail{Session: s}
		facts, _, out := headerFacts(t, p)
		if facts["cost"] != want[i] {
			t.Errorf("header of %s: cost %q, want %q", rows[i].ID, facts["cost"], want[i])
		}
		if !strings.Contains(out, ">"+html.EscapeString(want[i])+" · ") {
			t.Errorf("header of %s: brief lacks %q:\n%s", rows[i].ID, want[i], out)
		}
	}
}

// TestRenderUnpricedSubagentIsNotFree: a subagent's page shows its own
// cost; when its tokens are of a model helmd has no price for, that cost
// reads "unpriced" (or "$0.17 + unpriced"), as its session's row does,
// never "$0" (free) or a priced part alone.
func TestRenderUnpricedSubagentIsNotFree(t *testing.T) {
	for _, c := range []struct {
		usd      float64
		unpriced bool
		want     string
	}{{0, true, "unpriced"}, {0.17, true, "$0.17 + unpriced"}, {0.17, false, "$0.17"}} {
		p := pageFor()
		p.agent = "a9497799e6978cb67"
		p.detail = &shared.SessionDetail{
			Session: shared.Session{ID: p.id, Source: shared.SourceClaude, Title: "parent", Status: shared.StatusIdle, CostUSD: 4.5},
			Agent: &shared.AgentDetail{ID: p.agent, Models: []string{"claude-nova-9"}, Tokens: shared.Tokens{Input: 1200},
				CostUSD: c.usd, Unpriced: c.unpriced, UpdatedAt: ms(time.Minute)},
		}
		facts, _, out := headerFacts(t, p)
		if facts["cost"] != c.want {
			t.Errorf("subagent of $%v (unpriced %v): cost %q, want %q", c.usd, c.unpriced, facts["cost"], c.want)
		}
		if !strings.Contains(out, ">"+html.EscapeString(c.want)+" · ") {
			t.Errorf("subagent of $%v (unpriced %v): brief lacks %q:\n%s", c.usd, c.unpriced, c.want, out)
		}
	}
}

// TestQuestionTipSaysNoPermission: the pill's tooltip of a session whose
// assistant asks a question or has a plan to approve says it waits for
// an answer, never "asks to use AskUserQuestion … allow or deny it", as
// an older helmd's reason for it read.
func TestQuestionTipSaysNoPermission(t *testing.T) {
	for reason, want := range map[string]string{
		"question":                    "Waiting: the assistant is stopped until you answer (question)",
		"permission: AskUserQuestion": "Waiting: the assistant is stopped until you answer (question)",
		"permission: ExitPlanMode":    "Waiting: the assistant is stopped until you answer (plan to approve)",
	} {
		s := &shared.Session{Status: shared.StatusWaiting, WaitingFor: reason}
		if got := rowStatusTip(s); got != want {
			t.Errorf("tooltip of %q: %q, want %q", reason, got, want)
		}
	}
}

// The header's question line of a session waiting on a question's or a
// plan's dialog is what the dialog asks, and its tooltip says so: not
// "the first line of its last message", which is the call that opened it.
func TestHeaderQuestionTipOfADialog(t *testing.T) {
	for reason, want := range map[string]string{
		shared.ReasonQuestion:         "The question it asks you",
		"permission: AskUserQuestion": "The question it asks you",
		shared.ReasonPlan:             "The first line of the plan it asks you to approve",
		"input needed":                "The first line of its last message",
	} {
		p := pageFor()
		p.detail = &shared.SessionDetail{Session: shared.Session{ID: p.id, Status: shared.StatusWaiting, WaitingFor: reason}, Question: "Which port?"}
		_, _, out := headerFacts(t, p)
		got := regexp.MustCompile(`<span [^>]*class="question"[^>]*>`).FindString(out)
		if !strings.Contains(got, `title="`+want+`"`) {
			t.Errorf("%q: the header's question line is %q, want the tooltip %q", reason, got, want)
		}
	}
}
