package browser

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Scroll is a scrolling element's geometry, in px.
type Scroll struct {
	Top, View, Height float64
}

// AtBottom reports whether the view shows the end (within slack px).
func (s Scroll) AtBottom(slack float64) bool { return s.Top+s.View >= s.Height-slack }

// ScrollOf reads the geometry of the element with id.
func ScrollOf(id string) (Scroll, bool) {
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return Scroll{}, false
	}
	return Scroll{Top: el.Get("scrollTop").Float(), View: el.Get("clientHeight").Float(), Height: el.Get("scrollHeight").Float()}, true
}

// ScrollTo scrolls the element with id to top px (the browser clamps it).
func ScrollTo(id string, top float64) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Set("scrollTop", top)
	}
}

// RowHeights measures the rendered rows inside the element with id: the
// elements matching sel, each with a data-i attribute naming its index.
// fn is called with each index and height.
func RowHeights(id, sel string, fn func(i int, px float64)) {
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return
	}
	rows := el.Call("querySelectorAll", sel)
	for k, n := 0, rows.Length(); k < n; k++ {
		r := rows.Index(k)
		i, err := strconv.Atoi(r.Get("dataset").Get("i").String())
		if err != nil {
			continue
		}
		fn(i, r.Call("getBoundingClientRect").Get("height").Float())
	}
}

// Copy puts text on the clipboard; done reports the outcome (the
// clipboard needs a secure context and the page's focus).
func Copy(text string, done func(ok bool)) {
	clip := app.Window().Get("navigator").Get("clipboard")
	if !clip.Truthy() {
		done(false)
		return
	}
	var ok, fail app.Func
	release := func() { ok.Release(); fail.Release() }
	ok = app.FuncOf(func(app.Value, []app.Value) any { release(); done(true); return nil })
	fail = app.FuncOf(func(app.Value, []app.Value) any { release(); done(false); return nil })
	clip.Call("writeText", text).Call("then", ok, fail)
}

// Back goes one step back in the browser's history.
func Back() { app.Window().Get("history").Call("back") }

// SetHeight sets the CSS height of the element with id through the
// CSSOM: a style attribute would be refused by the page's CSP.
func SetHeight(id string, px float64) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Get("style").Set("height", strconv.FormatFloat(px, 'f', 0, 64)+"px")
	}
}

// GrowHeight adds px to the height of the element with id as laid out
// now (a spacer whose height the next render will set anyway).
func GrowHeight(id string, px float64) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		SetHeight(id, el.Call("getBoundingClientRect").Get("height").Float()+px)
	}
}

// PageStream is an EventSource for one session's messages: onPage gets
// each "messages" event's data; onError gets whether the source is
// closed for good (an HTTP error such as 404: the browser will not
// retry) rather than reconnecting.
type PageStream struct {
	es    app.Value
	funcs []app.Func
}

// OpenPageStream opens url: onPage gets each "messages" event's data,
// onSession each "session" event's (the session's summary, for the
// header; an older helmd sends none), onReset a "reset" (reload the last
// page), onGone a "gone" (helmd no longer has the session, or the
// subagent's transcript: deleted or moved), onError a failure.
func OpenPageStream(url string, onPage, onSession func(data string), onReset, onGone func(), onError func(closed bool)) *PageStream {
	s := &PageStream{es: app.Window().Get("EventSource").New(url)}
	listen := func(name string, fn func(e app.Value)) {
		f := app.FuncOf(func(_ app.Value, args []app.Value) any {
			if len(args) > 0 {
				fn(args[0])
			}
			return nil
		})
		s.es.Call("addEventListener", name, f)
		s.funcs = append(s.funcs, f)
	}
	listen("messages", func(e app.Value) { onPage(e.Get("data").String()) })
	listen("session", func(e app.Value) { onSession(e.Get("data").String()) })
	// The transcript was replaced or rewritten under the cursor: the
	// loaded messages are no base for what follows.
	listen("reset", func(app.Value) { onReset() })
	listen("gone", func(app.Value) { onGone() })
	listen("error", func(app.Value) { onError(s.es.Get("readyState").Int() == 2) })
	return s
}

