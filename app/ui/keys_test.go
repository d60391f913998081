package ui

import "testing"

// TestRowFocusAcrossRenders walks the decisions of which session's row
// has the focus after each render, as keys and updates come: a key's
// move wins over the row the page, drawn from an older state, shows
// focused, for the render after it only; then the focus stays with the
// session whose row has it, selected or not (Tab moves the focus, not
// the selection).
func TestRowFocusAcrossRenders(t *testing.T) {
	var f rowFocus
	steps := []struct {
		what      string
		move      []string // keys' moves before the render
		focused   string   // the session of the focused row as the render begins
		want      string
		wantMoved bool
	}{
		{what: "no row focused, no key", focused: "", want: ""},
		{what: "a row focused (Tab), no key", focused: "a", want: "a"},
		// x cleared a and selected b; a feed update in the same frame
		// moved the rows, so the element focused at once for b shows
		// c once drawn: the render begins with it noted as b's, or
		// (b's row not drawn yet) with a still focused.
		{what: "x moved the selection before the render", move: []string{"b"}, focused: "a", want: "b", wantMoved: true},
		{what: "the render after: the focus where it was left", focused: "b", want: "b"},
		{what: "x x typed within one frame", move: []string{"c", "d"}, focused: "c", want: "d", wantMoved: true},
		{what: "a key with no row focused (from the search box)", move: []string{"e"}, focused: "", want: "e", wantMoved: true},
		{what: "the focus left the rows", focused: "", want: ""},
	}
	for _, s := range steps {
		for _, k := range s.move {
			f.moveTo(k)
		}
		key, moved := f.next(s.focused)
		if key != s.want || moved != s.wantMoved {
			t.Errorf("%s: the focus goes to %q (moved by a key: %t), want %q (%t)", s.what, key, moved, s.want, s.wantMoved)
		}
	}
}
