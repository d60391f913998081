package browser

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Key is a keydown as the page's shortcuts need it.
type Key struct {
	Key    string // KeyboardEvent.key: "/", "j", "ArrowDown", "Escape"…
	Typing bool   // the focus is in a field that takes text (input, select, textarea, contenteditable)
	Target string // the id of the focused element, if any
	Row    string // the data-key of the list row the focus is in, if any
	// Control: a button, link or summary has the focus; Enter is its own.
	Control bool
	Shift   bool // Shift+Enter goes back where Enter goes on
}

// OnKeyDown calls handle for every keydown without Ctrl, Alt or Meta (those
// belong to the browser) and not while an input method composes. When
// handle returns true the browser's default action is prevented — which
// must happen here, inside the event, not later on the UI goroutine; so
// handle only decides and posts, it never blocks. It returns the function
// that removes the listener.
func OnKeyDown(handle func(Key) bool) (remove func()) {
	f := app.FuncOf(func(_ app.Value, args []app.Value) any {
		if len(args) == 0 {
			return nil
		}
		e := args[0]
		if flag(e, "ctrlKey") || flag(e, "altKey") || flag(e, "metaKey") || flag(e, "isComposing") {
			return nil
		}
		k := Key{Key: e.Get("key").String(), Shift: flag(e, "shiftKey")}
		if t := e.Get("target"); t.Truthy() {
			switch t.Get("tagName").String() {
			case "INPUT", "SELECT", "TEXTAREA":
				k.Typing = true
			case "BUTTON", "A", "SUMMARY":
				k.Control = true
			}
			if flag(t, "isContentEditable") {
				k.Typing = true
			}
			if id := t.Get("id"); id.Truthy() {
				k.Target = id.String()
			}
			if t.Get("closest").Type() == app.TypeFunction {
				if row := t.Call("closest", "li.session"); row.Truthy() {
					k.Row = row.Get("dataset").Get("key").String()
				}
			}
		}
		if handle(k) {
			e.Call("preventDefault")
		}
		return nil
	})
	doc := app.Window().Get("document")
	doc.Call("addEventListener", "keydown", f)
	return func() {
		doc.Call("removeEventListener", "keydown", f)
		f.Release()
	}
}

// Focus focuses the element with id, selecting its text if it is a field.
func Focus(id string) {
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return
	}
	el.Call("focus")
	if el.Get("select").Truthy() && el.Get("tagName").String() == "INPUT" {
		el.Call("select")
	}
}

// Blur takes the focus away from the element with id, if it has it.
func Blur(id string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Call("blur")
	}
}

// SetValue sets the value of the field with id. The UI needs it to empty
// a field: go-app v10.1.11 drops an empty value attribute instead of
// setting the property, which leaves the old text in the box.
func SetValue(id, v string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Set("value", v)
	}
}

// Focused is the element that has the keyboard's focus; not truthy when
// none has (the page's body).
func Focused() app.Value {
	doc := app.Window().Get("document")
	if el := doc.Get("activeElement"); el.Truthy() && !el.Equal(doc.Get("body")) {
		return el
	}
	return app.Null()
}

// Refocus gives the focus back to el, when it is still in the page. It
// reports whether it did.
func Refocus(el app.Value) bool {
	if el == nil || !el.Truthy() || !el.Get("isConnected").Bool() {
		return false
	}
	el.Call("focus", map[string]any{"preventScroll": true})
	return true
}
