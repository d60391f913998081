package ui

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/app/clip"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

func wait(id string, since, cleared int64) shared.Session {
	return shared.Session{ID: id, Source: shared.SourceClaude, Title: "T " + id, Status: shared.StatusWaiting,
		WaitingFor: "permission prompt", WaitingSince: since, ClearedAt: cleared, UpdatedAt: since}
}

func TestStartedWaiting(t *testing.T) {
	before := list.New([]shared.Session{
		wait("still", 100, 0),
		wait("cleared", 100, 150),
		{ID: "working", Source: shared.SourceClaude, Status: shared.StatusWorking},
		// A fleet machine's session, its machine offline: idle, its last wait kept.
		{ID: "away", Source: shared.SourceClaude, Status: shared.StatusIdle, HostOffline: true, WaitingSince: 600},
	})
	upd := func(ss ...shared.Session) shared.Event {
		return shared.Event{Type: shared.EventSessionUpdated, Sessions: ss}
	}
	tests := []struct {
		name string
		ev   shared.Event
		want string
	}{
		{"working → waiting", upd(wait("working", 200, 0)), "[claude:working]"},
		{"still waiting, same wait", upd(wait("still", 100, 0)), "[]"},
		{"a new wait of a waiting session", upd(func() shared.Session { s := wait("still", 300, 0); s.MessageCount++; return s }()), "[claude:still]"},
		// Claude Code's hooks and helmd's restarts tell of one wait again,
		// dated later: no message came, the same kind of reason.
		{"the same wait told again later", upd(func() shared.Session { s := wait("still", 300, 0); s.WaitingFor = "permission: Bash"; return s }()), "[]"},
		{"asked for input after a permission prompt", upd(func() shared.Session { s := wait("still", 300, 0); s.WaitingFor = "input needed"; return s }()), "[claude:still]"},
		{"cleared, still cleared", upd(wait("cleared", 100, 150)), "[]"},
		{"cleared, then a new wait resets the clear", upd(wait("cleared", 400, 0)), "[claude:cleared]"},
		{"waiting but cleared at once", upd(wait("working", 200, 250)), "[]"},
		{"a new session that waits", shared.Event{Type: shared.EventSessionCreated, Sessions: []shared.Session{wait("fresh", 500, 0)}}, "[claude:fresh]"},
		{"deleted is not news", shared.Event{Type: shared.EventSessionDeleted, Sessions: []shared.Session{wait("working", 200, 0)}}, "[]"},
		{"keepalive", shared.Event{Type: shared.EventKeepalive}, "[]"},
		{"a machine back from offline with the same wait", upd(wait("away", 600, 0)), "[]"},
		{"a machine back from offline with a new wait", upd(wait("away", 700, 0)), "[claude:away]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var keys []string
			for _, s := range startedWaiting(tc.ev, before.Get) {
				keys = append(keys, s.Key())
			}
			if got := fmt.Sprint(keys); got != tc.want {
				t.Errorf("started %s, want %s", got, tc.want)
			}
		})
	}
}

func TestNotificationText(t *testing.T) {
	tests := []struct {
		name        string
		s           shared.Session
		title, body string
	}{
		{"reason and question", shared.Session{Title: "Fix login", WaitingFor: "permission: Bash", Question: "\n  May I run the tests?  \nThen deploy."},
			"Fix login", "permission: Bash: May I run the tests?"},
		{"no question", shared.Session{Title: "Fix login", WaitingFor: "input needed"}, "Fix login", "input needed"},
		{"nothing said", shared.Session{}, "Untitled session", "input needed"},
		{"a title of zero-width spaces is none", shared.Session{Title: "\u200b\ufeff "}, "Untitled session", "input needed"},
		{"the registry's words", shared.Session{Title: "t", WaitingFor: "permission prompt"}, "t", "needs approval"},
		{"bidi and control characters shown, not obeyed", shared.Session{Title: "evil\u202etxt.exe\x1b[2J", WaitingFor: "input needed", Question: "ok\u2066?"},
			"evil[U+202E]txt.exe␛[2J", "input needed: ok[U+2066]?"},
		{"markup stays text", shared.Session{Title: "<b>x</b>", WaitingFor: "<i>y</i>", Question: "<img src=x onerror=alert(1)>"},
			"<b>x</b>", "<i>y</i>: <img src=x onerror=alert(1)>"},
		{"a long question is cut", shared.Session{Title: "t", WaitingFor: "r", Question: strings.Repeat("é", 300)},
			"t", "r: " + strings.Repeat("é", clip.MaxLine) + "…"},
		// A hub's notification of another machine's wait says where to
		// go and answer it; of its own, as a single machine's page does.
		{"another machine's session names it", shared.Session{Title: "gamma notify me", WaitingFor: "input needed", Question: "Ship it?",
			Host: "gamma", Remote: true}, "gamma notify me", "gamma · input needed: Ship it?"},
		{"a hostile machine name is text, its controls shown", shared.Session{Title: "t", WaitingFor: "permission prompt",
			Host: "<img src=x>‮", Remote: true}, "t", "<img src=x>[U+202E] · needs approval"},
		{"the hub's own session names no machine", shared.Session{Title: "t", Host: "hub"}, "t", "input needed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			title, body := notification(&tc.s)
			if title != tc.title || body != tc.body {
				t.Errorf("notification = %q, %q; want %q, %q", title, body, tc.title, tc.body)
			}
		})
	}
}

