package ui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/clip"
	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/shared"
)

// The session page's header: its title and status, the facts behind
// "Details" (a subagent's own), the copy buttons. The transcript and the
// find box are session_render.go's.

func (p *SessionPage) renderHeader() app.UI {
	back := el.A().ID("back").Class("back").Attr("href", "/").Title("Back to the list (Esc)").Text("← Sessions").OnClick(p.onBack)
	if p.agent != "" {
		back = el.A().ID("back").Class("back").Attr("href", shared.PagePath(p.source, p.id, "", p.host)).
			Title("Back to the session (Esc)").Text("← Session").OnClick(p.onBack)
	}
	// The back link and which Helm this is, on one line.
	// Find has a button too: a phone has no "/" key to press.
	find := el.Button().ID("find-open").Class("find-open").Title("Find in the transcript ( / )").
		OnClick(p.onFindButton).Body(app.Text("Find"), el.Span().Class("key-hint").Text(" ( / )"))
	help := el.Button().ID("help-button").Title("Keyboard shortcuts ( ? )").Aria("label", "Keyboard shortcuts").
		Text("?").OnClick(p.onHelpButton)
	top := el.Div().Class("top-line").Body(back, p.renderOnHost(), renderWhich(p.which), p.renderConn(), find, help)
	d := p.detail
	if d == nil { // until the detail comes: what the URL says
		placeholder := p.id
		if p.agent != "" {
			placeholder = "Subagent " + p.agent
		}
		return el.Header().ID("session-header").Class("session-header").Body(top,
			el.H1().Class("title").Dir("auto").Text(md.Clean(placeholder)))
	}
	if p.agent != "" {
		return p.renderAgentHeader(top, d)
	}
	s := &d.Session
	title := titleOf(s.Title)
	return el.Header().ID("session-header").Class("session-header").Body(
		top,
		// Whole when Details is open: a phone cuts it to two lines.
		el.H1().Class("title").Title("%s", attr(md.Clean(title))).DataSet("whole", strconv.FormatBool(p.details)).Dir("auto").Text(md.Clean(title)),
		el.Div().Class("status-line").Body(
			p.renderStatus(s),
			app.If(s.Status == shared.StatusWaiting && waitDetail(s.WaitingFor) != "", func() app.UI {
				return el.Span().Class("reason").Title("%s", "Why it waits: "+attr(md.Clean(shared.WaitLabel(s.WaitingFor)))).Text(md.Clean(waitDetail(s.WaitingFor)))
			}),
			// How long, as the list's badge says it ("waiting for input
			// for 12 min"): the header's Last activity is the
			// transcript's, not the wait's.
			app.If(s.Status == shared.StatusWaiting && list.WaitStart(s) > 0 && !p.statusStale(), func() app.UI {
				since := list.WaitStart(s)
				return el.Time().Class("waited").Attr("datetime", isoTime(since)).Title("%s", "Waiting since "+absTime(since)).
					Text("for " + strings.TrimPrefix(waitedText(time.Now(), s), "waiting "))
			}),
			app.If(d.Question != "", func() app.UI {
				return el.Span().Class("question").Title("%s", questionTip(s)).Dir("auto").Text(md.Clean(d.Question))
			}),
			// A phone's summary of the facts below, which it hides.
			el.Span().Class("brief").Text(shared.CostOrUnpricedText(s.CostUSD, s.Unpriced)+" · "+relTime(time.Now(), s.OnHubClock(s.UpdatedAt))),
			p.renderDetailsToggle(),
		),
		p.renderDetails(renderFacts(d)),
	)
}

// renderDetailsToggle is the header's Details button, which opens the
// facts below it (a phone hides them).
func (p *SessionPage) renderDetailsToggle() app.UI {
	toggle := "Details"
	if p.details {
		toggle = "Hide details"
	}
	return el.Button().ID("details-toggle").Class("details-toggle").Aria("expanded", strconv.FormatBool(p.details)).
		Aria("controls", "session-details").Text(toggle).OnClick(p.onDetails)
}

// renderDetails holds the header's facts and copy buttons.
func (p *SessionPage) renderDetails(facts app.UI) app.UI {
	return el.Div().ID("session-details").Class("details").DataSet("open", strconv.FormatBool(p.details)).Body(
		facts, p.renderCopies())
}

