package browser

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// A listener reads an event's properties through these, never through
// Value.Bool, Float, Int or Length: those panic on undefined, and a
// panic in a listener ends the whole client, the page dead until
// reloaded. An event a script makes lacks what the browser's own carry
// (a password manager's or an extension's new Event("keydown") has no
// ctrlKey; one dispatched on the document has a target without
// isContentEditable).

// flag is v's property name as a boolean: false when v lacks it (or is
// no object: Value.Get panics on undefined too).
func flag(v app.Value, name string) bool { return isObject(v) && v.Get(name).Truthy() }

// number is v's property name as a number: 0 when v lacks it or it is
// not one.
func number(v app.Value, name string) float64 {
	if !isObject(v) {
		return 0
	}
	if n := v.Get(name); n.Type() == app.TypeNumber {
		return n.Float()
	}
	return 0
}

func isObject(v app.Value) bool {
	t := v.Type()
	return t == app.TypeObject || t == app.TypeFunction
}
