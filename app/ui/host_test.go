package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/shared"
)

var anyRowRE = regexp.MustCompile(`(?s)<li[^>]*class="session[^"]*"[^>]*>`)

func TestHostColumnOnlyWithSeveralMachines(t *testing.T) {
	local := sample()
	for i := range local {
		local[i].Host = "laptop" // --publish stamps this machine's sessions
	}
	for _, tc := range []struct {
		name     string
		sessions []shared.Session
		many     bool
	}{
		{"no fleet", sample(), false},
		{"one machine publishing", local, false},
		{"a hub", append(local,
			shared.Session{ID: "r1", Source: shared.SourceClaude, Host: `box"><script>x</script>`, Remote: true, UpdatedAt: ms(time.Hour)},
			shared.Session{ID: "r2", Source: shared.SourceClaude, Host: "gone", Remote: true, HostOffline: true, UpdatedAt: ms(2 * time.Hour)},
		), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := render(t, NewHome(Seed{Sessions: tc.sessions, At: ms(0), Now: now}))
			rows := anyRowRE.FindAllString(out, -1)
			if len(rows) != len(tc.sessions) {
				t.Fatalf("%d rows for %d sessions", len(rows), len(tc.sessions))
			}
			hasSelect := strings.Contains(out, `id="machine"`)
			hasColumn := strings.Contains(out, "data-host=")
			if hasSelect != tc.many || hasColumn != tc.many {
				t.Fatalf("host filter %v, host column %v; want both %v", hasSelect, hasColumn, tc.many)
			}
			if !tc.many {
				return
			}
			if strings.Contains(out, "<script>x") {
				t.Fatal("a host name reached the page as markup")
			}
			for _, want := range []string{`data-host="laptop"`, `data-host="box&quot;&gt;&lt;script&gt;x&lt;/script&gt;"`, ">gone (1) · offline<"} {
				if !strings.Contains(out, want) {
					t.Errorf("lacks %s", want)
				}
			}
			offline := 0
			for _, r := range rows {
				if strings.Contains(r, "offline") {
					offline++
					if !strings.Contains(r, `data-host="gone"`) {
						t.Errorf("row greyed that is not the offline machine's: %s", r)
					}
				}
			}
			if offline != 1 {
				t.Errorf("%d greyed rows, want 1", offline)
			}
		})
	}
}

func TestRemoteSessionPathNamesItsHost(t *testing.T) {
	s := shared.Session{ID: "abc", Source: shared.SourceClaude, Host: "a b&c", Remote: true}
	if got := sessionPath(&s); got != "/s/claude/abc?host=a+b%26c" {
		t.Fatalf("sessionPath = %s", got)
	}
	s.Remote = false
	if got := sessionPath(&s); got != "/s/claude/abc" {
		t.Fatalf("this machine's session: sessionPath = %s", got)
	}
	p := &SessionPage{source: "claude", id: "abc", host: "a b&c"}
	if got := p.api("/messages", nil); got != "/api/sessions/claude/abc/messages?host=a+b%26c" {
		t.Fatalf("api = %s", got)
	}
}

// A remote session's subagent lives on the session's machine: its link
// keeps the host, and its page's way back is that session's page there.
func TestRemoteSubagentKeepsItsHost(t *testing.T) {
	p := pageFor("c1#0")
	p.host = "box 1"
	m := toolMsg(&shared.Tool{Name: "Task", AgentID: "a1", Result: &shared.ToolResult{Text: "done"}})
	html := app.HTMLString(p.renderMessage(0, &m))
	if want := `href="/s/claude/5b000000-0000-4000-8000-000000000001?agent=a1&host=box+1"`; !strings.Contains(html, want) {
		t.Errorf("subagent link: want %s in\n%s", want, html)
	}
	p.agent = "a1"
	p.detail = &shared.SessionDetail{}
	html = app.HTMLString(p.renderHeader())
	if want := `href="/s/claude/5b000000-0000-4000-8000-000000000001?host=box+1"`; !strings.Contains(html, want) || !strings.Contains(html, "← Session<") {
		t.Errorf("a subagent page's way back: want %s, \"← Session\" in\n%s", want, html)
	}
}

// A hub shows how long ago on its own clock: a machine whose clock is
// 10 min behind wrote a change of 30 s ago 10 min 30 s "ago" by its
// stamp, and a wait of 3 min as 13. Its filter and its rows say the
// clock is off, in text (a hostile name stays text).
func TestAMachinesClockOffIsTakenOffItsTimes(t *testing.T) {
	const behind, ahead = -10 * time.Minute, 2*time.Hour + 5*time.Minute
	late := `late"><b>x</b>`
	sessions := []shared.Session{
		{ID: "here", Source: shared.SourceClaude, Host: "hub", UpdatedAt: ms(time.Minute)},
		{ID: "l1", Source: shared.SourceClaude, Host: late, Remote: true, Status: shared.StatusIdle,
			UpdatedAt: ms(30*time.Second - behind), HostClockAheadMs: int32(behind.Milliseconds())},
		{ID: "l2", Source: shared.SourceClaude, Host: late, Remote: true, Status: shared.StatusWaiting,
			WaitingSince: ms(3*time.Minute - behind), UpdatedAt: ms(3*time.Minute - behind), HostClockAheadMs: int32(behind.Milliseconds())},
		{ID: "e1", Source: shared.SourceClaude, Host: "early", Remote: true, Status: shared.StatusIdle,
			UpdatedAt: ms(5*time.Minute - ahead), HostClockAheadMs: int32(ahead.Milliseconds())},
	}
	out := render(t, NewHome(Seed{Sessions: sessions, At: ms(0), Now: now}))
	rowOf := func(id string) string {
		for _, r := range regexp.MustCompile(`(?s)<li[^>]*class="session.*?</li>`).FindAllString(out, -1) {
			if strings.Contains(r, `:`+id+`@`) || strings.Contains(r, `claude:`+id+`"`) {
				return r
			}
		}
		t.Fatalf("no row of %s in %s", id, out)
		return ""
	}
	for id, want := range map[string]string{"here": ">1 min ago<", "l1": ">just now<", "l2": ">waiting 3 min<", "e1": ">5 min ago<"} {
		if r := rowOf(id); !strings.Contains(r, want) {
			t.Errorf("row %s lacks %s: %s", id, want, r)
		}
	}
	if r := rowOf("here"); strings.Contains(r, "clock") {
		t.Errorf("a row of the hub's own machine speaks of a clock: %s", r)
	}
	for id, want := range map[string]string{
		"l1": `title="late&quot;&gt;&lt;b&gt;x&lt;/b&gt;&#39;s clock is 10 min behind this hub&#39;s`,
		"e1": `title="early&#39;s clock is 2 h 5 min ahead of this hub&#39;s`,
	} {
		if r := rowOf(id); !strings.Contains(r, want) || !strings.Contains(r, `data-clock="off"`) {
			t.Errorf("row %s does not say its machine's clock is off (%s): %s", id, want, r)
		}
	}
	for _, want := range []string{"early (1) · clock 2 h 5 min ahead<", "&lt;b&gt;x&lt;/b&gt; (2) · clock 10 min behind<"} {
		if !strings.Contains(out, want) {
			t.Errorf("the machine filter lacks %q", want)
		}
	}
	if strings.Contains(out, "<b>x") {
		t.Fatal("a host name reached the page as markup")
	}
}
