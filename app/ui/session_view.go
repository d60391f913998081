package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/convo"
)

// The virtualised transcript: only the rows of p.win are in the DOM,
// between two spacers (#above, #below) standing for the others. The
// window follows the scroll position; rendered rows are measured after
// each render, and a change in the height of rows above the view is
// compensated by scrolling, so the text read stays put.

// afterChange recomputes the window after the messages changed, and
// after the render measures the rows and, when following, goes to the end.
func (p *SessionPage) afterChange() {
	p.markAnchor()
	p.reWindow()
	p.settleLater()
}

// settleLater runs settle after the next render. Through the page's own
// context: go-app drops a Defer or Dispatch whose element is no longer
// mounted, and the element of an event handler (a "show all" or "load
// all" button) is often what that render removes.
func (p *SessionPage) settleLater() {
	p.ctx.Defer(func(app.Context) { p.settle() })
}

// reWindow picks the rows to render for the current scroll position (or
// the end, when following).
func (p *SessionPage) reWindow() {
	s, ok := browser.ScrollOf(transcriptID)
	if !ok || s.View <= 0 {
		s.View = 800 // not laid out yet: a guess, corrected on the first scroll
	}
	top := s.Top
	switch {
	case p.place >= 0 && p.place < p.convo.Heights.Len():
		top = p.convo.Heights.Top(p.place) - p.anchorAt
	case p.pin >= 0 && p.pin < p.convo.Heights.Len():
		top = p.convo.Heights.Top(p.pin) - s.View/2
	case p.follow:
		top = p.convo.Heights.Total() - s.View
	}
	// Until rows were measured, only what fits the view: the first
	// paint waits for these rows' DOM and layout, the overscan follows.
	ov := 0.0
	if p.measured {
		ov = overscan
	}
	p.win = p.convo.Heights.At(top, s.View, ov)
}

// settle runs after a render: measure, size the spacers, keep the view.
func (p *SessionPage) settle() {
	// First: what follows reads the focus (markAnchor) to hold it again.
	p.rowFocus.Restore(transcriptID)
	hs := p.convo.Heights
	changed := false
	browser.RowHeights(transcriptID, ".msg[data-i]", func(i int, px float64) {
		p.measured = true
		changed = hs.Set(i, px) || changed
	})
	// The spacers as the heights say now, not as they said when the
	// window was chosen: a row measured for the first time changes the
	// estimate that every unmeasured row counts at.
	above, below := 0.0, 0.0
	if p.win.Last > 0 {
		above, below = hs.Top(p.win.First), hs.Total()-hs.Top(p.win.Last)
	}
	browser.SetHeight("above", above)
	browser.SetHeight("below", below)
	// In reWindow's order: the rows rendered are the place's when one
	// waits to be put back, whatever else is asked.
	switch {
	case p.place >= 0:
		if p.holdAnchor() {
			// Put back: the reader's to scroll from here.
			p.place, p.follow = -1, false
		}
	case p.pin >= 0:
		if browser.RowIntoView(transcriptID, p.pin) {
			after, _ := browser.ScrollOf(transcriptID)
			p.pinTop = after.Top
		}
	case p.follow && p.readerLeftEnd():
		// The reader scrolled up, and its scroll event has not come
		// yet (under load, renders and settles run between a scroll and
		// its event): the end taken back here would undo the scroll,
		// and the event would then read the end. Stop following as the
		// event would have; the render offers the way back.
		p.follow = false
		p.ctx.Dispatch(func(app.Context) {})
	case p.follow:
		p.takeEnd()
	default:
		p.holdAnchor()
	}
	// A window that does not cover the view leaves part of it blank. The
	// paths above keep them together; should one not, the rows are
	// chosen again for the view as it is. (The one case seen, a place
	// put back from an offset far below its row, is kept out by
	// readable: with the place still waiting, reWindow chose its rows
	// again and this did not help.)
	s, _ := browser.ScrollOf(transcriptID)
	if changed || !hs.Covers(p.win, s.Top, s.View, 0) {
		old := p.win
		p.markAnchor()
		p.reWindow()
		if p.win != old {
			// Render the new window, then settle again. (A Defer queued
			// from a Defer runs before the next render: go-app drains them.)
			p.ctx.Dispatch(func(app.Context) { p.settleLater() })
			return
		}
	}
	// Settled: the rows of the view are rendered. The place is noted here
	// too, not only at each scroll: a scroll's event can come before its
	// rows are rendered, when the place cannot be read, and when nothing
	// scrolls after the settle, the place kept was the one before (the
	// start, in OpensWhereItWasLeftFarUp, where the test had scrolled).
	p.notePlace()
	// A transcript that fits its view shows its end: it follows it, as
	// a scroll to the end would say. Nothing scrolls in it to tell, and
	// a block opened or closed in it (onToggle stops following) left
	// "Latest ↓" under a whole transcript, with nothing below to go to.
	// The render reads fits too, so that the toggle's own render, before
	// this, does not flash the button.
	fits := s.View > 0 && s.Height <= s.View+0.5
	redraw := fits != p.fits
	p.fits = fits
	if fits && !p.follow && p.pin < 0 && p.place < 0 && p.tail == nil {
		p.follow, p.unseen, redraw = true, 0, true
	}
	if redraw {
		p.ctx.Dispatch(func(app.Context) {}) // "Latest ↓" comes or goes
	}
	// A window whose bottom is in reach with no scroll to come (it is
	// short, or the view tall) loads what follows it now.
	if p.tail != nil && !p.newer && !p.windowing() && s.Top+s.View > s.Height-loadOlderAt {
		p.ctx.Dispatch(func(app.Context) { p.loadNewer(p.ctx) })
	}
}

