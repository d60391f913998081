package browser

import "testing"

func TestPickAnchor(t *testing.T) {
	// Rows of 60 px; the sticky header ends at 100; the viewport is 600.
	rows := []Box{{"a", 20, 80}, {"b", 80, 140}, {"c", 140, 200}, {"d", 200, 260}, {"far", 700, 760}}
	none := func(string) bool { return false }
	moves := func(keys ...string) func(string) bool {
		return func(k string) bool {
			for _, m := range keys {
				if k == m {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		name      string
		preferred string
		moving    func(string) bool
		want      Anchor
		ok        bool
	}{
		{"first row visible below the header, even in part", "", none, Anchor{"b", 80}, true},
		{"the selection when it is on screen", "d", none, Anchor{"d", 200}, true},
		{"not the selection under the header", "a", none, Anchor{"b", 80}, true},
		{"not the selection off screen", "far", none, Anchor{"b", 80}, true},
		{"not a row the update moves", "", moves("b", "c"), Anchor{"d", 200}, true},
		{"nothing when every visible row moves", "", moves("b", "c", "d"), Anchor{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := PickAnchor(tc.preferred, rows, 100, 600, tc.moving)
			if got != tc.want || ok != tc.ok {
				t.Errorf("PickAnchor = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	if _, ok := PickAnchor("", nil, 100, 600, none); ok {
		t.Error("an anchor from no rows")
	}
}

// TestShiftHoldsTheRow: after rows are added above the anchor its top
// grows by their height; scrolling by Shift puts it back.
func TestShiftHoldsTheRow(t *testing.T) {
	tests := []struct {
		name     string
		was, now float64
		want     float64
	}{
		{"a 74 px row was added above", 150, 224, 74},
		{"a row above was removed", 150, 90, -60},
		{"nothing above changed", 150, 150, 0},
	}
	for _, tc := range tests {
		if got := Shift(Anchor{Key: "k", Top: tc.was}, tc.now); got != tc.want {
			t.Errorf("%s: Shift = %v, want %v", tc.name, got, tc.want)
		}
		if tc.now-Shift(Anchor{Key: "k", Top: tc.was}, tc.now) != tc.was {
			t.Errorf("%s: scrolling by Shift does not restore the row's top", tc.name)
		}
	}
}
