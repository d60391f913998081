package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/el"
)

// shortcut is a key of a page and what it does, as its help dialog says.
type shortcut struct{ keys, what string }

// shortcuts are the list's keys, as the help dialog lists them (keys.go
// implements them).
var shortcuts = []shortcut{
	{"/", "Search"},
	{"j or ↓", "Next session"},
	{"k or ↑", "Previous session"},
	{"Tab", "Move through the sessions and controls"},
	{"Enter or o", "Open the selected session"},
	{"x", "Clear the selected session from “Needs you”"},
	{"Esc", "Clear the search, then the filters; close this dialog"},
	{"?", "Show these shortcuts"},
}

// helpCloseID is the dialog's close button, focused when it opens.
const helpCloseID = "help-close"

// sessionShortcuts are the session page's keys (session_keys.go).
var sessionShortcuts = []shortcut{
	{"j / k", "Next / previous message"},
	{"Space, PgDn / PgUp", "Scroll the transcript"},
	{"Home / End", "The transcript's first message / its latest, followed"},
	{"/", "Find in the transcript"},
	{"n / N", "Next / previous match (Enter / Shift+Enter in the box)"},
	{"Esc or u", "Close find or this dialog; else back to the list"},
	{"?", "Show these shortcuts"},
}

// renderHelp is the keyboard shortcuts dialog.
func (h *Home) renderHelp() app.UI { return helpDialog(shortcuts, h.onHelpClose, h.onHelpBackdrop) }

// helpDialog lists keys; onClose is its Close button, onBackdrop a
// click anywhere, which closes it when beside it (onBackdropClick).
func helpDialog(keys []shortcut, onClose, onBackdrop app.EventHandler) app.UI {
	return el.Div().ID("help-backdrop").OnClick(onBackdrop).Body(
		el.Div().ID("help").Role("dialog").Aria("modal", "true").Aria("labelledby", "help-title").Body(
			el.H2().ID("help-title").Text("Keyboard shortcuts"),
			el.Dl().Body(app.Range(keys).Slice(func(i int) app.UI {
				return el.Div().Body(
					el.Dt().Body(el.Kbd().Text(keys[i].keys)),
					el.Dd().Text(keys[i].what),
				)
			})),
			el.Button().ID(helpCloseID).Text("Close").OnClick(onClose),
		),
	)
}

// beside reports whether a click on the help dialog's backdrop fell
// beside the dialog, not in it.
func beside(e app.Event) bool { return e.Get("target").Get("id").String() == "help-backdrop" }

// showHelp opens or closes the dialog; opening moves the focus into it,
// closing gives it back to the page.
func (h *Home) showHelp(ctx app.Context, open bool) {
	h.help = open
	if open {
		ctx.Defer(func(app.Context) { browser.Focus(helpCloseID) })
		return
	}
	ctx.Defer(func(app.Context) { browser.Focus("help-button") })
}

func (h *Home) onHelp(ctx app.Context, _ app.Event)      { h.showHelp(ctx, !h.help) }
func (h *Home) onHelpClose(ctx app.Context, _ app.Event) { h.showHelp(ctx, false) }

// onHelpBackdrop closes the dialog on a click beside it.
func (h *Home) onHelpBackdrop(ctx app.Context, e app.Event) {
	if beside(e) {
		h.showHelp(ctx, false)
	}
}
