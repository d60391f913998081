package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
)

// shortcuts are the list's keys, as the help dialog lists them (keys.go
// implements them).
var shortcuts = []struct{ keys, what string }{
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

// renderHelp is the keyboard shortcuts dialog.
func (h *Home) renderHelp() app.UI {
	return app.Div().ID("help-backdrop").OnClick(h.onHelpBackdrop).Body(
		app.Div().ID("help").Role("dialog").Aria("modal", "true").Aria("labelledby", "help-title").Body(
			app.H2().ID("help-title").Text("Keyboard shortcuts"),
			app.Dl().Body(app.Range(shortcuts).Slice(func(i int) app.UI {
				return app.Div().Body(
					app.Dt().Body(app.Kbd().Text(shortcuts[i].keys)),
					app.Dd().Text(shortcuts[i].what),
				)
			})),
			app.Button().ID(helpCloseID).Text("Close").OnClick(h.onHelpClose),
		),
	)
}

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
	if e.Get("target").Get("id").String() == "help-backdrop" {
		h.showHelp(ctx, false)
	}
}
