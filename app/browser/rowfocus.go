package browser

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// rowFocusable is what takes the keyboard's focus inside a transcript's
// row: a block's line, Show all, a link, a scrolling pre.
const rowFocusable = "button, a[href], [tabindex]"

// RowFocus is the control inside a transcript's row that has the
// keyboard's focus. The rows are rendered by their place in the window,
// not by message: when the window moves (a message appended while the
// end is followed), a row's elements are rewritten with another
// message's, or replaced, and the focus was left on another message's
// control, or dropped to the page's body.
type RowFocus struct {
	el  app.Value // the element that had the focus; nil: none held
	row int       // its row's data-i
	key string    // its data-key (a block's line, its Show all), if any
	nth int       // else its place among the row's focusable elements
}

// Shift moves the row f notes by by: its message's index changed (the
// messages above it let go) while the rows rendered still count from
// before.
func (f *RowFocus) Shift(by int) { f.row += by }

// Held reports whether f notes a control to put the focus back on.
func (f RowFocus) Held() bool { return f.el != nil }

// Dropped reports whether the reader moved the focus off the control f
// holds to nothing (a click beside it): the focus is on the body while
// the control is still in the page. A render's drop takes it out.
func (f RowFocus) Dropped() bool {
	return f.Held() && !Focused().Truthy() && f.el.Get("isConnected").Bool()
}

// HoldRowFocus notes which row's control has the focus inside the
// scrolling element with id, before a render.
func HoldRowFocus(id string) RowFocus {
	el := Focused()
	if !el.Truthy() || !el.Get("closest").Truthy() {
		return RowFocus{}
	}
	row := el.Call("closest", `.msg[data-i]`)
	if !row.Truthy() || !row.Call("closest", "#"+id).Truthy() {
		return RowFocus{}
	}
	i, err := strconv.Atoi(row.Get("dataset").Get("i").String())
	if err != nil {
		return RowFocus{}
	}
	f := RowFocus{el: el, row: i, nth: -1}
	if k := el.Get("dataset").Get("key"); k.Truthy() {
		f.key = k.String()
		return f
	}
	all := row.Call("querySelectorAll", rowFocusable)
	for n, l := 0, all.Length(); n < l; n++ {
		if all.Index(n).Equal(el) {
			f.nth = n
			break
		}
	}
	return f
}

// Restore, after a render, puts the focus back on the control f noted,
// without scrolling, when the render took it away (out of the page, or
// onto another message's control in its place). When its row is no
// longer rendered (the window moved past it), the scrolling element
// takes the focus, so that the keys still read the transcript. A focus
// moved out of the rows (into the find box, say), or dropped by the
// reader, is left where it is.
func (f RowFocus) Restore(id string) {
	if !f.Held() || f.Dropped() {
		return
	}
	box := app.Window().GetElementByID(id)
	if !box.Truthy() {
		return
	}
	now := Focused()
	if now.Truthy() && !now.Equal(box) && !box.Call("contains", now).Bool() {
		return
	}
	var target app.Value
	if row := box.Call("querySelector", `.msg[data-i="`+strconv.Itoa(f.row)+`"]`); row.Truthy() {
		switch {
		case f.key != "":
			target = row.Call("querySelector", `[data-key="`+app.Window().Get("CSS").Call("escape", f.key).String()+`"]`)
		case f.nth >= 0:
			target = row.Call("querySelectorAll", rowFocusable).Index(f.nth)
		}
	}
	if target == nil || !target.Truthy() {
		target = box
	}
	if !now.Equal(target) {
		target.Call("focus", map[string]any{"preventScroll": true})
	}
}
