package ui

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/shared"
)

// Render draws the page from the component's state only. Data always goes
// through Text or attributes, which go-app escapes: never app.Raw.
func (h *Home) Render() app.UI {
	h.holdRowFocus() // the focus is read from the page as drawn, before this render changes it
	all := max(h.sessions.Len(), h.total)
	elsewhere := h.conn.State == feed.Elsewhere
	return el.Div().Class("app").DataSet("conn", string(h.conn.State)).Body(
		// The first stop of Tab: past the header, the filters and every
		// "Needs you" row's three buttons, to the rows. A button, not a
		// link to #sessions: go-app would navigate to the fragment, which
		// scrolls but leaves the focus where it was.
		el.Button().ID("skip").Text("Skip to the sessions").OnClick(h.onSkip),
		h.renderHeader(all),
		app.If(h.updateAvailable, func() app.UI {
			return el.P().ID("update").Class("notice").Body(
				app.Text("A new version of Helm is ready."),
				el.Button().Class("primary").Text("Reload").OnClick(h.onReload),
			)
		}),
		app.If(h.showCacheAge(), func() app.UI { return h.renderCacheAge() }),
		app.If(h.refreshErr != "", func() app.UI {
			return el.P().ID("refresh-error").Class("notice").Role("alert").Text(h.refreshErr)
		}),
		app.If(h.attn.panel, h.renderAttnPanel),
		el.Main().Body(
			app.If(elsewhere, h.renderElsewhere),
			app.If(h.loaded && !elsewhere, h.renderNeedsYou),
			app.If(!elsewhere, func() app.UI { return h.renderMain(all) }),
		),
		el.Footer().Class("settings").Body(&PushToggle{}),
		app.If(h.help, h.renderHelp),
		// Without a list too (helmd's first scan not done): the seed names
		// the helmd (instance, host, demo) the client then talks to.
		app.If(app.IsServer && (h.dataAt > 0 || h.instance != ""), h.renderSeed),
	)
}

// renderMain is the list, or what stands for it while there is none.
func (h *Home) renderMain(all int) app.UI {
	switch {
	case !h.loaded:
		return el.P().ID("loading").Class("notice").Text("Loading sessions…")
	case all == 0:
		return h.renderEmpty()
	}
	return h.renderList(h.view())
}

func (h *Home) renderHeader(n int) app.UI {
	st := h.conn.State
	if st == "" {
		st = feed.Connecting
	}
	tip := h.connTooltip()
	return el.Header().Class("top").Body(
		el.H1().Class("brand").Aria("label", "Helm").Body(
			el.Img().Attr("src", "/web/icon.svg").Aria("hidden", "true"),
			el.Span().Class("brand-name").Text("Helm"),
		),
		h.renderWhich(),
		// The link first, as the usage page has its way back: what
		// follows changes width as the list does (the state, the count,
		// the waiting badge), and would move it under the pointer.
		el.A().ID("to-usage").Attr("href", UsageRoute).Text("Usage"),
		el.Span().ID("conn").DataSet("state", string(st)).Title("%s", attr(tip)).
			TabIndex(0).Aria("label", attr(tip)).Role("status").
			Text(st.Label()),
		h.renderCount(n),
		h.renderWaiting(),
		el.Span().Class("spacer"),
		h.renderStable(),
		h.renderBell(),
		app.If(h.installable, func() app.UI {
			return el.Button().ID("install").Title("Install Helm as an app").Text("Install").OnClick(h.onInstall)
		}),
		h.renderRefresh(),
		el.Button().ID("help-button").Title("Keyboard shortcuts (?)").Aria("label", "Keyboard shortcuts").
			Aria("haspopup", "dialog").Text("?").OnClick(h.onHelp),
		app.If(n > 0, h.renderFilters),
	)
}

