package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/shared"
)

// postClear asks the server to clear a session from "Needs you".
func postClear(path string, done func(error)) {
	browser.Fetch("POST", path, func(_ []byte, err error) { done(err) })
}

// loadAttention reads the attention settings (browser only).
func (h *Home) loadAttention(ctx app.Context) {
	var s attnSettings
	if err := ctx.LocalStorage().Get(attentionKey, &s); err == nil {
		h.attn.settings = s
	}
	h.attn.permission = browser.NotificationPermission()
	if h.attn.settings.Stable {
		h.attn.order = listOrder(h)
	}
}

// saveAttention keeps the settings; a full storage only loses them.
func (h *Home) saveAttention() {
	if h.machine == nil {
		return
	}
	_ = h.ctx.LocalStorage().Set(attentionKey, h.attn.settings)
}

// notifyWaiting shows a system notification for each session ev makes
// wait for the user, unless the user is looking at Helm, muted its
// project, or did not allow notifications. Sessions already waiting when
// the page opened are not news: a full list that comes first is only
// noted (a resumed stream starts with changes instead, which are news),
// and a wait that began before the page opened is skipped.
func (h *Home) notifyWaiting(ev shared.Event) {
	if h.machine == nil {
		return // not in a browser
	}
	if !h.attn.primed && len(ev.Sessions) > 0 {
		h.attn.primed = true
		if ev.Type.IsSnapshot() {
			return // the first list: what waited before the page opened
		}
	}
	started := startedWaiting(ev, h.sessions.Get)
	if len(started) == 0 || browser.NotificationPermission() != "granted" || browser.HasFocus() {
		return
	}
	shown := 0
	for i := range started {
		s := &started[i]
		if h.attn.settings.muted(s.ProjectPath) || (s.WaitingSince > 0 && s.WaitingSince < h.attn.mountedAt) {
			continue
		}
		if shown == maxNotify {
			break
		}
		shown++
		title, body := notification(s)
		browser.ShowNotification(browser.Notification{Title: title, Body: body, Tag: s.Key(), URL: sessionPath(s)})
	}
	if shown > 0 && h.attn.settings.Sound {
		browser.Beep()
	}
}

// renderBell is the header's notification button: it asks for the
// permission (browsers allow that only from a click) and opens the
// attention settings. Its bell is drawn by the style sheet, not an emoji:
// a desktop without a colour emoji font showed an empty box.
func (h *Home) renderBell() app.UI {
	label := "Notifications: off"
	switch h.attn.permission {
	case "granted":
		label = "Notifications: on"
	case "denied":
		label = "Notifications: blocked in the browser's site settings"
	case "unsupported":
		label = "Notifications: not available here (they need https or localhost)"
	}
	return el.Button().ID("bell").Title("%s", label).Aria("label", label).
		Aria("expanded", h.attn.panel).DataSet("permission", h.attn.permission).
		Body(el.Span().Class("icon-bell").Aria("hidden", "true")).OnClick(h.onBell)
}

// renderStable is the "stable order" toggle.
func (h *Home) renderStable() app.UI {
	return el.Button().ID("stable").Aria("pressed", h.attn.settings.Stable).
		Title("Stable order: rows keep their places while sessions change").
		Text("Stable order").OnClick(h.onStable)
}

func (h *Home) onBell(ctx app.Context, _ app.Event) {
	h.attn.panel = !h.attn.panel
	if h.attn.permission != "default" {
		return
	}
	hctx := h.ctx
	browser.RequestNotificationPermission(func(p string) {
		hctx.Dispatch(func(app.Context) { h.attn.permission = p })
	})
}

func (h *Home) onStable(ctx app.Context, _ app.Event) {
	h.attn.settings.Stable = !h.attn.settings.Stable
	h.attn.order = listOrder(h)
	h.saveAttention()
}

func (h *Home) onSound(ctx app.Context, _ app.Event) {
	h.attn.settings.Sound = ctx.JSSrc().Get("checked").Bool()
	h.saveAttention()
	if h.attn.settings.Sound {
		browser.Beep() // what it will sound like
	}
}

// renderAttnPanel is the bell's settings: sound, and the muted projects.
func (h *Home) renderAttnPanel() app.UI {
	muted := h.attn.settings.Muted
	return el.Div().ID("attn-settings").Class("notice").Body(
		el.Label().Body(
			el.Input().Attr("type", "checkbox").ID("sound").Attr("checked", h.attn.settings.Sound).OnChange(h.onSound),
			app.Text(" Play a sound with each notification"),
		),
		app.If(len(muted) == 0, func() app.UI {
			return el.P().Text("No project is muted. Mute one from its row in “Needs you”.")
		}).Else(func() app.UI {
			return el.Ul().ID("muted").Body(app.Range(muted).Slice(func(i int) app.UI {
				return el.Li().Body(
					el.Span().Text(md.Clean(muted[i])),
					el.Button().DataSet("project", attr(muted[i])).Text("Unmute").OnClick(h.onMute),
				)
			}))
		}),
	)
}

// listOrder is the order to hold: the list as it is now when the user
// wants a stable order, else none.
func listOrder(h *Home) list.Order {
	if !h.attn.settings.Stable {
		return list.Order{}
	}
	return list.Freeze(h.sessions.Sessions())
}