// markAnchor notes the row being read and where it is in the view,
// before a render that may change what is above it: rows measured at
// last, a block opened or closed, the spacer standing for unmeasured
// rows.
func (p *SessionPage) markAnchor() {
	// The control with the focus, for settle to put it back on. A focus
	// on the body with the control gone is one a render dropped: the
	// control noted before it is still the one to put back, until the
	// focus goes elsewhere or the reader drops it.
	if f := browser.HoldRowFocus(transcriptID); f.Held() || browser.Focused().Truthy() || p.rowFocus.Dropped() {
		p.rowFocus = f
	}
	if p.place >= 0 {
		return // resume's row, not yet put back: the anchor already
	}
	p.anchor = -1
	if p.follow || p.pin >= 0 {
		return // settle places the view itself: no layout read for it
	}
	// At the very top of a transcript whose start is loaded, what is read
	// is its start. The first rendered row is not: rows above it stand as
	// a spacer of guessed height, and held in place, that row pushed the
	// start out of view as they rendered taller (a scrollbar dragged to
	// the top showed the third message, not "Start of the transcript").
	// Unheld, the view stays at the top as they render.
	if s, ok := browser.ScrollOf(transcriptID); ok && s.Top < 0.5 && p.convo.Before == "" {
		return
	}
	if i, at, ok := browser.FirstRowInView(transcriptID); ok {
		p.anchor, p.anchorAt = i, at
	}
}

// holdAnchor scrolls the row being read back to where it was in the
// view at markAnchor, so the text read stays put whatever changed above
// it. To a position, not by a difference: a render that shortened the
// transcript has already scrolled it (the browser keeps the position
// within the content), and a difference would count that twice.
// It reports whether the row was there to hold.
func (p *SessionPage) holdAnchor() bool {
	if p.anchor < 0 {
		return false
	}
	top, ok := browser.RowTop(transcriptID, p.anchor)
	if !ok {
		return false
	}
	s, _ := browser.ScrollOf(transcriptID)
	if want := top - p.anchorAt; abs(want-s.Top) >= 0.5 {
		browser.ScrollTo(transcriptID, want)
	}
	return true
}

