package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/shared"
)

// Render is the page: a header, the transcript, the find box.
func (p *SessionPage) Render() app.UI {
	// The children keep their places whatever shows: go-app diffs by
	// position, and a shifted child would rebuild the scrolling element.
	// Everything below the header is the page's main landmark.
	return el.Div().ID("session").Class("session-page").DataSet("state", p.state).DataSet("seeking", p.seek != nil).Body(
		p.renderHeader(),
		el.Main().Class("session-main").Body(
			el.Div().Class("notices").Body(app.If(p.state == "gone", p.renderGone).ElseIf(p.state == "elsewhere", p.renderElsewhere).ElseIf(p.errText != "", func() app.UI {
				return el.P().ID("session-error").Class("notice").Text(p.errText)
			})),
			el.Div().Class("find-wrap").Body(app.If(p.finding, func() app.UI { return p.renderFind() })),
			p.renderTranscript(),
		),
		app.If(p.help, func() app.UI { return helpDialog(sessionShortcuts, p.onHelpClose, p.onHelpBackdrop) }),
	)
}

func (p *SessionPage) renderFind() app.UI {
	count := "no match"
	all := p.findsAll()
	switch {
	case p.term == "":
		count = ""
	case all && p.allCount() > 0:
		// Over the whole transcript, each where it stands among all;
		// "1,000+" past what an older helmd counts.
		n := grouped(p.allCount())
		if p.foundMore {
			n += "+"
		}
		count = n + " matches"
		if k := p.allIndex(); k >= 0 {
			count = grouped(p.foundFirst+k+1) + " of " + n
		}
	case all:
	case len(p.matches) > 0:
		count = itoa(p.match+1) + " of " + itoa(len(p.matches))
	case p.foundState == findAsking:
		count = "…" // not "no match" before helmd has answered
	}
	n, older := len(p.convo.Msgs), !p.wholeLoaded()
	hint := "searches all " + itoa(n) + " messages"
	switch {
	case all:
		hint = "searches the whole transcript"
	case p.foundState == findAsking:
		hint = "searching the whole transcript…"
	case len(p.term) > shared.MaxFindTerm && older:
		hint = "too long to search the whole transcript (" + itoa(shared.MaxFindTerm) + " bytes at most): searches the " + itoa(n) + " messages loaded"
	case older:
		hint = "searches the " + itoa(n) + " messages loaded"
	}
	none := len(p.matches) == 0 && (!all || p.allCount() == 0)
	return el.Div().Class("find").Body(
		// Not bound to p.term: setting the value while the user types
		// (a render of an older term) would eat keystrokes.
		el.Input().ID(findID).Attr("type", "search").Attr("placeholder", "Find in the transcript").
			OnInput(p.onFind),
		el.Span().ID("find-count").Aria("live", "polite").Text(count),
		// Buttons as well as keys: a phone has no n, N or Shift+Enter.
		el.Button().ID("find-prev").Class("find-step").Title("Previous match (N, Shift+Enter)").
			Aria("label", "Previous match").Attr("disabled", none).Text("↑").OnClick(p.onFindPrev),
		el.Button().ID("find-next").Class("find-step").Title("Next match (n, Enter)").
			Aria("label", "Next match").Attr("disabled", none).Text("↓").OnClick(p.onFindNext),
		// Only where helmd cannot find in the whole transcript (an older
		// one): the loaded messages, and older pages loaded to search.
		app.If(p.convo.Before != "" && p.foundState == findFailed, func() app.UI {
			label := "Search older"
			if p.findingOlder {
				label = "Searching older…"
			}
			return el.Button().ID("find-older").Attr("disabled", p.findingOlder || p.term == "").
				Title("Load older messages until one of them matches").Text(label).OnClick(p.onFindOlder)
		}),
		el.Span().Class("hint").Text(hint),
	)
}

