package browser

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// NotificationPermission is the page's notification permission:
// "granted", "denied", "default" (not asked yet), or "unsupported" when
// the browser has no Notification API (or the page is not a secure
// context, where it is hidden).
func NotificationPermission() string {
	n := app.Window().Get("Notification")
	if !n.Truthy() {
		return "unsupported"
	}
	return n.Get("permission").String()
}

// RequestNotificationPermission asks the user, which browsers allow only
// from a user's gesture (a click); done gets the answer.
func RequestNotificationPermission(done func(permission string)) {
	n := app.Window().Get("Notification")
	if !n.Truthy() {
		done("unsupported")
		return
	}
	then(n.Call("requestPermission"), func(v app.Value) {
		if v != nil && v.Type() == app.TypeString {
			done(v.String())
			return
		}
		done(NotificationPermission())
	})
}

// Notification is what ShowNotification shows.
type Notification struct {
	Title, Body string
	Tag         string // a later notification with the same tag replaces it
	URL         string // same-origin path the worker opens on a click
}

// ShowNotification shows n through the service worker's registration:
// the Notification constructor throws inside workers and is on its way
// out elsewhere, and a worker's notification survives the page and can
// be clicked back to it. Nothing happens without a worker.
func ShowNotification(n Notification) {
	sw := app.Window().Get("navigator").Get("serviceWorker")
	if !sw.Truthy() {
		return
	}
	then(sw.Get("ready"), func(reg app.Value) {
		if reg == nil || !reg.Truthy() {
			return
		}
		opts := map[string]any{
			"body": n.Body,
			"tag":  n.Tag,
			"data": map[string]any{"url": n.URL},
		}
		// A rejection (permission revoked meanwhile) is ignored.
		then(reg.Call("showNotification", n.Title, opts), func(app.Value) {})
	})
}

// HasFocus reports whether the page is the window the user is using.
func HasFocus() bool {
	return app.Window().Get("document").Call("hasFocus").Bool()
}

// Beep plays a short, quiet tone (WebAudio; nothing if unavailable).
func Beep() {
	ac := app.Window().Get("AudioContext")
	if !ac.Truthy() {
		return
	}
	c := ac.New()
	osc := c.Call("createOscillator")
	gain := c.Call("createGain")
	osc.Get("frequency").Set("value", 880)
	gain.Get("gain").Set("value", 0.05)
	osc.Call("connect", gain)
	gain.Call("connect", c.Get("destination"))
	t := c.Get("currentTime").Float()
	osc.Call("start", t)
	osc.Call("stop", t+0.15)
	var closeFn app.Func
	closeFn = app.FuncOf(func(app.Value, []app.Value) any {
		c.Call("close")
		closeFn.Release()
		return nil
	})
	osc.Set("onended", closeFn)
}

// then calls f with the value p resolves to, once, and releases its
// callbacks whichever way p settles (app.Value.Then leaks on rejection).
func then(p app.Value, f func(app.Value)) {
	var ok, fail app.Func
	release := func() {
		ok.Release()
		fail.Release()
	}
	ok = app.FuncOf(func(_ app.Value, args []app.Value) any {
		release()
		var v app.Value
		if len(args) > 0 {
			v = args[0]
		}
		f(v)
		return nil
	})
	fail = app.FuncOf(func(app.Value, []app.Value) any {
		release()
		return nil
	})
	p.Call("then", ok, fail)
}