// renderAgentHeader is a subagent's page's header. The detail is its
// parent session's, with the subagent's own facts in d.Agent: the header
// names the subagent (its description, else the task it was given), says
// whose subagent it is with a link to that session and that session's
// status (labelled as the parent's), and shows the subagent's own model,
// tokens, cost and times. It shows no question, which would be the
// parent's, and no message count, which the server does not keep for a
// subagent (the page lists its messages). Claude Code cannot resume a
// subagent: the resume and id buttons say they copy the parent's.
func (p *SessionPage) renderAgentHeader(top app.UI, d *shared.SessionDetail) app.UI {
	s, a := &d.Session, d.Agent
	parent := titleOf(s.Title)
	title := agentTitle(a, p.agent)
	kind := "Subagent"
	if a != nil && a.Type != "" {
		kind = md.Clean(a.Type) + " subagent"
	}
	brief := ""
	if a != nil {
		brief = shared.CostOrUnpricedText(a.CostUSD, a.Unpriced) + " · " + relTime(time.Now(), s.OnHubClock(a.UpdatedAt))
	}
	return el.Header().ID("session-header").Class("session-header").DataSet("agent", "true").Body(
		top,
		el.H1().Class("title").Title("%s", attr(title)).DataSet("whole", strconv.FormatBool(p.details)).Dir("auto").Text(title),
		el.Div().Class("status-line").Body(
			el.Span().Class("subagent-of").Body(
				app.Text(kind+" of "),
				el.A().ID("parent-session").Class("parent").Attr("href", shared.PagePath(p.source, p.id, "", p.host)).
					Title("Open the session this subagent worked for").Dir("auto").Text(md.Clean(parent)),
			),
			el.Span().Class("parent-status").Title("The parent session's status").Body(
				el.Span().Class("label").Text("the session is "), p.renderStatus(s)),
			el.Span().Class("brief").Text(brief),
			p.renderDetailsToggle(),
		),
		p.renderDetails(renderAgentFacts(d)),
	)
}

// agentTitle names a subagent: the description it was given, else the
// first line of its task, else its id.
func agentTitle(a *shared.AgentDetail, id string) string {
	if a != nil {
		if t := clip.FirstLine(md.Clean(a.Description)); t != "" {
			return t
		}
		if t := clip.FirstLine(md.Clean(a.FirstPrompt)); t != "" {
			return t
		}
	}
	return md.Clean("Subagent " + id)
}

// renderAgentFacts is a subagent's facts: its session's project and
// branch, which it shares, then its own figures, from its transcript;
// none of them when the detail carries no subagent (an older helmd).
func renderAgentFacts(d *shared.SessionDetail) app.UI {
	s, a := &d.Session, d.Agent
	facts := []app.UI{
		projectFact(s.ProjectPath),
		app.If(s.GitBranch != "", func() app.UI { return fact("branch", "Branch", s.GitBranch) }),
	}
	if a != nil {
		facts = append(facts,
			app.If(len(a.Models) > 0, func() app.UI { return modelsFact(a.Models) }),
			fact("tokens", "Tokens", headerTokens(a.Tokens)),
			fact("cost", "Cost", shared.CostOrUnpricedText(a.CostUSD, a.Unpriced)),
			app.If(a.CreatedAt > 0, func() app.UI { return fact("started", "Started", absTime(a.CreatedAt)) }),
			app.If(a.UpdatedAt > 0, func() app.UI { return fact("updated", "Last activity", relTime(time.Now(), s.OnHubClock(a.UpdatedAt))) }),
			app.If(a.CreatedAt > 0, func() app.UI {
				return fact("duration", "Duration", duration(max(0, a.UpdatedAt-a.CreatedAt)))
			}),
		)
	}
	return el.Div().Class("facts").Body(facts...)
}

// renderFacts is what the header knows of the session, a label and a
// value each.
func renderFacts(d *shared.SessionDetail) app.UI {
	s, tk := &d.Session, d.Session.Tokens
	return el.Div().Class("facts").Body(
		projectFact(s.ProjectPath),
		app.If(s.GitBranch != "", func() app.UI { return fact("branch", "Branch", s.GitBranch) }),
		app.If(len(d.Models) > 0, func() app.UI { return modelsFact(d.Models) }),
		fact("messages", "Messages", grouped(s.MessageCount)),
		fact("tokens", "Tokens", headerTokens(tk)),
		fact("cost", "Cost", shared.CostOrUnpricedText(s.CostUSD, s.Unpriced)),
		fact("started", "Started", absTime(s.CreatedAt)),
		fact("updated", "Last activity", relTime(time.Now(), s.OnHubClock(s.UpdatedAt))),
		// Started and the messages' times are its machine's clock's.
		app.If(clockAgainstHub(int64(s.HostClockAheadMs)) != "", func() app.UI {
			return fact("clock", "Clock", md.Clean(s.Host)+"'s is "+clockAgainstHub(int64(s.HostClockAheadMs)))
		}),
		fact("duration", "Duration", duration(d.DurationMs)),
		// Beside the duration, which counts the idle hours between turns.
		app.If(s.WorkMs > 0, func() app.UI { return fact("work", "Working", duration(s.WorkMs)) }),
	)
}

