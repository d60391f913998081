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

// AfterPaint calls fn once the browser has painted its next frame (a
// timer set from an animation frame runs after that frame is painted),
// so that work done by fn does not delay what was just drawn. fn runs on
// a JS callback: it must Dispatch what touches a component. A hidden tab
// paints nothing, and fn waits until the tab is shown.
func AfterPaint(fn func()) {
	var frame, painted app.Func
	painted = app.FuncOf(func(app.Value, []app.Value) any {
		painted.Release()
		fn()
		return nil
	})
	frame = app.FuncOf(func(app.Value, []app.Value) any {
		frame.Release()
		app.Window().Call("setTimeout", painted, 0)
		return nil
	})
	app.Window().Call("requestAnimationFrame", frame)
}

// Hidden reports whether the page is out of sight: a background tab, a
// minimised window, a locked phone (document.hidden).
func Hidden() bool {
	return app.Window().Get("document").Get("hidden").Bool()
}

// OnVisibility calls fn each time the page is shown or hidden (the
// document's visibilitychange; Hidden says which) and returns the
// function that removes the listener.
func OnVisibility(fn func()) (remove func()) {
	f := app.FuncOf(func(app.Value, []app.Value) any {
		fn()
		return nil
	})
	doc := app.Window().Get("document")
	doc.Call("addEventListener", "visibilitychange", f)
	return func() {
		doc.Call("removeEventListener", "visibilitychange", f)
		f.Release()
	}
}
