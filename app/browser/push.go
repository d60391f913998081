package browser

import (
	"encoding/json"
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Web Push through the service worker's PushManager (server/push is the
// other half). Each function calls done exactly once, from a JS callback:
// done must only hand the result on (ctx.Dispatch), never block.

// PushUnavailable says why Web Push cannot work in this page, "" when it
// can: the settings show it instead of a toggle that would fail.
func PushUnavailable() string {
	w := app.Window()
	switch {
	case !w.Get("isSecureContext").Truthy():
		return "Push needs a secure context: open Helm over https, or on http://localhost."
	case !w.Get("navigator").Get("serviceWorker").Truthy():
		return "Push needs a service worker, which this browser does not offer here."
	case !w.Get("PushManager").Truthy():
		return "This browser has no Push API (on iPhone and iPad: add Helm to the Home Screen first)."
	}
	return ""
}

// await calls ok with what promise p resolves to, or fail with why it was
// rejected, then releases both callbacks (app.Value.Then would leak them
// on a rejection).
func await(p app.Value, ok func(app.Value), fail func(error)) {
	var once sync.Once
	var funcs []app.Func
	wrap := func(f func(app.Value)) app.Func {
		jf := app.FuncOf(func(_ app.Value, args []app.Value) any {
			once.Do(func() {
				for _, f := range funcs {
					f.Release()
				}
				var v app.Value = app.Undefined()
				if len(args) > 0 {
					v = args[0]
				}
				f(v)
			})
			return nil
		})
		funcs = append(funcs, jf)
		return jf
	}
	onOK := wrap(ok)
	onFail := wrap(func(e app.Value) { fail(jsError(e)) })
	p.Call("then", onOK, onFail)
}

// pushManager calls ok with the active worker registration's PushManager.
func pushManager(ok func(app.Value), fail func(error)) {
	await(app.Window().Get("navigator").Get("serviceWorker").Get("ready"),
		func(reg app.Value) { ok(reg.Get("pushManager")) }, fail)
}

// PushSubscribed tells whether this browser holds a push subscription.
func PushSubscribed(done func(bool, error)) {
	fail := func(err error) { done(false, err) }
	pushManager(func(pm app.Value) {
		await(pm.Call("getSubscription"), func(sub app.Value) { done(sub.Truthy(), nil) }, fail)
	}, fail)
}

// PushSubscribe subscribes with the server's VAPID key (base64url, as
// applicationServerKey accepts it) and gives the subscription's JSON. The
// browser asks the user's permission here: call it from a click.
func PushSubscribe(key string, done func(subJSON string, err error)) {
	fail := func(err error) { done("", err) }
	pushManager(func(pm app.Value) {
		opts := map[string]any{"userVisibleOnly": true, "applicationServerKey": key}
		await(pm.Call("subscribe", opts), func(sub app.Value) {
			done(app.Window().Get("JSON").Call("stringify", sub).String(), nil)
		}, fail)
	}, fail)
}

// PushUnsubscribe ends this browser's subscription and gives its endpoint
// ("" when there was none).
func PushUnsubscribe(done func(endpoint string, err error)) {
	fail := func(err error) { done("", err) }
	pushManager(func(pm app.Value) {
		await(pm.Call("getSubscription"), func(sub app.Value) {
			if !sub.Truthy() {
				done("", nil)
				return
			}
			endpoint := sub.Get("endpoint").String()
			await(sub.Call("unsubscribe"), func(app.Value) { done(endpoint, nil) }, fail)
		}, fail)
	}, fail)
}

// Send makes a same-origin request with an optional JSON body and gives
// the body of a 2xx answer; otherwise an error holding the server's
// {"error": …} message, which says what to fix.
func Send(method, url, body string, done func([]byte, error)) {
	opts := map[string]any{
		"method":  method,
		"cache":   "no-store",
		"headers": map[string]any{"Accept": "application/json", "Content-Type": "application/json"},
	}
	if body != "" {
		opts["body"] = body
	}
	fail := func(err error) { done(nil, err) }
	await(app.Window().Call("fetch", url, opts), func(resp app.Value) {
		ok, status := resp.Get("ok").Bool(), resp.Get("status").Int()
		await(resp.Call("text"), func(t app.Value) {
			text := t.String()
			if ok {
				done([]byte(text), nil)
				return
			}
			var e struct{ Error string }
			if json.Unmarshal([]byte(text), &e) == nil && e.Error != "" {
				done(nil, &ServerError{Status: status, Message: e.Error})
				return
			}
			done(nil, &HTTPError{Method: method, URL: url, Status: status})
		}, fail)
	}, fail)
}

// ServerError is helmd's own {"error": …} answer to a request: written
// for the user, it says what to fix, so it may be shown as it is.
type ServerError struct {
	Status  int
	Message string
}

func (e *ServerError) Error() string { return e.Message }

// HTTPStatus is the status, for feed.PlainError.
func (e *ServerError) HTTPStatus() int { return e.Status }