// modelsFact names the models as the list and the usage page do
// ("sonnet 4.5"), each once, with their whole ids in the tooltip: the
// date and the vendor's prefix the short names leave out tell two
// releases apart.
func modelsFact(ids []string) app.UI {
	var names []string
	for _, id := range ids {
		if n := shared.ModelWords(id); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	label := "Models"
	if len(names) == 1 {
		label = "Model"
	}
	return el.Div().Class("fact", "models").Body(el.Span().Class("label").Text(label),
		el.Span().Class("value").Title("%s", attr(md.Clean(strings.Join(ids, ", ")))).Text(md.Clean(strings.Join(names, ", "))))
}

// projectFact is the session's folder: where a wide header gives it
// less than its width, so that the facts keep one line, it shows its
// end, the project's own folder, after a "…" (pathFit); the tooltip has
// it whole.
func projectFact(path string) app.UI {
	path = md.Clean(path)
	return el.Div().Class("fact", "project").Body(el.Span().Class("label").Text("Project"),
		el.Span().Class("value").Title("%s", attr(path)).Body(pathFit(path)))
}

func fact(class, label, value string) app.UI {
	return el.Div().Class("fact", class).Body(el.Span().Class("label").Text(label), el.Span().Class("value").Text(md.Clean(value)))
}

// renderCopies is the header's copy buttons. A subagent's page copies
// its own transcript's path, but Claude Code resumes only the session:
// its resume command and id are the parent's, and say so.
func (p *SessionPage) renderCopies() app.UI {
	resume, id := "Copy resume command", "Copy session id"
	if p.agent != "" {
		resume, id = "Copy the parent session's resume command", "Copy the parent session's id"
	}
	return el.Div().Class("actions").Body(
		p.copyButton("copy-resume", resume),
		p.copyButton("copy-id", id),
		p.copyButton("copy-path", "Copy transcript path"),
	)
}

// copyButton copies what copyText says for id; "Copied" for a moment
// after it did.
func (p *SessionPage) copyButton(id, label string) app.UI {
	if p.copied == id {
		label = "Copied"
	}
	text := p.copyText(id)
	return el.Button().ID(id).Attr("disabled", text == "").Title("%s", p.copyTip(id, text)).Text(label).OnClick(p.onCopy)
}

// onDetails shows or hides the header's facts on a phone. The header
// takes its height from the transcript's view: settle keeps the end in
// view when following, else the row being read.
func (p *SessionPage) onDetails(app.Context, app.Event) {
	p.details = !p.details
	p.afterChange()
}

// statusStale reports whether the header's status may no longer be the
// session's: helmd does not answer (offline, error, another Helm in its
// place) or no longer has it (gone).
func (p *SessionPage) statusStale() bool {
	return p.state == "offline" || p.state == "error" || p.state == "elsewhere" || p.state == "gone"
}

// renderStatus is the session's status, said as the last one known while
// the page cannot reach helmd: "working" then may have ended long ago;
// "gone" once helmd no longer has the session.
func (p *SessionPage) renderStatus(s *shared.Session) app.UI {
	span := el.Span().Class("status").DataSet("status", string(s.Status))
	if s.Status == "" && p.detail != nil && p.detail.Unlisted {
		// An answer while the list leaves the session out (its file
		// without a whole record yet, or rewritten in place) has no
		// status: not "idle", which it may well not be.
		return span.Title("helmd has this session's file but has not read a whole record of it yet (just created, or rewritten in place): its status shows once it has").
			Text("not read yet")
	}
	label := s.Status.Label()
	if s.Status == shared.StatusWaiting && shared.WaitsForPermission(s.WaitingFor) {
		label = "waiting for permission"
	}
	if p.state == "gone" {
		return span.DataSet("stale", "true").Title("helmd no longer has this session; it was " + label + " when last seen").
			Text("gone (was " + label + ")")
	}
	if p.statusStale() {
		why := "this page cannot reach helmd"
		if p.hostDown != "" {
			why = attr(p.answerer()) + " does not answer"
		}
		return span.DataSet("stale", "true").Title("%s", "The last status Helm knew: "+why).
			Text(label + " (last known)")
	}
	return span.Text(label)
}

// waitDetail is what a reason adds to the status the header shows: the
// tool a permission is asked for ("Bash"), a reason of another kind
// whole, nothing when the status says it all ("input needed", a
// permission that names no tool: "waiting for permission" says it). It
// reads a reason as shared.WaitReason does for the list's row: a
// question or a plan is said so, an older helmd's "permission:
// AskUserQuestion" too.
func waitDetail(reason string) string {
	reason = strings.TrimSpace(reason)
	switch {
	case saysNoMoreThanItsStatus(reason):
		return ""
	case shared.WaitsForPermission(reason):
		return shared.PermissionTool(reason)
	}
	return shared.WaitReason(shared.StatusWaiting, reason)
}

// copyText is what the copy button with id copies, from the detail as it
// is now.
func (p *SessionPage) copyText(id string) string {
	d := p.detail
	if d == nil {
		return ""
	}
	switch id {
	case "copy-resume":
		return d.ResumeCommand
	case "copy-id":
		return d.ID
	case "copy-path":
		if p.agent != "" { // the subagent's own transcript, not the session's
			if d.Agent != nil && d.Agent.ID == p.agent {
				return d.Agent.Path
			}
			for _, sub := range d.Subagents {
				if sub.ID == p.agent {
					return sub.Path
				}
			}
			return ""
		}
		if len(d.Transcripts) > 0 {
			return d.Transcripts[0]
		}
	}
	return ""
}

// onCopy copies what the clicked button names. The text is looked up at
// the click, not captured when the button was drawn: go-app keeps an
// element's first handler while its code is the same (event.go compares
// function pointers, not closures), so a closure drawn from the list's
// row, before the detail came, would copy "" for ever.
func (p *SessionPage) onCopy(ctx app.Context, _ app.Event) {
	id := ctx.JSSrc().Get("id").String()
	text := p.copyText(id)
	if text == "" {
		return
	}
	browser.Copy(text, func(ok bool) {
		ctx.Dispatch(func(app.Context) {
			if ok {
				p.copied = id
				// "Copied" says what the click did, then the button is
				// itself again.
				ctx.After(2*time.Second, func(app.Context) {
					if p.copied == id {
						p.copied = ""
					}
				})
			} else {
				p.errText = "The browser did not allow copying; select the text instead: " + text
			}
		})
	})
}

// duration says how long ms is, as the list's "waiting 3 h 5 min" is.
func duration(ms int64) string { return shared.SpanText(time.Duration(ms) * time.Millisecond) }

// saysNoMoreThanItsStatus reports whether why a session waits is the
// generic reason, which its status, "waiting for input", already says.
func saysNoMoreThanItsStatus(reason string) bool {
	return strings.EqualFold(strings.TrimSpace(reason), "input needed")
}

// headerTokens splits a session's tokens by kind, each named in words:
// the cache writes by how long they are kept (a 1-hour write costs more
// than a 5-minute one), the 1-hour part only when there is one.
func headerTokens(t shared.Tokens) string {
	s := "in " + shared.CountText(t.Input) + " · out " + shared.CountText(t.Output) + " · cache read " + shared.CountText(t.CacheRead)
	hour := min(max(0, t.CacheWrite1h), t.CacheWrite)
	if t.CacheWrite <= 0 {
		return s + " · cache write 0"
	}
	// "kept", in parentheses: "for 5 min" read as how long the writing
	// took. No-break spaces: a phone wraps the line between the parts,
	// never inside "(kept 5 min)", which alone on a line said nothing.
	s += " · cache write " + shared.CountText(t.CacheWrite-hour) + "\u00a0(kept\u00a05\u00a0min)"
	if hour > 0 {
		s += " + " + shared.CountText(hour) + "\u00a0(kept\u00a01\u00a0h)"
	}
	return s
}

// questionTip is the tooltip of the header's question line. A session
// waiting on a question's or a plan's dialog shows what the dialog asks
// (its hook told it), not its last message, which is the call that opened
// the dialog.
func questionTip(s *shared.Session) string {
	switch shared.WaitReason(s.Status, s.WaitingFor) {
	case shared.ReasonQuestion:
		return "The question it asks you"
	case shared.ReasonPlan:
		return "The first line of the plan it asks you to approve"
	}
	return "The first line of its last message"
}
