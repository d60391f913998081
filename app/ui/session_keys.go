package ui

import (
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/convo"
	"vibecraft.sh/helm/shared"
)

const findID = "find"

// onKey is the session page's keyboard:
//
//	Esc, u     back to the list, or from a subagent to its session
//	           (Esc first closes the find box)
//	/          find in the transcript (session_findall.go)
//	Home, End  the transcript's start (session_window.go) / its end
//	n, N       next / previous match (Enter / Shift+Enter in the box)
//	j, k       the next / previous message to the view's top
//	?          the keys (help.go sessionShortcuts); Esc closes it
func (p *SessionPage) onKey(ctx app.Context, k browser.Key) bool {
	post := func(f func()) { ctx.Dispatch(func(app.Context) { f() }) }
	if k.Typing {
		if k.Target != findID {
			return false
		}
		switch k.Key {
		case "Escape":
			post(func() { p.closeFind() })
			return true
		case "Enter":
			by := 1
			if k.Shift {
				by = -1
			}
			post(func() { p.next(by) })
			return true
		}
		return false
	}
	if p.help {
		if k.Key == "Escape" || k.Key == "?" {
			post(func() { p.showHelp(false) })
			return true
		}
		return false // Tab and Enter in the dialog are the browser's
	}
	switch k.Key {
	case "?":
		post(func() { p.showHelp(true) })
		return true
	case "j", "k":
		by := 1
		if k.Key == "k" {
			by = -1
		}
		post(func() { p.step(by) })
		return true
	case "End", "Home", "PageDown", "PageUp", " ":
		if k.Key == " " && k.Control {
			return false // Space presses the button that has the focus
		}
		// Scrolled here, at once, not by the browser: its smooth scroll
		// is stopped by the first scroll that keeps the row being read
		// in place as rows are measured on the way, and End stopped short
		// of the end.
		post(func() { p.page(ctx, k.Key, k.Shift) })
		return true
	case "Escape", "u":
		if p.finding && k.Key == "Escape" {
			post(func() { p.closeFind() })
			return true
		}
		post(func() { p.back(ctx) })
		return true
	case "/":
		post(func() { p.openFind(ctx) })
		return true
	case "n":
		post(func() { p.next(1) })
		return true
	case "N":
		post(func() { p.next(-1) })
		return true
	}
	return false
}

// back returns to the list: in history when the list opened this page
// (its URL holds its filters), else to the list's start page. A
// subagent's transcript is part of its session: back from it is the
// session's page, in history when that page opened it.
func (p *SessionPage) back(ctx app.Context) {
	if p.agent != "" {
		parent := shared.PagePath(p.source, p.id, "", p.host)
		if subagentOpenedFrom == parent {
			subagentOpenedFrom = ""
			browser.Back()
			return
		}
		// Forward to the session: history no longer leads to the list
		// from there.
		openedFromList = false
		ctx.Navigate(parent)
		return
	}
	if openedFromList {
		openedFromList = false
		browser.Back()
		return
	}
	ctx.Navigate("/")
}

func (p *SessionPage) onBack(ctx app.Context, e app.Event) {
	e.PreventDefault()
	p.back(ctx)
}

// openFind shows the find box and focuses it. The box takes its height
// from the transcript's view: settle keeps the end in view when
// following, else the row being read.
func (p *SessionPage) openFind(ctx app.Context) {
	if !p.finding {
		p.finding, p.findFrom = true, browser.Focused()
		p.afterChange()
	}
	ctx.Defer(func(app.Context) { browser.Focus(findID) })
}

func (p *SessionPage) onFindButton(ctx app.Context, _ app.Event) { p.openFind(ctx) }

