package browser

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// row finds the list row of a session key (li.session[data-key=…]).
func row(key string) app.Value { return itemOf("session", "key", key) }

// itemOf finds the li.<class> whose data-<attr> is key; nil when none.
func itemOf(class, attr, key string) app.Value {
	if key == "" {
		return nil
	}
	sel := `li.` + class + `[data-` + attr + `="` + app.Window().Get("CSS").Call("escape", key).String() + `"]`
	el := app.Window().Get("document").Call("querySelector", sel)
	if !el.Truthy() {
		return nil
	}
	return el
}

// FocusRow focuses the row of key and scrolls it into view if it is not
// (the sticky header is accounted for by the rows' scroll-margin-top).
// It reports whether the row is there to focus.
func FocusRow(key string) bool {
	el := row(key)
	if el == nil {
		return false
	}
	el.Call("focus", map[string]any{"preventScroll": true})
	el.Call("scrollIntoView", map[string]any{"block": "nearest"})
	return true
}

// Anchor is a row the user is reading and where it is on screen.
type Anchor struct {
	Key string
	Top float64 // its top edge, in viewport pixels
}

// ReadingAnchor finds the row to hold still across an update (see
// PickAnchor). There is none when the page is scrolled to the top: then
// the user watches the top of the list, where new activity should
// appear. Rows above the list ("Needs you") are no anchor: they are
// what moves when a session starts or stops waiting.
func ReadingAnchor(preferred string, moving func(key string) bool) (Anchor, bool) {
	w := app.Window()
	if w.Get("scrollY").Float() <= 0 {
		return Anchor{}, false
	}
	vh := w.Get("innerHeight").Float()
	doc := w.Get("document")
	readTop := 0.0
	if h := doc.Call("querySelector", "header.top"); h.Truthy() {
		readTop = h.Call("getBoundingClientRect").Get("bottom").Float()
	}
	var rows []Box
	if el := row(preferred); el != nil {
		rows = append(rows, box(el))
	}
	// The row under the header's edge, else (something above the list
	// is there) the list's first row; then the rows after it.
	li := app.Value(nil)
	if l := doc.Call("getElementById", "sessions"); l.Truthy() {
		x := l.Call("getBoundingClientRect").Get("left").Float() + 40
		if el := doc.Call("elementFromPoint", x, readTop+4); el.Truthy() {
			li = el.Call("closest", "#sessions > li.session")
		}
		if li == nil || !li.Truthy() {
			li = l.Get("firstElementChild")
		}
	}
	for i := 0; li != nil && li.Truthy() && i < 4*maxAnchorRows; i, li = i+1, li.Get("nextElementSibling") {
		b := box(li)
		rows = append(rows, b)
		if b.Top >= vh {
			break
		}
	}
	return PickAnchor(preferred, rows, readTop, vh, moving)
}

func box(el app.Value) Box {
	r := el.Call("getBoundingClientRect")
	return Box{Key: el.Get("dataset").Get("key").String(), Top: r.Get("top").Float(), Bottom: r.Get("bottom").Float()}
}

// Hold scrolls so the anchor's row is back where it was, after rows above
// it were added, removed or moved; and again in the next few frames:
// rows off screen are laid out lazily (content-visibility), so rows above
// the one read may change height a frame after the update, and the
// browser's own scroll anchoring is off for the list (it would follow
// the rows the update moves).
func Hold(a Anchor) {
	holdOnce(a)
	n := 0
	var f app.Func
	f = app.FuncOf(func(app.Value, []app.Value) any {
		holdOnce(a)
		if n++; n < holdFrames {
			app.Window().Call("requestAnimationFrame", f)
		} else {
			f.Release()
		}
		return nil
	})
	app.Window().Call("requestAnimationFrame", f)
}

// holdFrames is how many frames after an update Hold keeps the row in
// place: long enough for lazy layout, too short to fight a user's scroll.
const holdFrames = 3

func holdOnce(a Anchor) {
	el := row(a.Key)
	if el == nil {
		return
	}
	if d := Shift(a, el.Call("getBoundingClientRect").Get("top").Float()); d != 0 {
		app.Window().Call("scrollBy", 0, d)
	}
}

// OnRowPress calls fn with a list row's key when the primary pointer
// goes down on it: a click's worth of time before the click. The
// listener is the browser's own, not a go-app handler, so a press does
// not re-render the list. It returns the function that removes it.
func OnRowPress(fn func(key string)) (remove func()) {
	doc := app.Window().Get("document")
	f := app.FuncOf(func(_ app.Value, args []app.Value) any {
		if len(args) == 0 || number(args[0], "button") != 0 {
			return nil
		}
		t := args[0].Get("target")
		if !t.Truthy() || t.Get("closest").Type() != app.TypeFunction {
			return nil
		}
		if li := t.Call("closest", "li.session"); li.Truthy() {
			fn(li.Get("dataset").Get("key").String())
		}
		return nil
	})
	opts := map[string]any{"capture": true, "passive": true}
	doc.Call("addEventListener", "pointerdown", f, opts)
	return func() {
		doc.Call("removeEventListener", "pointerdown", f, opts)
		f.Release()
	}
}

// FocusHold is the session a list control has the focus for: rows are
// rewritten in place, so after an update the focused element may show
// another session, and Enter (or Clear) would act on that one.
type FocusHold struct {
	item  string // "session" (a list row, data-key) or "needs" (data-session)
	key   string
	inner string // the focused control's first class inside the item; "" for the item itself
}

// Held reports whether h holds a focus to restore.
func (h FocusHold) Held() bool { return h.key != "" }

// Row is the session of the list row h holds the focus of; "" when h
// holds none, or a "Needs you" item's.
func (h FocusHold) Row() string {
	if h.item != "session" {
		return ""
	}
	return h.key
}

// HoldFocus notes what the focus is on, before an update.
func HoldFocus() FocusHold {
	el := Focused()
	if !el.Truthy() || !el.Get("closest").Truthy() {
		return FocusHold{}
	}
	item := el.Call("closest", "li.session, li.needs")
	if !item.Truthy() {
		return FocusHold{}
	}
	h := FocusHold{item: "session", key: item.Get("dataset").Get("key").String()}
	if item.Get("classList").Call("contains", "needs").Bool() {
		h.item, h.key = "needs", item.Get("dataset").Get("session").String()
	}
	if cl := el.Get("classList"); !el.Equal(item) && cl.Get("length").Int() > 0 {
		h.inner = cl.Index(0).String()
	}
	return h
}

// Restore puts the focus back on the same session's control after the
// update is rendered, without scrolling; when that session's item is
// gone (filtered out, past the rows shown), the focus leaves the stale
// element rather than stay on another session.
func (h FocusHold) Restore() {
	if h.key == "" {
		return
	}
	attr := "key"
	if h.item == "needs" {
		attr = "session"
	}
	now := Focused()
	if now.Truthy() {
		if item := now.Call("closest", "li."+h.item); item.Truthy() && item.Get("dataset").Get(attr).String() == h.key {
			return // still on it
		}
	}
	target := itemOf(h.item, attr, h.key)
	if target != nil && h.inner != "" {
		target = target.Call("querySelector", "."+app.Window().Get("CSS").Call("escape", h.inner).String())
	}
	if target != nil && target.Truthy() {
		target.Call("focus", map[string]any{"preventScroll": true})
		return
	}
	if now.Truthy() && now.Call("closest", "li.session, li.needs").Truthy() {
		now.Call("blur")
	}
}