func TestWaitedText(t *testing.T) {
	tests := []struct {
		since, updated int64
		want           string
	}{
		{ms(10 * time.Second), 0, "waiting <1 min"},
		{ms(-10 * time.Second), 0, "waiting <1 min"}, // a clock slightly ahead
		// Whole units elapsed, never rounded up (elapsedText).
		{ms(59 * time.Second), 0, "waiting <1 min"},
		{ms(60 * time.Second), 0, "waiting 1 min"},
		{ms(119 * time.Second), 0, "waiting 1 min"},
		{ms(120 * time.Second), 0, "waiting 2 min"},
		{ms(12*time.Minute + 20*time.Second), 0, "waiting 12 min"},
		{ms(59*time.Minute + 59*time.Second), 0, "waiting 59 min"},
		{ms(time.Hour), 0, "waiting 1 h"},
		{ms(time.Hour + 59*time.Second), 0, "waiting 1 h"},
		{ms(time.Hour + 60*time.Second), 0, "waiting 1 h 1 min"},
		{ms(3*time.Hour + 5*time.Minute), 0, "waiting 3 h 5 min"},
		{ms(3*time.Hour + 5*time.Minute + 59*time.Second), 0, "waiting 3 h 5 min"},
		{ms(9*time.Hour + 59*time.Minute + 59*time.Second), 0, "waiting 9 h 59 min"},
		{ms(10 * time.Hour), 0, "waiting 10 h"},
		{ms(11*time.Hour + 40*time.Minute), 0, "waiting 11 h"},
		{ms(47*time.Hour + 59*time.Minute), 0, "waiting 47 h"},
		{ms(48 * time.Hour), 0, "waiting 2 days"},
		{ms(72 * time.Hour), 0, "waiting 3 days"},
		{0, ms(5 * time.Minute), "waiting 5 min"}, // an older server: since the last activity
		{0, 0, "waiting"},
	}
	for _, tc := range tests {
		s := shared.Session{WaitingSince: tc.since, UpdatedAt: tc.updated}
		if got := waitedText(now, &s); got != tc.want {
			t.Errorf("waitedText(%d, %d) = %q, want %q", tc.since, tc.updated, got, tc.want)
		}
	}
}

func TestPathsEscapeTheID(t *testing.T) {
	s := shared.Session{ID: "../../x?y#z", Source: "claude"}
	if got, want := clearPath(&s), "/api/sessions/claude/..%2F..%2Fx%3Fy%23z/clear"; got != want {
		t.Errorf("clearPath = %s, want %s", got, want)
	}
	if got, want := sessionPath(&s), "/s/claude/..%2F..%2Fx%3Fy%23z"; got != want {
		t.Errorf("sessionPath = %s, want %s", got, want)
	}
	// A remote session's clear names its machine, and the wait it clears.
	s = shared.Session{ID: "s1", Source: "claude", Remote: true, Host: "box&x=1", WaitingSince: 1700000000123}
	if got, want := clearPath(&s), "/api/sessions/claude/s1/clear?host=box%26x%3D1&waitingSince=1700000000123"; got != want {
		t.Errorf("clearPath = %s, want %s", got, want)
	}
}