// renderCount is #count: its text reads "3 of 12 sessions", the noun in
// a span of its own that a phone hides while the count is filtered
// (data-filtered). data-held: how many sessions the page holds, which
// is the count only once the whole list arrived (a seed shows the
// server's total): what a measurement of the start waits for.
func (h *Home) renderCount(n int) app.UI {
	figures, noun, filtered := h.countParts(n)
	count := el.Span().ID("count").DataSet("held", h.sessions.Len())
	if filtered {
		count = count.DataSet("filtered", "true")
	}
	return count.Body(app.Text(figures), el.Span().Class("noun").Text(noun))
}

// renderRefresh sets disabled only when busy: go-app's server encoder
// writes Disabled(false) as disabled="false", which HTML reads as
// disabled.
func (h *Home) renderRefresh() app.UI {
	b := el.Button().ID("refresh").Title("Rescan the session files now").OnClick(h.onRefresh)
	if h.refreshing {
		return b.Attr("disabled", true).Text("Refreshing…")
	}
	return b.Text("Refresh")
}

func (h *Home) connTooltip() string {
	st := h.conn.State
	if st == "" {
		st = feed.Connecting
	}
	tip := st.Label()
	if !h.conn.Since.IsZero() {
		ms := h.conn.Since.UnixMilli()
		tip += fmt.Sprintf(" since %s (%s)", absTime(ms), relTime(h.now, ms))
	}
	if h.conn.Reason != "" {
		tip += ": " + h.conn.Reason
	}
	return tip
}

// showCacheAge: the list is not live — from storage and unconfirmed, or
// kept while nothing answers.
func (h *Home) showCacheAge() bool {
	return h.cachedAt > 0 || (h.conn.State == feed.Offline && h.dataAt > 0)
}

func (h *Home) renderCacheAge() app.UI {
	at, text := h.dataAt, "Showing the list as of %s."
	if h.cachedAt > 0 {
		at, text = h.cachedAt, "Showing the list saved %s."
	}
	text = fmt.Sprintf(text, ageText(h.now, at))
	if h.conn.State == feed.Offline {
		// Offline is any failed poll, not only a helmd that does not
		// answer: one that refuses the page's token (restarted with
		// another) or fails (5xx) answers. The notice gives the reason
		// the indicator's tooltip has, so that the one thing to do (open
		// the address helmd printed) is on the page, not behind a hover
		// under "Server unreachable".
		why := h.conn.Reason
		if why == "" {
			why = "the server does not answer."
		}
		text = "Offline: " + why + " " + text
	}
	return el.P().ID("cache-age").Class("notice").DataSet("saved-at", at).
		Title("%s", attr(absTime(at))).
		Text(text)
}

func (h *Home) renderEmpty() app.UI {
	return el.Div().ID("empty").Body(
		el.H2().Text("No sessions yet"),
		app.If(len(h.watched) > 0, func() app.UI {
			return el.Div().Body(
				el.P().Text("Helm watches these folders; a Claude Code or OpenCode session shows up here as soon as one is written:"),
				el.Ul().Body(app.Range(h.watched).Slice(func(i int) app.UI {
					return el.Li().Text(h.watched[i])
				})),
			)
		}).Else(func() app.UI {
			return el.P().Text("Start a Claude Code or OpenCode session on this machine and it shows up here.")
		}),
	)
}

func (h *Home) renderList(rows list.Result) app.UI {
	shown := rows.Head(h.limit)
	if len(shown) == 0 {
		return el.Div().ID("no-match").Body(
			el.P().Text("No session matches this view."),
			el.Button().Text("Show all sessions").OnClick(h.onClear),
		)
	}
	l := &rowList{
		Rows:      shown,
		Times:     make([]string, len(shown)),
		Attention: make([]bool, len(shown)),
		Search:    h.query.Search,
		Selected:  h.selected,
		ManyHosts: h.manyHosts(),
		Offline:   h.conn.State == feed.Offline,
		page:      h,
	}
	for i := range shown {
		l.Times[i] = rowTimeText(&shown[i], h.now)
		l.Attention[i] = h.attention[shown[i].Key()]
	}
	return el.Div().Body(
		l,
		app.If(rows.Len() > len(shown), func() app.UI {
			return el.Button().ID("more").
				Text(fmt.Sprintf("Show more (%d of %d shown)", len(shown), rows.Len())).
				OnClick(h.onMore)
		}),
	)
}

