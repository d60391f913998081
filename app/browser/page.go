package browser

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// SetBodyAttr sets an attribute on <body>: the UI marks data-wasm="ready"
// there, so tests can tell the client runs.
func SetBodyAttr(name, value string) {
	app.Window().Get("document").Get("body").Call("setAttribute", name, value)
}

// OnWindow calls fn on each window event name (e.g. "online") and returns
// the function that removes the listener.
func OnWindow(name string, fn func()) (remove func()) {
	f := app.FuncOf(func(app.Value, []app.Value) any {
		fn()
		return nil
	})
	app.Window().Call("addEventListener", name, f)
	return func() {
		app.Window().Call("removeEventListener", name, f)
		f.Release()
	}
}