// TestRenderNeedsYou: the group shows the waiting, uncleared sessions,
// what stops an agent before a finished turn whatever the list's sort,
// with reason, question and wait, as text.
func TestRenderNeedsYou(t *testing.T) {
	hostile := wait("evil", ms(40*time.Minute), 0)
	hostile.Title = "<img src=x onerror=alert(1)>\u202egnp.exe"
	hostile.GitBranch = "fix\u2067\x1b]0;pwned\x07"
	hostile.ProjectName = "web\u202dapp"
	hostile.WaitingFor = `<b>permission</b>`
	hostile.Question = "<script>alert(2)</script>\nsecond line"
	recent := wait("recent", ms(2*time.Minute), 0)
	recent.WaitingFor = "input needed"
	asks := wait("asks", ms(time.Minute), 0)
	asks.WaitingFor = "permission prompt" // Claude Code's registry's words
	sessions := []shared.Session{
		recent,
		asks,
		hostile,
		wait("cleared", ms(time.Hour), ms(30*time.Minute)),
		{ID: "idle", Source: shared.SourceClaude, Status: shared.StatusIdle, UpdatedAt: ms(time.Minute)},
	}
	h := NewHome(Seed{Sessions: sessions, At: ms(0), Now: now})
	h.query = list.QueryFromURL("sort=cost") // the group keeps its own order
	out := render(t, h)
	group := sortAttrs(between(out, `id="needs-you"`, "</section>"))
	var rows []string
	for _, m := range regexp.MustCompile(`data-session="([^"]*)"`).FindAllStringSubmatch(group, -1) {
		if len(rows) == 0 || rows[len(rows)-1] != m[1] {
			rows = append(rows, m[1])
		}
	}
	if got, want := fmt.Sprint(rows), "[claude:asks claude:evil claude:recent]"; got != want {
		t.Errorf("group rows %s, want %s", got, want)
	}
	for _, want := range []string{
		"Needs you (3)",
		// What a session waits for, in its row's words.
		`class="reason" title="Waiting for permission: the assistant asks to use a tool and is stopped until you allow or deny it">needs approval<`,
		`>input needed<`,
		"&lt;img src=x onerror=alert(1)&gt;[U+202E]gnp.exe",
		"web[U+202D]app",
		"&lt;b&gt;permission&lt;/b&gt;",
		"&lt;script&gt;alert(2)&lt;/script&gt;",
		"waiting 40 min",
		"waiting 2 min",
		`href="/s/claude/evil"`,
	} {
		if !strings.Contains(group, want) {
			t.Errorf("group lacks %s:\n%s", want, group)
		}
	}
	// The list's row shows them as the group does, and the branch too:
	// a bidi control shown, never obeyed; a terminal's escape as its
	// picture.
	row := sortAttrs(between(out, `data-key="claude:evil"`, "</li>"))
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;[U+202E]gnp.exe", "web[U+202D]app", "fix[U+2067]␛]0;pwned␇"} {
		if !strings.Contains(row, want) {
			t.Errorf("the list's row lacks %s:\n%s", want, row)
		}
	}
	if strings.ContainsAny(out, "\u202e\u202d\u2067\x1b") {
		t.Errorf("a bidi or control character reached the page raw")
	}
	if strings.Contains(out, "<script>") || strings.Contains(out, "<img src=x") || strings.Contains(group, "second line") {
		t.Errorf("markup or a second question line reached the page:\n%s", group)
	}
}

// needsRows are the sessions of the rendered "Needs you" group, in order.
func needsRows(out string) []string {
	group := sortAttrs(between(out, `id="needs-you"`, "</section>"))
	var rows []string
	for _, m := range regexp.MustCompile(`data-session="([^"]*)"`).FindAllStringSubmatch(group, -1) {
		if len(rows) == 0 || rows[len(rows)-1] != m[1] {
			rows = append(rows, m[1])
		}
	}
	return rows
}

