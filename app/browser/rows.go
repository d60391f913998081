package browser

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// row finds the list row of a session key (li.session[data-key=…]).
func row(key string) app.Value {
	if key == "" {
		return nil
	}
	sel := `li.session[data-key="` + app.Window().Get("CSS").Call("escape", key).String() + `"]`
	el := app.Window().Get("document").Call("querySelector", sel)
	if !el.Truthy() {
		return nil
	}
	return el
}

// FocusRow focuses the row of key and scrolls it into view if it is not
// (the sticky header is accounted for by the rows' scroll-margin-top).
func FocusRow(key string) {
	el := row(key)
	if el == nil {
		return
	}
	el.Call("focus", map[string]any{"preventScroll": true})
	el.Call("scrollIntoView", map[string]any{"block": "nearest"})
}

// Anchor is a row the user is reading and where it is on screen.
type Anchor struct {
	Key string
	Top float64 // its top edge, in viewport pixels
}

// ReadingAnchor finds the row to hold still across an update: the
// preferred one (the selected row) if it is on screen, else the first row
// below the sticky header that moving does not skip (the rows the update
// itself moves are no anchor: the page would follow them). There is none
// when the page is scrolled to the top: then the user watches the top of
// the list, where new activity should appear.
func ReadingAnchor(preferred string, moving func(key string) bool) (Anchor, bool) {
	w := app.Window()
	if w.Get("scrollY").Float() <= 0 {
		return Anchor{}, false
	}
	vh := w.Get("innerHeight").Float()
	if el := row(preferred); el != nil {
		r := el.Call("getBoundingClientRect")
		if top := r.Get("top").Float(); top >= 0 && top < vh {
			return Anchor{Key: preferred, Top: top}, true
		}
	}
	doc := w.Get("document")
	y := 0.0
	if h := doc.Call("querySelector", "header.top"); h.Truthy() {
		y = h.Call("getBoundingClientRect").Get("bottom").Float()
	}
	x := 40.0
	if l := doc.Call("getElementById", "sessions"); l.Truthy() {
		x = l.Call("getBoundingClientRect").Get("left").Float() + 40
	}
	el := doc.Call("elementFromPoint", x, y+4)
	if !el.Truthy() {
		return Anchor{}, false
	}
	li := el.Call("closest", "li.session")
	for i := 0; li.Truthy() && i < 50; i, li = i+1, li.Get("nextElementSibling") {
		top := li.Call("getBoundingClientRect").Get("top").Float()
		if top >= vh {
			break
		}
		if key := li.Get("dataset").Get("key").String(); !moving(key) {
			return Anchor{Key: key, Top: top}, true
		}
	}
	return Anchor{}, false
}

// Hold scrolls so the anchor's row is back where it was, after rows above
// it were added, removed or moved.
func Hold(a Anchor) {
	el := row(a.Key)
	if el == nil {
		return
	}
	if d := el.Call("getBoundingClientRect").Get("top").Float() - a.Top; d != 0 {
		app.Window().Call("scrollBy", 0, d)
	}
}