// onScroll: move the window, track following, load older pages near the
// top. Most scroll events change none of what is rendered: those skip
// the re-render go-app does after every event handler, which on a
// scroll would rebuild the page many times a second for nothing.
func (p *SessionPage) onScroll(ctx app.Context, _ app.Event) {
	if !p.mounted {
		return
	}
	s, ok := browser.ScrollOf(transcriptID)
	if !ok {
		return
	}
	if p.pin >= 0 && p.pinTop >= 0 && abs(s.Top-p.pinTop) > s.View/2 {
		p.pin = -1 // the user scrolled away from the match shown
	}
	following := p.follow
	// The page's own scroll to the end, its event read after the content
	// grew below it (under load, a frame or more later), is not a reader
	// leaving the end when no reader asked to scroll: the end is taken
	// again. (AppendFigure, once under load: the page left the end it
	// followed, "6 new ↓", no reader in the test; such an event is the
	// one way found for that.)
	//
	// Nor is a view that did not move since it was last at the end: what
	// changed is the view's height or what is below it (the header grown
	// above the view, its ResizeObserver's settle not run yet; CI, once:
	// the view 78 px above the end, "Latest ↓", no reader). A reader's
	// scroll moves the view up, whatever told it (the browser's find in
	// page included, which asks nothing first).
	moved := p.movedUp(s.Top)
	own := following && !moved && !s.AtBottom(bottomSlack) && (p.endTaken || s.Top >= p.endTop-0.5)
	p.endTaken = false
	if s.AtBottom(bottomSlack) {
		p.endTop = s.Top
	}
	// While a place waits to be put back (resume, seekOlder), the view
	// is still where it was before, at the end: a scroll event then (the
	// render that brought the place's rows moved the scroll) is not the
	// reader following the end. Taken as one, settle scrolled to the end
	// while the rows rendered were the place's, far up, and the view
	// stayed blank (two clean-clone runs under load).
	if p.place < 0 {
		// A window's bottom is not the end: nothing there to follow.
		p.follow = p.pin < 0 && p.tail == nil && (s.AtBottom(bottomSlack) || own)
	}
	if own && p.follow {
		p.settleLater()
	}
	if !p.follow || moved {
		p.upAsked = false // told: the reader left the end, or moved within its slack
	}
	p.notePlace()
	changed := p.follow != following // "Latest ↓" comes or goes
	if p.follow && p.unseen > 0 {
		p.unseen, changed = 0, true
	}
	old := p.win
	// The rendered rows still reach well past the view: keep them, so
	// a scroll re-renders once per half overscan, not once per row.
	if p.pin >= 0 || !p.measured || !p.convo.Heights.Covers(p.win, s.Top, s.View, overscan/2) {
		p.markAnchor()
		p.reWindow()
	}
	if p.win != old {
		changed = true
		p.settleLater()
	}
	if s.Top < loadOlderAt && !p.older {
		p.loadOlder(p.ctx)
		changed = changed || p.older
	}
	if s.Top+s.View > s.Height-loadOlderAt && p.tail != nil && !p.newer && !p.windowing() {
		p.loadNewer(p.ctx)
		changed = changed || p.newer
	}
	if !changed {
		ctx.PreventUpdate()
	}
}

// toBottom is the "N new ↓" button.
func (p *SessionPage) toBottom(app.Context, app.Event) { p.toEnd() }

// toEnd goes to the end and follows it ("Latest ↓", End).
func (p *SessionPage) toEnd() {
	p.upAsked = false // the reader's last word: the end
	p.attach()        // from a window away from it: the end, as the stream left it
	// The end, not a match find was holding in view.
	p.follow, p.unseen, p.pin = true, 0, -1
	// Go there now: a scroll event still queued from before the click
	// would otherwise read the old position and stop the following.
	p.takeEnd()
	p.afterChange()
}

// takeEnd scrolls the view to the end, followed: a scroll up the reader
// asked for and made, within the end's slack, is taken back by it. One
// asked for and not made yet is still to come: the request stands.
// (Go runs the page's other work inside the wheel's own listener: a
// settle there found the view at the end, took the request back, and the
// next settle undid the scroll that followed, AppendsLeaveTheViewStill
// under load.)
func (p *SessionPage) takeEnd() {
	before, _ := browser.ScrollOf(transcriptID)
	if p.movedUp(before.Top) {
		p.upAsked = false
	}
	browser.ScrollTo(transcriptID, p.convo.Heights.Total()+1e6)
	after, _ := browser.ScrollOf(transcriptID)
	if after.Top != before.Top {
		p.endTaken = true // an event comes for it
	}
	p.endTop = after.Top
	if p.upAsked {
		// A request still to come is the reader's from the end as it is
		// now: the view moved down to it, not up.
		p.askedTop = max(p.askedTop, after.Top)
	}
}

