// Package vwin is the arithmetic of a virtualised list: which rows of a
// long list are in the DOM for a scroll position, and how tall the
// spacers standing for the others are. Rows not yet measured count at an
// estimate; measured ones at their height. Plain Go, so it is tested
// without a browser.
package vwin

// Heights holds one height per row: measured, or 0 for "estimate".
// The estimate starts as given and becomes the mean of the rows measured
// so far, so the spacers soon stand for about the right height.
type Heights struct {
	Estimate float64
	h        []float64
	sum      float64 // of measured heights
	measured int
}

// New returns heights for n rows, all estimated at est px.
func New(n int, est float64) *Heights {
	return &Heights{Estimate: est, h: make([]float64, n)}
}

// Len is the number of rows.
func (hs *Heights) Len() int { return len(hs.h) }

// Prepend adds n unmeasured rows before the first (older messages).
func (hs *Heights) Prepend(n int) {
	hs.h = append(make([]float64, n, n+len(hs.h)), hs.h...)
}

// Drop removes the first n rows (messages let go of above the view) and
// returns their height: the list's top moved up by as much, which the
// caller scrolls by. The estimate stays as it was, so that every row left
// counts as tall as before and the rows below keep their offsets; the
// next row measured makes it the mean of those measured then.
func (hs *Heights) Drop(n int) float64 {
	n = min(max(n, 0), len(hs.h))
	px := hs.Top(n)
	for _, h := range hs.h[:n] {
		if h > 0 {
			hs.sum -= h
			hs.measured--
		}
	}
	// A copy: the slice past them would keep the whole array alive.
	hs.h = append([]float64(nil), hs.h[n:]...)
	return px
}

// Append adds n unmeasured rows after the last.
func (hs *Heights) Append(n int) { hs.h = append(hs.h, make([]float64, n)...) }

// Set records row i's measured height; it reports whether it changed.
func (hs *Heights) Set(i int, px float64) bool {
	if i < 0 || i >= len(hs.h) || px <= 0 || hs.h[i] == px {
		return false
	}
	if hs.h[i] == 0 {
		hs.measured++
	}
	hs.sum += px - hs.h[i]
	hs.h[i] = px
	hs.Estimate = hs.sum / float64(hs.measured)
	return true
}

// Of is row i's height, measured or estimated.
func (hs *Heights) Of(i int) float64 {
	if hs.h[i] > 0 {
		return hs.h[i]
	}
	return hs.Estimate
}

// Top is the offset of row i's top edge from the top of the list.
func (hs *Heights) Top(i int) float64 {
	var y float64
	for j := 0; j < i && j < len(hs.h); j++ {
		y += hs.Of(j)
	}
	return y
}

// Total is the height of the whole list.
func (hs *Heights) Total() float64 { return hs.Top(len(hs.h)) }

// Window is the rows [First, Last) to render, and the spacers' heights
// above and below them.
type Window struct {
	First, Last int
	Above       float64
	Below       float64
}

// At is the window for a viewport of height view scrolled to top px,
// with overscan px of rows rendered beyond each edge, so a small scroll
// shows rows that are already there.
func (hs *Heights) At(top, view, overscan float64) Window {
	n := len(hs.h)
	if n == 0 {
		return Window{}
	}
	top = max(top, 0)
	lo, hi := top-overscan, top+view+overscan
	var w Window
	y := 0.0
	i := 0
	for ; i < n && y+hs.Of(i) <= lo; i++ {
		y += hs.Of(i)
	}
	if i == n { // scrolled past the end (the list shrank): show the last row
		i = n - 1
		y -= hs.Of(i)
	}
	w.First, w.Above = i, y
	for ; i < n && y < hi; i++ {
		y += hs.Of(i)
	}
	w.Last = max(i, w.First+1)
	for ; i < n; i++ {
		w.Below += hs.Of(i)
	}
	return w
}

// Covers reports whether w, a window of these rows, still renders at
// least margin px beyond each edge of a view of height view scrolled to
// top (or reaches the list's end on that side): then a scroll need not
// move it, and each small scroll step does not rebuild the rows.
func (hs *Heights) Covers(w Window, top, view, margin float64) bool {
	n := len(hs.h)
	if w.Last > n || w.First >= w.Last {
		return false
	}
	above := w.First == 0 || hs.Top(w.First) <= top-margin
	below := w.Last == n || hs.Top(w.Last) >= top+view+margin
	return above && below
}
