package vwin

import "testing"

func TestWindow(t *testing.T) {
	tests := []struct {
		name                string
		n                   int
		measured            map[int]float64
		top, view, overscan float64
		want                Window
	}{
		{"empty", 0, nil, 0, 500, 0, Window{}},
		{"top of list", 100, nil, 0, 500, 0, Window{First: 0, Last: 5, Above: 0, Below: 9500}},
		{"middle", 100, nil, 1050, 500, 0, Window{First: 10, Last: 16, Above: 1000, Below: 8400}},
		{"overscan both sides", 100, nil, 1000, 500, 200, Window{First: 8, Last: 17, Above: 800, Below: 8300}},
		{"bottom", 100, nil, 9500, 500, 0, Window{First: 95, Last: 100, Above: 9500, Below: 0}},
		{"past the end", 10, nil, 5000, 500, 0, Window{First: 9, Last: 10, Above: 900, Below: 0}},
		{"negative scroll", 10, nil, -40, 250, 0, Window{First: 0, Last: 3, Above: 0, Below: 700}},
		// The estimate becomes the measured rows' mean: (400+200)/2 = 300.
		{"measured rows count", 10, map[int]float64{0: 400, 1: 200}, 420, 100, 0, Window{First: 1, Last: 2, Above: 400, Below: 2400}},
		{"one tall row fills the view", 3, map[int]float64{1: 5000}, 5100, 500, 0, Window{First: 1, Last: 2, Above: 5000, Below: 5000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := New(tt.n, 100)
			for i, h := range tt.measured {
				hs.Set(i, h)
			}
			got := hs.At(tt.top, tt.view, tt.overscan)
			if got != tt.want {
				t.Fatalf("At(%v, %v, %v) = %+v, want %+v", tt.top, tt.view, tt.overscan, got, tt.want)
			}
			if tt.n > 0 && got.Above+got.Below+sum(hs, got) != hs.Total() {
				t.Fatalf("spacers + rows = %v, total %v", got.Above+got.Below+sum(hs, got), hs.Total())
			}
		})
	}
}

func sum(hs *Heights, w Window) float64 {
	var s float64
	for i := w.First; i < w.Last; i++ {
		s += hs.Of(i)
	}
	return s
}

// A 20,000-row list renders a screenful, not the list.
func TestLargeListRendersAScreenful(t *testing.T) {
	hs := New(20000, 80)
	w := hs.At(hs.Total()-800, 800, 400)
	if got := w.Last - w.First; got > 20 {
		t.Fatalf("%d rows in the window, want a screenful (≤ 20)", got)
	}
	if w.Last != 20000 {
		t.Fatalf("bottom window ends at %d, want 20000", w.Last)
	}
}

func TestPrependKeepsMeasurements(t *testing.T) {
	hs := New(2, 100)
	hs.Set(0, 40)
	hs.Set(1, 60)
	hs.Prepend(3)
	if hs.Len() != 5 || hs.Of(3) != 40 || hs.Of(4) != 60 || hs.Of(0) != 50 {
		t.Fatalf("after Prepend: len %d, heights %v %v %v", hs.Len(), hs.Of(0), hs.Of(3), hs.Of(4))
	}
	if hs.Top(3) != 150 {
		t.Fatalf("Top(3) = %v, want 150 (the prepended rows at the measured mean, 50)", hs.Top(3))
	}
	hs.Append(1)
	if hs.Set(5, 0) || !hs.Set(5, 20) || hs.Set(5, 20) || hs.Set(9, 1) {
		t.Fatal("Set must refuse zero, unchanged and out-of-range heights")
	}
}

func TestCovers(t *testing.T) {
	hs := New(100, 100)        // rows 100 px tall: row i spans [100i, 100i+100)
	w := hs.At(1000, 500, 200) // rows 8..17: 800 to 1700
	for _, tt := range []struct {
		name      string
		top, view float64
		want      bool
	}{
		{"where it was made", 1000, 500, true},
		{"a small step down", 1050, 500, true},
		{"too near the bottom edge", 1150, 500, false},
		{"too near the top edge", 850, 500, false},
		{"off it", 5000, 500, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := hs.Covers(w, tt.top, tt.view, 100); got != tt.want {
				t.Errorf("Covers(%+v, %v, %v, 100) = %v, want %v", w, tt.top, tt.view, got, tt.want)
			}
		})
	}
	if !hs.Covers(hs.At(0, 500, 200), 0, 500, 100) {
		t.Error("a window at the start covers the start")
	}
	if New(10, 100).Covers(w, 1000, 500, 100) {
		t.Error("a window of more rows than the list covers it")
	}
}

// Dropping the top rows moves every row left up by exactly their height,
// measured or estimated, and the estimate the rest count at stays.
func TestDrop(t *testing.T) {
	hs := New(6, 100)
	hs.Set(0, 300) // estimate (300+100)/2 = 200
	hs.Set(3, 100)
	top4 := hs.Top(4)
	px := hs.Drop(2) // a measured row and an estimated one
	if px != 500 {
		t.Fatalf("dropped %v px, want 300 + 200", px)
	}
	if hs.Len() != 4 || hs.Estimate != 200 {
		t.Fatalf("len %d estimate %v after the drop, want 4 and 200", hs.Len(), hs.Estimate)
	}
	if got := hs.Top(2); got != top4-px {
		t.Fatalf("the row that was 4th is at %v, want %v", got, top4-px)
	}
	// The next measure is the mean of the rows still held: 100 and 50.
	hs.Set(0, 50)
	if hs.Estimate != 75 {
		t.Fatalf("estimate %v after a measure, want 75", hs.Estimate)
	}
	if px := hs.Drop(10); px != 50+100+75+75 || hs.Len() != 0 {
		t.Fatalf("dropping past the end: %v px, %d rows left", px, hs.Len())
	}
}