// showRow shows row i (find's n / N): where it is when the whole row
// is in view already, else in the middle of the view, held there while
// heights settle until the user scrolls away. Following stops either
// way: the match shown is what the reader looks at, not the end.
func (p *SessionPage) showRow(i int) {
	p.follow, p.pin, p.pinTop = false, i, -1 // -1: not placed yet
	if !p.grew && browser.RowWhollyInView(transcriptID, i) {
		p.pin = -1 // settle holds the row being read instead
	}
	// A row find just opened (reveals) is pinned even when it shows
	// whole now: drawn open, it may be taller than the view, its match
	// far down it, which settle (RowIntoView) then brings into view.
	p.grew = false
	p.afterChange()
}

// askUp notes the reader's request to scroll up (a wheel turned up, a
// key), before the scroll it asks for, and where the view was then: for
// a second request before the first was told, where it was at the first
// (the second wheel's turn finds the view moved up by the first's).
func (p *SessionPage) askUp() {
	s, _ := browser.ScrollOf(transcriptID)
	if !p.upAsked || s.Top > p.askedTop {
		p.askedTop = s.Top
	}
	p.upAsked = true
}

// movedUp reports whether the reader asked to scroll up and the view,
// its top now at top, is above where it was then: the reader's scroll,
// whichever event tells it and whenever.
func (p *SessionPage) movedUp(top float64) bool {
	return p.upAsked && top < p.askedTop-0.5
}

// readerLeftEnd reports whether the reader's scroll asked for took the
// view up and past the end's slack.
func (p *SessionPage) readerLeftEnd() bool {
	s, ok := browser.ScrollOf(transcriptID)
	return ok && p.movedUp(s.Top) && !s.AtBottom(bottomSlack)
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// capMsgs lets the oldest messages go once appends pushed the page past
// convo.Max (convo.Trim), so that a page left open on a busy session
// does not grow for ever; scrolling up loads them again as older pages.
// Only rows above those rendered go, and a page's worth more stays above
// them, so that a reader near the top does not load again at once what
// went; never the row read, the match shown or found, nor while a place
// is being put back or an older page is on its way. The view stays on
// the same line: the spacer above and the scroll position shrink by the
// rows' height, and every index held moves up by their number. Call it
// with p.win the window rendered, before afterChange, which reads the
// rendered rows' data-i (still counting from before: n is returned to
// move what it reads).
func (p *SessionPage) capMsgs() (n int) {
	if p.older || p.seek != nil || p.place >= 0 {
		return 0
	}
	if m := app.Window().Get("__helmMaxMsgs"); m.Truthy() {
		convo.Max = m.Int() // a browser test's cap, small enough to see
	}
	keep := p.win.First
	for _, i := range []int{p.anchor, p.pin} {
		if i >= 0 {
			keep = min(keep, i)
		}
	}
	n, px := p.convo.Trim(p.keepFound(p.convo, keep) - pageLimit)
	if n == 0 {
		return 0
	}
	s, _ := browser.ScrollOf(transcriptID)
	browser.GrowHeight("above", -px)
	browser.ScrollTo(transcriptID, s.Top-px)
	p.win.First, p.win.Last, p.win.Above = p.win.First-n, p.win.Last-n, p.win.Above-px
	if p.anchor >= 0 {
		p.anchor -= n
	}
	if p.pin >= 0 {
		p.pin -= n
	}
	p.pinTop -= px // -1 (not placed) stays below 0
	p.askedTop -= px
	p.endTop -= px
	if p.term != "" && p.foundTerm != p.term {
		// Found among the loaded messages when they were the whole
		// transcript: they no longer are, helmd finds in it.
		p.askFind(p.ctx)
	}
	return n
}

// readAbove moves what afterChange read from the rendered rows after
// capMsgs let n messages go (or, n below 0, loadOlderBy put -n above):
// the rows' data-i count from before until the render.
func (p *SessionPage) readAbove(n int) {
	if p.anchor >= 0 {
		p.anchor -= n
	}
	p.rowFocus.Shift(-n)
}

// keepFound is keep, or the index in c of find's current match or, while
// helmd's matches are in use, of the last message it had read for them
// (what counts those written since, newSince), when either is above it:
// c.Trim keeps them.
func (p *SessionPage) keepFound(c *convo.Convo, keep int) int {
	keepAt := []string{p.curCursor}
	if p.findsAll() {
		keepAt = append(keepAt, p.foundEnd) // forgetFound leaves it
	}
	for _, cur := range keepAt {
		if i, ok := c.Index(cur); ok && cur != "" {
			keep = min(keep, i)
		}
	}
	return keep
}