func (p *SessionPage) renderTranscript() app.UI {
	c := p.convo
	top := "Start of the transcript"
	switch {
	case !c.Loaded && (p.state == "error" || p.state == "missing" || p.state == "elsewhere"):
		// The notice above says why; "Loading…" beside it would say the
		// opposite. loadLast asks again every pollEvery.
		top = "Trying again every " + itoa(int(pollEvery/time.Second)) + " s…"
	case !c.Loaded:
		top = "Loading…"
	case c.Before != "" && p.older:
		top = "Loading older messages…"
	case c.Before != "" && p.state == "gone":
		// Older pages load only from a session helmd has (loadOlderBy).
		top = "Older messages cannot be loaded: helmd no longer has this session"
	case c.Before != "" && p.state != "ready":
		top = "Older messages load once " + p.answerer() + " answers again"
	case c.Before != "":
		top = "Scroll up for older messages"
	}
	rows := make([]app.UI, 0, p.win.Last-p.win.First)
	for i := p.win.First; i < p.win.Last && i < len(c.Msgs); i++ {
		rows = append(rows, p.renderMessage(i, &c.Msgs[i]))
	}
	return el.Div().Class("transcript-wrap").Body(
		// Focusable, and focused on open (start): the arrow keys scroll
		// what has the focus (the page scrolls for PageDown, Space, Home
		// and End itself: session_keys.go page).
		el.Div().ID(transcriptID).Class("transcript").TabIndex(0).Attr("role", "region").Aria("label", "Transcript").
			OnScroll(p.onScroll).Body(
			el.P().ID("older").Class("older").Text(top),
			el.Div().ID("above").Class("spacer"),
			el.Div().ID("rows").Body(rows...),
			el.Div().ID("below").Class("spacer"),
			app.If(p.tail != nil, func() app.UI {
				// A window away from the end: more below it.
				text := "Scroll down for newer messages"
				switch {
				case p.newer:
					text = "Loading newer messages…"
				case p.state == "gone":
					text = "Newer messages cannot be loaded: helmd no longer has this session"
				case p.state != "ready":
					text = "Newer messages load once " + p.answerer() + " answers again"
				}
				return el.P().ID("newer").Class("older").Text(text)
			}),
			app.If(c.Loaded && len(c.Msgs) == 0, func() app.UI {
				return el.P().Class("empty").Text("No messages yet.")
			}),
			// The session is at work: what it writes next comes here.
			app.If(p.working(), func() app.UI {
				return el.P().ID("working").Class("working-now").Aria("live", "off").Text("Working…")
			}),
		),
		// Away from the end, the way back to it: with what came since
		// when something did. Not only then: on a phone there is no End
		// key, and a long scroll back is the only other way.
		app.If(p.unseen > 0 || (!p.follow && !p.fits && len(c.Msgs) > 0) || p.tail != nil, func() app.UI {
			label := "Latest ↓"
			switch {
			case p.tail != nil && p.unseen > 0:
				// The window shown does not grow: say what came.
				label = plural(p.unseen, "new message", "new messages") + " — jump to latest ↓"
			case p.tail != nil:
				label = "Jump to latest ↓"
			case p.unseen > 0:
				label = itoa(p.unseen) + " new ↓"
			}
			return el.Button().ID("new-below").Class("new-below").Title("Go to the latest message").Text(label).OnClick(p.toBottom)
		}),
	)
}

// mark is the mdview.Marker of the find term: text nodes, matches in <mark>.
func (p *SessionPage) mark(text string) []app.UI {
	text = md.Clean(text)
	if p.term == "" {
		return []app.UI{app.Text(text)}
	}
	return marked(text, p.term)
}

// renderConn says whether the page follows its session, as the list's
// #conn does: Live on the session's own stream, Polling while it asks
// every pollEvery instead (an older helmd, a session of another machine,
// between two tries of the stream), Offline while helmd does not answer.
// Without it a page open for hours could not be told from one that had
// stopped until something failed. Loading, missing and gone pages say
// what they are in words, without it.
func (p *SessionPage) renderConn() app.UI {
	every := itoa(int(pollEvery/time.Second)) + " s"
	var st feed.State
	var tip, label string
	switch {
	case p.state == "offline" && p.hostDown != "":
		// The hub answers; the session's machine does not (session_remote.go).
		st, tip, label = feed.Offline, md.Clean(p.host)+" does not answer "+p.hubName()+"; the page tries again every "+every, "Machine offline"
	case p.state == "offline":
		st, tip = feed.Offline, "Offline: helmd does not answer; the page tries again every "+every
	case p.state == "elsewhere":
		st, tip = feed.Elsewhere, "Another Helm answers at this address; the page checks every "+every+" for its own"
	case p.state != "ready":
		return el.Span().ID("conn").Hidden(true)
	case p.live != nil:
		st, tip = feed.Live, "Live: new messages appear as they are written"
	default:
		st, tip = feed.Polling, "Polling: the page asks for new messages every "+every
	}
	if label == "" {
		label = st.Label()
	}
	tip = attr(tip)
	return el.Span().ID("conn").DataSet("state", string(st)).Title("%s", tip).
		TabIndex(0).Aria("label", tip).Role("status").Text(label)
}