// onFind searches as the term is typed. The first match shown is the one
// the reader is at: the current match while it still matches (a longer
// term narrows around it), else the first after it; with none yet, the
// first in view (one that starts in it before one cut at its top), else
// the first below the view; else the nearest above. Never the oldest
// loaded one, which may be hundreds of messages up.
func (p *SessionPage) onFind(ctx app.Context, _ app.Event) {
	p.term = strings.TrimSpace(ctx.JSSrc().Get("value").String())
	p.findingOlder = false // a search of older pages was for the term before
	cur, from := "", p.win.First
	var view []viewRow
	browser.RowsInView(transcriptID, func(i int, starts bool) {
		view = append(view, viewRow{i, starts})
	})
	if len(view) > 0 {
		from = view[0].i
	}
	if p.match >= 0 && p.match < len(p.matches) {
		// Typing on from a match: the next is found from it, as the
		// view has moved to show it.
		cur, from, view = p.curCursor, p.matches[p.match], nil
	}
	p.match = -1
	p.refind()     // no current match: holds no row
	p.askFind(ctx) // the whole transcript's matches (session_findall.go)
	if len(p.matches) == 0 {
		p.curCursor = ""
		return
	}
	p.match = firstMatch(p.matches, p.convo.Msgs, cur, from, view) - 1
	p.next(1)
}

// viewRow is a row in the transcript's view, and whether its top is in
// the view too (else the view's top cuts it).
type viewRow struct {
	i      int
	starts bool
}

// firstMatch is the index in matches (rows, in order) to show first: the
// row whose message has cursor cur; else, of the rows in view, the first
// matching one that starts in view, or the first matching one cut at the
// top; else the first row at or after from; else the last.
func firstMatch(matches []int, msgs []shared.Message, cur string, from int, view []viewRow) int {
	if cur != "" {
		for k, i := range matches {
			if msgs[i].Cursor == cur {
				return k
			}
		}
	}
	cutAtTop := -1
	for _, v := range view {
		k, found := slices.BinarySearch(matches, v.i)
		switch {
		case !found:
		case v.starts:
			return k
		case cutAtTop < 0:
			cutAtTop = k
		}
	}
	if cutAtTop >= 0 {
		return cutAtTop
	}
	k, _ := slices.BinarySearch(matches, from) // the first at or after from
	return min(k, len(matches)-1)
}

// refind searches the loaded messages again (after a load, an older
// page or an append), keeping the current match on the same message:
// an older page moves every index.
func (p *SessionPage) refind() {
	cur := ""
	if p.match >= 0 {
		cur = p.curCursor
	}
	p.matches = p.convo.Find(p.term, p.full)
	p.refindAll()
	p.match = min(p.match, len(p.matches)-1)
	for k, i := range p.matches {
		if cur != "" && p.convo.Msgs[i].Cursor == cur {
			p.match = k
			if p.pin >= 0 {
				p.pin = i
			}
			return
		}
	}
	// No current match, or its message is gone (the transcript was
	// rewritten): hold no row, whose index would name another message.
	p.pin = -1
}

// refindAll is what n / N step through over the whole transcript:
// helmd's matches, with those the end took since (session_findall.go),
// the end the page follows or, while a window shows, the end it left.
func (p *SessionPage) refindAll() {
	p.all, p.foundNew = nil, 0
	if !p.findsAll() {
		return
	}
	end, local := p.convo, p.matches
	if p.tail != nil {
		end, local = p.tail, p.tail.Find(p.term, p.full)
	}
	if p.foundFirst+len(p.found) < p.foundTotal {
		// Not known to the end: the new ones only counted, reached by
		// asking for the matches after those known.
		p.all, p.foundNew = p.found, newSince(end.Msgs, local, p.foundEnd, p.foundLast)
		return
	}
	p.all = mergeFound(p.found, end.Msgs, local, p.foundFirst == 0)
}

func (p *SessionPage) closeFind() {
	p.finding, p.term, p.matches, p.match, p.curCursor, p.pin = false, "", nil, -1, "", -1
	p.findingOlder = false
	p.forgetFound()
	browser.Blur(findID)
	// Back where the keyboard was before find, not on the page's body.
	browser.Refocus(p.findFrom)
	p.findFrom = nil
	p.afterChange() // the view grows by the box's height
}

// page is End, Home, PageDown, PageUp and Space (Shift+Space up): the
// end (following it), the transcript's start (loaded when it is not:
// session_window.go), or a view's height less a line of overlap.
func (p *SessionPage) page(ctx app.Context, key string, shift bool) {
	s, ok := browser.ScrollOf(transcriptID)
	if !ok {
		return
	}
	switch {
	case key == "End":
		p.toEnd()
	case key == "Home":
		p.toStart(ctx)
	case key == "PageUp" || key == " " && shift:
		p.pin = -1
		p.askUp()
		browser.ScrollTo(transcriptID, s.Top-max(s.View-pageOverlap, pageOverlap))
	default:
		p.pin = -1
		browser.ScrollTo(transcriptID, s.Top+max(s.View-pageOverlap, pageOverlap))
	}
}