// TestRenderNeedsYouInAView: a search or filter narrows the group as it
// narrows the list, and the group says how many wait outside the view,
// with a button to show them; when none of the waiting sessions is in
// the view, that line is all it shows, so a waiting session is never
// out of sight, and never above "No session matches this view" as if it
// matched.
func TestRenderNeedsYouInAView(t *testing.T) {
	refunds, login := wait("refunds", ms(40*time.Minute), 0), wait("login", ms(5*time.Minute), 0)
	refunds.Title, login.Title = "Add the refunds endpoint", "Fix the login test"
	third := wait("docs", ms(time.Hour), 0)
	third.Title = "Write the refunds docs"
	for _, tc := range []struct {
		query, rows, heading, outside string
	}{
		{"", "[claude:login claude:refunds claude:docs]", "Needs you (3)", ""},
		{"q=endpoint+REFUNDS", "[claude:refunds]", "Needs you (1)", "2 more wait for you outside this view."},
		{"q=refunds&sort=created", "[claude:refunds claude:docs]", "Needs you (2)", "1 more waits for you outside this view."},
		{"status=working", "[]", "", "3 sessions wait for you outside this view."},
		{"q=zzzqqq", "[]", "", "3 sessions wait for you outside this view."},
	} {
		h := NewHome(Seed{Sessions: []shared.Session{refunds, login, third}, At: ms(0), Now: now})
		h.query = list.QueryFromURL(tc.query)
		out := render(t, h)
		group := sortAttrs(between(out, `id="needs-you"`, "</section>"))
		if got := fmt.Sprint(needsRows(out)); got != tc.rows {
			t.Errorf("%q: rows %s, want %s", tc.query, got, tc.rows)
		}
		if heading := regexp.MustCompile(`<h2>([^<]*)</h2>`).FindStringSubmatch(group); (heading == nil) != (tc.heading == "") ||
			heading != nil && heading[1] != tc.heading {
			t.Errorf("%q: heading %q, want %q", tc.query, heading, tc.heading)
		}
		line := regexp.MustCompile(`id="needs-outside"[^>]*>([^<]*)<button[^>]*id="needs-show"`).FindStringSubmatch(group)
		switch {
		case tc.outside == "" && line != nil:
			t.Errorf("%q: an outside line %q with every waiting session in view", tc.query, line[1])
		case tc.outside != "" && (line == nil || strings.TrimSpace(line[1]) != tc.outside):
			t.Errorf("%q: outside line %q, want %q and a button:\n%s", tc.query, line, tc.outside, group)
		}
	}
}

func TestRenderNoNeedsYouGroupWhenNoneWaits(t *testing.T) {
	out := render(t, NewHome(Seed{Sessions: []shared.Session{wait("c", ms(time.Hour), ms(time.Minute))}, At: ms(0), Now: now}))
	if strings.Contains(out, "Needs you (") || strings.Contains(out, "data-session=") {
		t.Errorf("a cleared session is in the group:\n%s", out)
	}
}

func TestMuteToggles(t *testing.T) {
	var s attnSettings
	s.toggleMute("/b")
	s.toggleMute("/a")
	if !s.muted("/a") || !s.muted("/b") || fmt.Sprint(s.Muted) != "[/a /b]" {
		t.Fatalf("muted = %v", s.Muted)
	}
	s.toggleMute("/a")
	if s.muted("/a") || !s.muted("/b") {
		t.Fatalf("after unmute: %v", s.Muted)
	}
}

// TestRenderNeedsYouKeepsItsHeight: past three waiting sessions the
// group shows the first three (the newest waits) and how many more wait, with a
// button for all of them, so that it neither fills the first screen nor
// moves the list at each wait that comes or goes; asked for all, it
// shows them, with a way back.
func TestRenderNeedsYouKeepsItsHeight(t *testing.T) {
	var sessions []shared.Session
	for i := range 5 {
		sessions = append(sessions, wait(fmt.Sprintf("w%d", i), ms(time.Duration(i+1)*time.Minute), 0))
	}
	h := NewHome(Seed{Sessions: sessions, At: ms(0), Now: now})
	out := render(t, h)
	group := sortAttrs(between(out, `id="needs-you"`, "</section>"))
	if got, want := fmt.Sprint(needsRows(out)), "[claude:w0 claude:w1 claude:w2]"; got != want {
		t.Errorf("rows %s, want the three newest waits %s", got, want)
	}
	if !regexp.MustCompile(`<h2>Needs you \(5\)</h2>`).MatchString(group) ||
		!regexp.MustCompile(`id="needs-more"[^>]*>\s*2 more wait\s*<button[^>]*id="needs-all"[^>]*>Show all</button>`).MatchString(group) {
		t.Errorf("the group does not say 5 wait, 2 more, with Show all:\n%s", group)
	}

	h = NewHome(Seed{Sessions: sessions, At: ms(0), Now: now})
	h.attn.settings.AllNeeds = true
	out = render(t, h)
	group = between(out, `id="needs-you"`, "</section>")
	if got, want := fmt.Sprint(needsRows(out)), "[claude:w0 claude:w1 claude:w2 claude:w3 claude:w4]"; got != want {
		t.Errorf("asked for all: rows %s, want %s", got, want)
	}
	if strings.Contains(group, `id="needs-more"`) || !strings.Contains(group, `id="needs-few"`) {
		t.Errorf("asked for all: no way back to the first three, or still a more line:\n%s", group)
	}

	// Three or fewer: all of them, and neither button.
	h = NewHome(Seed{Sessions: sessions[:3], At: ms(0), Now: now})
	h.attn.settings.AllNeeds = true
	group = between(render(t, h), `id="needs-you"`, "</section>")
	if strings.Contains(group, `id="needs-all"`) || strings.Contains(group, `id="needs-few"`) {
		t.Errorf("three waiting sessions offer a button:\n%s", group)
	}
}

