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