// row is one session; search is highlighted in what it shows. Rows are
// diffed by position, so a row that moves is rewritten in place: fine,
// as every value comes from s. A row is a stop of the Tab key (Enter
// opens it); its status shows only when notable: idle is the default,
// and a pill on every idle row would be noise. Offline, a working or
// waiting status is said to be the last known, as the session page says
// it: the session may have stopped long ago.
func row(s *shared.Session, timeText, search string, selected, attention, offline bool) app.UI {
	names := shownOf(s)
	title, project := names.title, names.project
	branch, question := md.Clean(s.GitBranch), md.Clean(s.Question)
	li := el.Li().Class("session").
		DataSet("key", attr(s.Key())).
		DataSet("status", attr(string(s.Status))).
		TabIndex(0)
	if selected {
		li = li.Class("selected").Aria("current", "true")
	}
	if attention {
		li = li.DataSet("attention", "true")
	}
	if s.Status == shared.StatusWaiting && list.Blocked(s) {
		// Its pill stays on a phone, where a finished turn's goes.
		li = li.DataSet("blocked", "true")
	}
	model := md.Clean(shared.ModelWords(s.Model)) // "sonnet 4.5"; the tooltip has the whole id
	var hint string
	if search != "" && !shows(search, title, project, branch, model) {
		// The match is in what the row does not show: say where. The
		// row shows the model short, so a match in the rest of its name
		// ("claude", the date) is shown whole here.
		hint = snippet(md.Clean(s.FirstPrompt), search)
		if hint == "" {
			hint = snippet(names.path, search)
		}
		if hint == "" {
			hint = snippet(md.Clean(s.Model), search)
		}
	}
	return li.Body(
		app.If(s.Status == shared.StatusWorking || s.Status == shared.StatusWaiting, func() app.UI {
			return statusPill("status", s, offline)
		}),
		el.Span().Class("title").Title("%s", attr(title)).Dir("auto").Body(markedWords(title, search)...),
		app.If(s.Status == shared.StatusWaiting && question != "", func() app.UI {
			// Text, never markup: transcripts are untrusted.
			return el.P().Class("question").Title("%s", attr(question)).Dir("auto").Text(question)
		}),
		rowTime(s, timeText, offline),
		el.Div().Class("meta").Body(
			el.Span().Class("project").Title("%s", attr(names.path)).Body(markedWords(project, search)...),
			el.Span().Class("branch").Title("%s", attr("git branch "+branch)).Body(markedWords(branch, search)...),
			el.Span().Class("model").Title("%s", attr(md.Clean(s.Model))).Body(markedWords(model, search)...),
			el.Span().Class("messages").Text(plural(s.MessageCount, "message", "messages")),
			el.Span().Class("tokens").Title("%s", tokensTitle(s.Tokens)).Text(tokensText(s.Tokens)),
			el.Span().Class("cost").Title("%s", "estimated API cost").Text(shared.CostOrUnpricedText(s.CostUSD, s.Unpriced)),
			el.Span().Class("source").Text(s.Source.Label()),
		),
		app.If(hint != "", func() app.UI {
			return el.P().Class("prompt").Dir("auto").Body(markedWords(hint, search)...)
		}),
	)
}

// shows reports whether search is visible in one of texts.
func shows(search string, texts ...string) bool {
	for _, t := range texts {
		if len(shared.WordRanges(t, search)) > 0 {
			return true
		}
	}
	return false
}

// renderSeed hands the server's list to the client's first render
// through an attribute (escaped by go-app, decoded by the browser), so
// the page does not flash empty while the stream connects.
func (h *Home) renderSeed() app.UI {
	b, err := Seed{Sessions: h.sessions.Sessions(), Watched: h.watched, At: h.dataAt, Total: h.total, EventID: h.cursor,
		Host: h.host, Demo: h.demo, Instance: h.instance}.pageJSON() // the wasm's first render reads them back (PageSeed)
	if err != nil {
		return nil
	}
	return el.Div().ID("seed").Hidden(true).DataSet("seed", attr(string(b)))
}