// pageOverlap is how much of the view a page up or down keeps in it.
const pageOverlap = 40

// step brings the next (by 1) or previous (by -1) message's top to the
// view's top: j and k read a transcript a message at a time. k first
// goes to the top of a message the view cuts.
func (p *SessionPage) step(by int) {
	s, ok := browser.ScrollOf(transcriptID)
	if !ok {
		return
	}
	// Among the rendered rows (the window reaches past the view): the
	// first that starts below the view's top, or the last that starts
	// above it. By positions, with a pixel's slack: a scroll lands on
	// whole pixels, and the row above can end a fraction into the view.
	to, at := -1, 0.0
	for i := p.win.First; i < p.win.Last && i < len(p.convo.Msgs); i++ {
		top, ok := browser.RowTop(transcriptID, i)
		if !ok {
			continue
		}
		if by > 0 && top > s.Top+1 {
			to, at = i, top
			break
		}
		if by < 0 && top < s.Top-1 {
			to, at = i, top // the last such row wins
		}
	}
	if to < 0 {
		return
	}
	p.pin = -1 // the scroll that follows sets following, as a reader's does
	if by < 0 {
		p.askUp()
	}
	browser.ScrollTo(transcriptID, at)
}

// showHelp opens or closes the keys' dialog; the focus goes into it and
// then back where it was.
func (p *SessionPage) showHelp(open bool) {
	if open == p.help {
		return
	}
	p.help = open
	if open {
		p.helpFrom = browser.Focused()
		p.ctx.Defer(func(app.Context) { browser.Focus(helpCloseID) })
		return
	}
	from := p.helpFrom
	p.helpFrom = nil
	p.ctx.Defer(func(app.Context) {
		if !browser.Refocus(from) {
			browser.Refocus(app.Window().GetElementByID(transcriptID))
		}
	})
}

func (p *SessionPage) onHelpClose(app.Context, app.Event)  { p.showHelp(false) }
func (p *SessionPage) onHelpButton(app.Context, app.Event) { p.showHelp(!p.help) }
func (p *SessionPage) onHelpBackdrop(_ app.Context, e app.Event) {
	if beside(e) {
		p.showHelp(false)
	}
}

func (p *SessionPage) onFindPrev(app.Context, app.Event) { p.next(-1) }
func (p *SessionPage) onFindNext(app.Context, app.Event) { p.next(1) }

// onFindOlder searches the messages above those loaded: "no match" in
// the last page of a long session says nothing of its start.
func (p *SessionPage) onFindOlder(app.Context, app.Event) {
	if p.term == "" || p.convo.Before == "" || p.findingOlder {
		return
	}
	p.findingOlder, p.findOlderPages = true, 0
	// Through the page's context: the button goes once the start is loaded.
	p.loadOlderBy(p.ctx, seekLimit)
}

// goOnFindingOlder runs when older messages arrived (added rows, now
// first) while find searches them: it shows the newest match among
// them, the nearest to what was loaded; with none, it asks for the next
// older page, until the transcript's start or findOlderPagesMax pages in
// one go (the button asks for more: a 500 MB session is not loaded into
// the browser for one click).
func (p *SessionPage) goOnFindingOlder(ctx app.Context, added int) {
	if !p.findingOlder {
		return
	}
	p.findOlderPages++
	newest := -1
	for k, i := range p.matches {
		if i < added {
			newest = k
		}
	}
	switch {
	case newest >= 0:
		p.findingOlder = false
		p.showMatch(newest)
	case p.convo.Before == "" || p.findOlderPages >= findOlderPagesMax:
		p.findingOlder = false
	default:
		p.loadOlderBy(ctx, seekLimit)
	}
}

// findOlderPagesMax bounds one "Search older": 25 pages of seekLimit,
// as a place sought is.
const findOlderPagesMax = seekPagesMax

