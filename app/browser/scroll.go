package browser

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// OnNearEnd calls fn when a scroll brings the bottom of the viewport
// within margin px of the end of the page. The check is a few property
// reads per scroll event; fn runs once per approach (again only after
// the page grew or the user scrolled away and back). It returns the
// function that removes the listener.
func OnNearEnd(margin float64, fn func()) (remove func()) {
	w := app.Window()
	lastHeight := -1.0
	f := app.FuncOf(func(app.Value, []app.Value) any {
		doc := w.Get("document").Get("documentElement")
		height := doc.Get("scrollHeight").Float()
		near := w.Get("scrollY").Float()+w.Get("innerHeight").Float() >= height-margin
		switch {
		case !near:
			lastHeight = -1
		case height != lastHeight:
			lastHeight = height
			fn()
		}
		return nil
	})
	w.Call("addEventListener", "scroll", f, map[string]any{"passive": true})
	return func() {
		w.Call("removeEventListener", "scroll", f)
		f.Release()
	}
}

// Scrolled reports whether the page is scrolled down from its top (the
// browser restores a reload's scroll on the server's page, before the
// client's first render). False outside a browser.
func Scrolled() bool {
	if !app.IsClient {
		return false
	}
	return app.Window().Get("scrollY").Float() > 0
}

// PageY is how far the page is scrolled down (0 outside a browser).
func PageY() float64 {
	if !app.IsClient {
		return 0
	}
	return app.Window().Get("scrollY").Float()
}

// ScrollPage scrolls the page to y, at once: scrollTo's behavior is
// instant when the page's CSS asks for no smooth scroll (helm.css does
// not), and the list page never scrolls sideways. Its numbers rather
// than an options object: a Go map built for one call is a kilobyte of
// the client's wasm.
func ScrollPage(y float64) {
	app.Window().Call("scrollTo", 0, y)
}

// OnSizeOf calls fn each time the element with id changes size, as a
// ResizeObserver sees it (and once at the start). It returns the function
// that stops it; a page without the element or the observer gets one that
// does nothing.
func OnSizeOf(id string, fn func()) (remove func()) {
	el, ro := app.Window().GetElementByID(id), app.Window().Get("ResizeObserver")
	if !el.Truthy() || !ro.Truthy() {
		return func() {}
	}
	f := app.FuncOf(func(app.Value, []app.Value) any {
		fn()
		return nil
	})
	obs := ro.New(f)
	obs.Call("observe", el)
	return func() {
		obs.Call("disconnect")
		f.Release()
	}
}

// OnScrollUpAsked calls fn when the reader asks the element with id to
// scroll up: a wheel turned up, a finger drawn down, ArrowUp in it, a
// press on the element itself (its scrollbar, whichever way the drag
// then goes). It comes before the scroll asked for, and well before that
// scroll's event, which the browser sends at its next frame. It returns
// the function that removes the listeners; a page without the element
// gets one that does nothing.
func OnScrollUpAsked(id string, fn func()) (remove func()) {
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return func() {}
	}
	touchY := 0.0
	at := func(e app.Value) float64 {
		ts := e.Get("touches")
		if number(ts, "length") == 0 {
			return touchY
		}
		return number(ts.Index(0), "clientY")
	}
	// One listener for the five events: a closure for each cost the
	// client 6 KB more.
	f := app.FuncOf(func(_ app.Value, a []app.Value) any {
		e := a[0]
		switch e.Get("type").String() {
		case "wheel":
			if number(e, "deltaY") < 0 {
				fn()
			}
		case "touchstart":
			touchY = at(e)
		case "touchmove":
			y := at(e)
			if y > touchY {
				fn()
			}
			touchY = y
		case "pointerdown":
			if e.Get("target").Equal(el) {
				fn()
			}
		case "keydown":
			if e.Get("key").String() == "ArrowUp" {
				fn()
			}
		}
		return nil
	})
	events := [...]string{"wheel", "touchstart", "touchmove", "pointerdown", "keydown"}
	for _, name := range events {
		el.Call("addEventListener", name, f, map[string]any{"passive": true})
	}
	return func() {
		for _, name := range events {
			el.Call("removeEventListener", name, f)
		}
		f.Release()
	}
}

// OnResize calls fn after the window changed size (a phone turned, a
// window resized). It returns the function that removes the listener.
func OnResize(fn func()) (remove func()) {
	w := app.Window()
	f := app.FuncOf(func(app.Value, []app.Value) any {
		fn()
		return nil
	})
	w.Call("addEventListener", "resize", f, map[string]any{"passive": true})
	return func() {
		w.Call("removeEventListener", "resize", f)
		f.Release()
	}
}
