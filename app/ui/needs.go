package ui

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/clip"
	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/shared"
)

// maxNeeds bounds the rows the group shows (the DOM stays small); the
// rest are counted, and all of them are in the list below.
const maxNeeds = 20

// needsFew is how many of its first waits the group shows until the
// user asks for all: nine waiting sessions took 664 px, the whole first
// screen at 1280 × 800, and each wait that came or went moved the list
// 70 px. Past this many, the group keeps its height.
const needsFew = 3

// renderNeedsYou is the "Needs you" group, pinned above the list: the
// sessions waiting for the user and not cleared, what stops an agent
// (a permission, a dialog) first, then the newest wait first
// (list.NeedsYou), whatever the sort. A search or filter narrows it as it narrows the list
// (three unrelated sessions above "No session matches this view" read as
// a broken search), and a line says how many wait outside the view, with
// a button to show them: a waiting session is never out of sight. Every
// value goes through Text or an attribute: titles, reasons and questions
// are transcript text.
func (h *Home) renderNeedsYou() app.UI {
	all := h.sessions.NeedsYouCount()
	if all == 0 {
		return el.Div().ID("needs-you").Hidden(true)
	}
	shown, n := h.sessions.NeedsYouIn(h.query, maxNeeds) // an unfiltered view keeps them all
	outside := all - n
	few := !h.attn.settings.AllNeeds && len(shown) > needsFew
	offline := h.conn.State == feed.Offline // as the rows say it (rowList.Offline)
	if few {
		shown = shown[:needsFew]
	}
	return el.Section().ID("needs-you").Aria("label", "Needs you").Body(
		app.If(n > 0, func() app.UI {
			return el.H2().Text(fmt.Sprintf("Needs you (%d)", n))
		}),
		el.Ul().Body(app.Range(shown).Slice(func(i int) app.UI {
			return h.needsRow(&shown[i], offline)
		})),
		app.If(few, func() app.UI {
			return el.P().ID("needs-more").Class("more").Body(
				app.Text(plural(n-len(shown), "more waits", "more wait")+" "),
				el.Button().ID("needs-all").Aria("controls", "needs-you").Text("Show all").OnClick(h.onAllNeeds),
			)
		}),
		app.If(!few && n > len(shown), func() app.UI {
			return el.P().Class("more").Text(fmt.Sprintf("and %d more in the list below", n-len(shown)))
		}),
		app.If(h.attn.settings.AllNeeds && n > needsFew, func() app.UI {
			return el.P().Class("more").Body(
				el.Button().ID("needs-few").Aria("controls", "needs-you").Text(fmt.Sprintf("Show the first %d only", needsFew)).OnClick(h.onAllNeeds),
			)
		}),
		app.If(outside > 0, func() app.UI {
			text := plural(outside, "more waits", "more wait") + " for you outside this view."
			if n == 0 {
				text = plural(outside, "session waits", "sessions wait") + " for you outside this view."
			}
			return el.P().ID("needs-outside").Class("more").Body(
				app.Text(text+" "),
				el.Button().ID("needs-show").Text("Show them").OnClick(h.onShowAllWaiting),
			)
		}),
		app.If(h.attn.clearErr != "", func() app.UI {
			return el.P().ID("clear-error").Role("alert").Text(h.attn.clearErr)
		}),
	)
}

// needsRow is one waiting session: its title (a link to its page), why
// it waits (the last known, offline), for how long, on which project (and, on a hub, on which other
// machine), and what it asked.
func (h *Home) needsRow(s *shared.Session, offline bool) app.UI {
	names := shownOf(s)
	title, project := names.title, names.project
	since := list.WaitStart(s)
	question := md.Clean(clip.FirstLine(s.Question))
	host := machineOf(s)
	muted := h.attn.settings.muted(s.ProjectPath)
	mute := "Mute project"
	if muted {
		mute = "Unmute project"
	}
	k := attr(s.Key())
	li := el.Li().Class("needs").DataSet("session", k)
	if k == h.selected {
		li = li.Class("selected")
	}
	return li.Body(
		el.A().Class("title").Attr("href", sessionPath(s)).Title("%s", attr(title)).Dir("auto").Text(title),
		el.Div().Class("meta").Body(
			// In the row's words (its pill's): "needs approval" for
			// the registry's "permission prompt", "permission: Bash";
			// offline, "(last known)" as the row says it.
			statusPill("reason", s, offline),
			el.Time().Class("waited").Attr("datetime", isoTime(since)).
				Title("%s", "Waiting since "+absTime(since)).Text(waitedText(h.now, s)),
			el.Span().Class("project").Title("%s", attr(names.path)).Text(project),
			// Another machine's wait says where to go and answer it.
			app.If(host != "", func() app.UI {
				return el.Span().Class("host").Title("%s", attr("Machine: "+host)).Text(host)
			}),
		),
		app.If(question != "", func() app.UI {
			return el.P().Class("question").Dir("auto").Text(question)
		}),
		el.Span().Class("actions").Body(
			el.Button().Class("clear").DataSet("session", k).
				Title("Clear: leave this group until the session changes (x)").
				Aria("label", "Clear "+attr(title)).Text("Clear").OnClick(h.onClearNeeds),
			app.If(s.ProjectPath != "", func() app.UI {
				return el.Button().Class("mute").DataSet("project", attr(s.ProjectPath)).
					Aria("pressed", muted).Title("%s", "No notifications for "+attr(names.path)).
					Text(mute).OnClick(h.onMute)
			}),
		),
	)
}

// onAllNeeds shows every waiting session in the group, or the first
// few only again; the choice is kept with the attention settings.
func (h *Home) onAllNeeds(app.Context, app.Event) {
	h.attn.settings.AllNeeds = !h.attn.settings.AllNeeds
	h.saveAttention()
	// The button pressed goes; the focus goes to the one that undoes it.
	other := "needs-all"
	if h.attn.settings.AllNeeds {
		other = "needs-few"
	}
	h.ctx.Defer(func(app.Context) { browser.Focus(other) }) // the button's ctx goes with it
}

func (h *Home) onClearNeeds(ctx app.Context, _ app.Event) {
	h.clearNeeds(ctx.JSSrc().Get("dataset").Get("session").String())
}

func (h *Home) onMute(ctx app.Context, _ app.Event) {
	h.attn.settings.toggleMute(ctx.JSSrc().Get("dataset").Get("project").String())
	h.saveAttention()
}

// clearNeeds takes the session of key out of "Needs you": at once here
// (optimistic), then for good on the server, whose clearedAt reaches
// every page in a session-updated and wins. A failed clear is undone.
// It reports whether it cleared: false when the session does not need
// the user (or the page is not running).
func (h *Home) clearNeeds(key string) bool {
	s, ok := h.sessions.Get(key)
	if !ok || !list.NeedsYou(&s) || h.machine == nil {
		return false
	}
	at := h.now.UnixMilli()
	if at <= 0 {
		at = 1
	}
	s.ClearedAt = at
	h.sessions.Upsert(s)
	h.syncTitle(h.ctx) // the badge and the group follow in this render; the title is set apart
	h.attn.clearErr = ""
	ctx := h.ctx
	postClear(clearPath(&s), func(err error) {
		ctx.Dispatch(func(app.Context) {
			if err == nil {
				return
			}
			h.attn.clearErr = failed("Could not clear “"+s.Title+"”", err)
			if cur, ok := h.sessions.Get(key); ok && cur.ClearedAt == at {
				cur.ClearedAt = 0 // nothing newer came: undo
				h.sessions.Upsert(cur)
				h.syncTitle(h.ctx)
			}
		})
	})
	return true
}