// next moves to the next (by 1) or previous (by -1) match, wrapping.
func (p *SessionPage) next(by int) {
	if p.findsAll() {
		p.nextOfAll(by)
		return
	}
	if len(p.matches) == 0 {
		if p.foundState == findAsking {
			p.nextWhenFound = by // done when helmd answers
		}
		return
	}
	p.showMatch((p.match + by + len(p.matches)) % len(p.matches))
}

// showMatch makes match k the current one and shows it, opened.
func (p *SessionPage) showMatch(k int) {
	p.match = k
	m := &p.convo.Msgs[p.matches[k]]
	p.curCursor = m.Cursor
	p.reveal(m)
	p.showRow(p.matches[k])
}

// reveal opens what hides the find term in m: a thinking block, a tool
// call whose result holds it, a long text cut to a screenful before it.
// A match counted but not shown would be a match the reader cannot find.
func (p *SessionPage) reveal(m *shared.Message) {
	has := func(s string) bool { return shared.Holds(s, p.term) }
	// beyond: the term is in text but not in the screenful shown of it.
	beyond := func(text string) bool { return has(text) && !has(screenful(text)) }
	for j := range m.Blocks {
		b, key := &m.Blocks[j], blockKey(m, j)
		switch b.Type {
		case shared.BlockThinking, shared.BlockCompaction:
			if has(b.Text) {
				p.reveals(key)
			}
		case shared.BlockOutput:
			if beyond(b.Text) {
				p.reveals(key + "all")
			}
		case shared.BlockTool:
			if b.Tool != nil {
				p.revealTool(key, b.Tool, has, beyond)
			}
		}
	}
	if !convo.Shows(p.term, p.full)(m) {
		p.loadCutInputs(m)
	}
}

// loadCutInputs loads whole the cut inputs of m the page has not loaded,
// when m is a match helmd counted (find searches a cut input in its
// whole text, shared.ShowsWhole) but nothing the page shows of it holds
// the term: the term is past a cut. The call opens at once; once its
// text is loaded, Show all is pressed when the term lies past the
// first screenful, and the row is shown again, as the current match.
func (p *SessionPage) loadCutInputs(m *shared.Message) {
	cursor := m.Cursor
	for j := range m.Blocks {
		t := m.Blocks[j].Tool
		if t == nil || !t.ShowsInput() || t.InputCut == nil || t.InputCut.Ref == "" {
			continue
		}
		if _, ok := p.full[t.InputCut.Ref]; ok {
			continue
		}
		p.reveals(blockKey(m, j))
		p.loadFull(t.InputCut.Ref, func() {
			i, ok := p.convo.Index(cursor)
			if !ok || p.curCursor != cursor || p.term == "" {
				return // another match is shown by now
			}
			p.showLoaded(i, false) // a match of the page's own now
		})
	}
}

// revealTool opens the call t (block key) when its result or what it
// shows of its input holds the term, and the text that holds it past its
// first screenful, as renderTool and renderInput key them.
func (p *SessionPage) revealTool(key string, t *shared.Tool, has, beyond func(string) bool) {
	if r := t.Result; r != nil && has(r.Text) {
		p.reveals(key)
		if beyond(r.Text) {
			p.reveals(key + "outall")
		}
	}
	if !t.ShowsInput() {
		return
	}
	if fields, ok := shared.InputFields(t.Input); ok && t.InputCut == nil {
		for k, f := range fields {
			if has(f.Value) {
				p.reveals(key)
				if beyond(f.Value) {
					p.reveals(key + "in" + itoa(k) + "all")
				}
			}
		}
		return
	}
	// Cut: what longText shows, the whole text once loaded.
	if text := p.whole(shared.InputJSON(t.Input), t.InputCut); has(text) {
		p.reveals(key)
		if beyond(text) {
			p.reveals(key + "inall")
		}
	}
}

// reveals opens block k (a key of p.open) for find, and notes when it
// was closed: the row about to be shown (showRow) grows, and where its
// match will be is known only once it is drawn.
func (p *SessionPage) reveals(k string) {
	if !p.open[k] {
		p.open[k], p.grew = true, true
	}
}

// isMatch reports whether message i is the current match.
func (p *SessionPage) isMatch(i int) bool {
	return p.match >= 0 && p.match < len(p.matches) && p.matches[p.match] == i
}