// Close closes the source and releases its listeners.
func (s *PageStream) Close() {
	s.es.Call("close")
	for _, f := range s.funcs {
		f.Release()
	}
	s.funcs = nil
}

// RowIntoView brings the rendered row with data-i=i inside the element
// with id into the view: a row already whole in it stays where it is, a
// row not, to the middle; a row taller than the view, its first find
// mark, when it has one in view no longer (a match deep in a long
// output or a whole file's text, shown all). It reports whether the row
// was rendered.
func RowIntoView(id string, i int) bool {
	el, row, ok := rowOf(id, i)
	if ok && !wholly(el, row) {
		target := row
		if mark := row.Call("querySelector", "mark"); mark.Truthy() && !wholly(el, mark) &&
			row.Get("offsetHeight").Float() > el.Get("clientHeight").Float() {
			target = mark
		}
		target.Call("scrollIntoView", map[string]any{"block": "center"})
	}
	return ok
}

// RowWhollyInView reports whether the rendered row with data-i=i inside
// the scrolling element with id is in its view from top to bottom.
func RowWhollyInView(id string, i int) bool {
	el, row, ok := rowOf(id, i)
	return ok && wholly(el, row)
}

// rowOf is the scrolling element with id and its rendered row with
// data-i=i; ok is false when either is not there.
func rowOf(id string, i int) (el, row app.Value, ok bool) {
	el = app.Window().GetElementByID(id)
	if !el.Truthy() {
		return el, el, false
	}
	row = el.Call("querySelector", `.msg[data-i="`+strconv.Itoa(i)+`"]`)
	return el, row, row.Truthy()
}

// wholly reports whether row is in el's view from top to bottom.
func wholly(el, row app.Value) bool {
	view, box := el.Call("getBoundingClientRect"), row.Call("getBoundingClientRect")
	return box.Get("top").Float() >= view.Get("top").Float() && box.Get("bottom").Float() <= view.Get("bottom").Float()
}

// RowsInView calls fn, in order, for each rendered row (a .msg with
// data-i) inside the scrolling element with id that is at least partly
// in its view, with whether its top is in the view too.
func RowsInView(id string, fn func(i int, starts bool)) {
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return
	}
	view := el.Call("getBoundingClientRect")
	top, bottom := view.Get("top").Float(), view.Get("bottom").Float()
	rows := el.Call("querySelectorAll", ".msg[data-i]")
	for k, n := 0, rows.Length(); k < n; k++ {
		r := rows.Index(k)
		box := r.Call("getBoundingClientRect")
		rt, rb := box.Get("top").Float(), box.Get("bottom").Float()
		if rb <= top {
			continue
		}
		if rt >= bottom {
			return
		}
		if i, err := strconv.Atoi(r.Get("dataset").Get("i").String()); err == nil {
			fn(i, rt >= top)
		}
	}
}

// FirstRowInView is the first rendered row (a .msg with data-i) inside
// the scrolling element with id whose bottom is below the view's top:
// the row being read. at is its top's offset from the view's top (≤ 0
// when the view's top cuts it).
func FirstRowInView(id string) (i int, at float64, ok bool) {
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return 0, 0, false
	}
	view := el.Call("getBoundingClientRect").Get("top").Float()
	rows := el.Call("querySelectorAll", ".msg[data-i]")
	for k, n := 0, rows.Length(); k < n; k++ {
		r := rows.Index(k)
		box := r.Call("getBoundingClientRect")
		if box.Get("bottom").Float() <= view {
			continue
		}
		i, err := strconv.Atoi(r.Get("dataset").Get("i").String())
		if err != nil {
			return 0, 0, false
		}
		return i, box.Get("top").Float() - view, true
	}
	return 0, 0, false
}

// RowTop is where the rendered row with data-i=i starts in the content
// of the scrolling element with id: px from the content's top, which a
// scroll does not change but a change above the row does. ok is false
// when the row is not rendered.
func RowTop(id string, i int) (top float64, ok bool) {
	el, row, ok := rowOf(id, i)
	if !ok {
		return 0, false
	}
	view := el.Call("getBoundingClientRect").Get("top").Float()
	return row.Call("getBoundingClientRect").Get("top").Float() - view + el.Get("scrollTop").Float(), true
}
