package ui

import (
	"strings"
	"testing"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/shared"
)

// remotePage is the page of a session on the machine host, read through
// the hub alpha.
func remotePage(host string) *SessionPage {
	p := pageFor()
	p.host, p.which = host, Which{Host: "alpha"}
	p.detail = &shared.SessionDetail{Session: shared.Session{ID: p.id, Source: shared.SourceClaude, Status: shared.StatusWaiting},
		ResumeCommand: "cd /home/u/proj && claude --resume " + p.id,
		Transcripts:   []string{"/home/u/.claude/projects/-home-u-proj/" + p.id + ".jsonl"}}
	return p
}

// A remote session's header names its machine before the hub's
// ("beta via alpha"), as text; the hub keeps its own mark (#host, which
// the list reads back), and the resume command and transcript path say
// they are the machine's. A session of the hub itself shows neither.
func TestRemoteSessionHeaderNamesItsMachine(t *testing.T) {
	const hostile = `beta<img src=x onerror=alert(1)>`
	p := remotePage(hostile)
	page := renderUI(t, p.renderHeader())
	on, host := page.byID("on-host"), page.byID("host")
	if on == nil || host == nil {
		t.Fatalf("the header has no machine mark (on-host %v, host %v)", on, host)
	}
	var words []string
	for _, k := range append(on.kids, host) {
		words = append(words, k.content())
	}
	if got := strings.Join(words, " "); got != hostile+" via alpha" {
		t.Errorf("the header says %q, want %q", got, hostile+" via alpha")
	}
	if page.hasTag("img") {
		t.Error("the machine's name became markup")
	}
	_, copies, out := headerFacts(t, p)
	if strings.Index(out, `id="on-host"`) > strings.Index(out, `id="host"`) {
		t.Error("the session's machine comes after the hub's name")
	}
	for id, want := range map[string]string{
		"copy-resume": "On " + hostile + ": " + p.detail.ResumeCommand,
		"copy-path":   "On " + hostile + ": " + p.detail.Transcripts[0],
		"copy-id":     p.id, // an id is the same everywhere
	} {
		if copies[id] != want {
			t.Errorf("%s's tooltip %q, want %q", id, copies[id], want)
		}
	}

	for _, host := range []string{"", "alpha"} {
		p := remotePage(host)
		page := renderUI(t, p.renderHeader())
		if page.byID("on-host") != nil {
			t.Errorf("host %q: a session of the hub names a machine besides it", host)
		}
		if _, copies, _ := headerFacts(t, p); copies["copy-resume"] != p.detail.ResumeCommand {
			t.Errorf("host %q: the resume command's tooltip %q", host, copies["copy-resume"])
		}
	}
}

// The hub answers 502 for a machine that does not answer, and says so in
// its body: the page shows those words, said of the machine, and its
// connection mark says the machine is offline, not that helmd is; the
// status is the last known. Another failure (the hub itself gone) still
// says helmd does not answer.
func TestRemoteMachineNotAnswering(t *testing.T) {
	const why = `machine "beta" is not answering: its helmd is stopped or does not --publish`
	down := &browser.HTTPError{Status: 502, Instance: "hub1", Message: why}
	if got := failed("Could not load the messages", down); got != `Could not load the messages. Machine "beta" is not answering: its helmd is stopped or does not --publish.` ||
		strings.Contains(got, "server had a problem") {
		t.Errorf("failed says %q", got)
	}

	p := remotePage("beta")
	notice := p.setHostDown(down)
	if notice == "" {
		t.Fatal("the hub's 502 naming the machine is not read as the machine being down")
	}
	p.state, p.errText = "offline", notice
	out := renderUI(t, p.Render())
	shown, conn := out.byID("session-error"), out.byID("conn")
	const wantNotice = `Machine "beta" is not answering: its helmd is stopped or does not --publish. alpha answers: this page shows what the machine last sent, and tries again every 2 s.`
	if shown == nil || shown.content() != wantNotice {
		t.Errorf("the notice is %v, want %q", shown, wantNotice)
	}
	if conn == nil || conn.content() != "Machine offline" || !strings.Contains(conn.attrs["title"], "beta does not answer alpha") {
		t.Errorf("the connection mark is %v, want Machine offline, naming beta and alpha", conn)
	}
	if st := out.all("status"); len(st) == 0 || !strings.Contains(st[0].content(), "(last known)") {
		t.Errorf("the status is not said as the last known: %v", st)
	}

	for _, err := range []error{
		&browser.JSError{Name: "TypeError", Message: "Failed to fetch"}, // the hub itself does not answer
		&browser.HTTPError{Status: 502},                                 // a proxy's 502: no words of helmd
	} {
		if p.setHostDown(err) != "" || p.hostDown != "" {
			t.Errorf("%v is read as the machine being down", err)
		}
	}
	if p := pageFor(); p.setHostDown(down) != "" {
		t.Error("a session of this machine reads a 502 as another machine being down")
	}
}