// A cleared session still has the status waiting, but no longer waits
// for the user: the header badge and the document title count what
// "Needs you" counts, so the three agree after a clear.
func TestWaitingCountsLeaveClearedOut(t *testing.T) {
	sessions := []shared.Session{
		wait("a", ms(3*time.Minute), 0),
		wait("b", ms(2*time.Minute), 0),
		wait("cleared", ms(time.Minute), ms(30*time.Second)),
	}
	h := NewHome(Seed{Sessions: sessions, At: ms(0), Now: now})
	out := render(t, h)
	badge := regexp.MustCompile(`id="waiting"[^>]*>([^<]*)<`).FindStringSubmatch(sortAttrs(out))
	heading := regexp.MustCompile(`<h2>(Needs you \(\d+\))</h2>`).FindStringSubmatch(out)
	if badge == nil || badge[1] != "2 waiting" || heading == nil || heading[1] != "Needs you (2)" {
		t.Errorf("badge %q and heading %q, want 2 waiting and Needs you (2)", badge, heading)
	}
	// The title is set in the browser (syncTitle; TestNeedsYouOrderBrowser
	// reads it after a clear).
}

// TestNeedsYouSaysOfflineStatusesAreLastKnown: Offline, the list's rows
// say "(last known)", but the "Needs you" group's reasons read as live,
// and on a phone, where a finished turn's row hides its pill, its badge
// ("waiting 3 min") said nothing of it. Offline, each reason says it as
// the rows do, the row's time carries it for the phone's badge, and back
// Live neither does; what a transcript wrote stays text.
func TestNeedsYouSaysOfflineStatusesAreLastKnown(t *testing.T) {
	asks := wait("asks", ms(time.Minute), 0)
	asks.WaitingFor = "permission: <i>Bash</i>" // blocked: its pill stays on a phone
	done := wait("done", ms(2*time.Minute), 0)
	done.WaitingFor = "input needed" // a finished turn: its badge stands for its pill
	reasonRE := regexp.MustCompile(`<span[^>]*class="reason"[^>]*>([^<]*)</span>`)
	draw := func(s feed.State) (reasons []string, doneTime, out string) {
		t.Helper()
		h := NewHome(Seed{Sessions: []shared.Session{asks, done}, At: ms(0), Now: now}) // a page is drawn once
		h.conn.State = s
		out = render(t, h)
		for _, m := range reasonRE.FindAllStringSubmatch(between(out, `id="needs-you"`, "</section>"), -1) {
			reasons = append(reasons, html.UnescapeString(m[1]))
		}
		_, inner, _ := strings.Cut(between(between(out, `data-key="claude:done"`, "</li>"), `class="time"`, "</time>"), ">")
		doneTime = strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(inner, " "))), " ")
		return reasons, doneTime, out
	}
	reasons, tm, _ := draw(feed.Live)
	if want := []string{"permission: <i>Bash</i>", "input needed"}; !slices.Equal(reasons, want) || tm != "waiting 2 min" {
		t.Errorf("live: reasons %q, want %q; the row's time %q", reasons, want, tm)
	}
	reasons, tm, out := draw(feed.Offline)
	if want := []string{"permission: <i>Bash</i> (last known)", "input needed (last known)"}; !slices.Equal(reasons, want) {
		t.Errorf("offline: reasons %q, want %q", reasons, want)
	}
	if tm != "waiting 2 min (last known)" {
		t.Errorf("offline: the waiting row's time (a phone's badge) reads %q, without \"(last known)\"", tm)
	}
	group := sortAttrs(between(out, `id="needs-you"`, "</section>"))
	if !regexp.MustCompile(`class="reason" data-stale[ =>]`).MatchString(group) || !strings.Contains(group, "cannot reach helmd") {
		t.Errorf("an offline reason is neither marked stale nor says why:\n%s", group)
	}
	if strings.Contains(out, "<i>") {
		t.Errorf("a transcript's text became markup:\n%s", group)
	}
	if reasons, tm, _ = draw(feed.Live); slices.ContainsFunc(reasons, func(r string) bool { return strings.Contains(r, "last known") }) ||
		tm != "waiting 2 min" {
		t.Errorf("back live: reasons %q, the row's time %q", reasons, tm)
	}
}
