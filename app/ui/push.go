package ui

import (
	"encoding/json"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/el"
)

// PushToggle is the "Notify me when away" setting: a Web Push
// subscription, so helmd can say a session waits when no Helm page is
// open. Where push cannot work it says why instead of offering a toggle.
type PushToggle struct {
	app.Compo

	unavailable string // why push cannot work here; "" when it can
	checked     bool   // the browser has finished asking
	on          bool   // this browser is subscribed
	busy        bool
	msg         string // the last failure, in plain words (pushFailed)
}

func (p *PushToggle) OnMount(ctx app.Context) {
	if p.unavailable = browser.PushUnavailable(); p.unavailable != "" {
		p.checked = true
		return
	}
	browser.PushSubscribed(func(on bool, err error) {
		ctx.Dispatch(func(app.Context) {
			p.checked, p.on = true, on
			if err != nil {
				p.msg = pushFailed("check for push notifications", err)
			}
		})
	})
}

func (p *PushToggle) Render() app.UI {
	if p.unavailable != "" {
		return el.P().ID("push").Class("push-off").Text(p.unavailable)
	}
	label := "Notify me when away"
	if p.on {
		label = "Notifying this device when away: turn off"
	}
	return el.Div().ID("push").Body(
		el.Button().ID("push-toggle").Aria("pressed", strconv.FormatBool(p.on)).Aria("busy", strconv.FormatBool(!p.checked || p.busy)).
			Title("A system notification when a session starts waiting, even with no Helm page open").
			Text(label).OnClick(p.onToggle),
		app.If(p.msg != "", func() app.UI {
			return el.Span().ID("push-error").Role("alert").Text(p.msg)
		}),
	)
}

func (p *PushToggle) onToggle(ctx app.Context, e app.Event) {
	if p.busy || !p.checked { // not disabled: the pre-rendered page keeps every control enabled
		return
	}
	p.busy, p.msg = true, ""
	action := "turn on push notifications"
	if p.on {
		action = "turn off push notifications"
	}
	finish := func(on bool, err error) {
		ctx.Dispatch(func(app.Context) {
			p.busy, p.on = false, on
			if err != nil {
				p.msg = pushFailed(action, err)
			}
		})
	}
	if p.on {
		browser.PushUnsubscribe(func(endpoint string, err error) {
			if err != nil || endpoint == "" {
				finish(err != nil, err)
				return
			}
			body, _ := json.Marshal(map[string]string{"endpoint": endpoint})
			// The browser no longer listens either way; the server forgets
			// it now, or at the first push (410).
			browser.Send("POST", "/api/push/unsubscribe", string(body), func(_ []byte, err error) { finish(false, err) })
		})
		return
	}
	browser.Send("GET", "/api/push/key", "", func(b []byte, err error) {
		var k struct{ PublicKey string }
		if err == nil {
			err = json.Unmarshal(b, &k)
		}
		if err != nil {
			finish(false, err)
			return
		}
		browser.PushSubscribe(k.PublicKey, func(sub string, err error) {
			if err != nil {
				finish(false, err)
				return
			}
			browser.Send("POST", "/api/push/subscribe", sub, func(_ []byte, err error) { finish(err == nil, err) })
		})
	})
}
