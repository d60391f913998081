package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

// searchID is the search box's id.
const searchID = "search"

// onKey maps a keydown to the page's shortcuts and reports whether it
// took it. It runs inside the browser's event: it only decides and posts
// the change to the UI goroutine.
//
//	/            focus the search
//	j, ↓         next row (↓ also from the search box)
//	k, ↑         previous row
//	Esc          clear the search, then the filters; leave the search box
//	Enter, o     open the selected session's page
//	x            clear the selected session from "Needs you"
//	?            the shortcuts dialog (Esc closes it)
//
// A row the Tab key focused is the selected one.
func (h *Home) onKey(ctx app.Context, k browser.Key) bool {
	post := func(f func()) { ctx.Dispatch(func(app.Context) { f() }) }
	if h.help {
		switch k.Key {
		case "Escape", "?":
			post(func() { h.showHelp(ctx, false) })
			return true
		case "Tab":
			browser.Focus(helpCloseID) // a modal keeps the focus: its one control
			return true
		}
		return false // Enter works in the dialog
	}
	if k.Row != "" && k.Row != h.selected && !k.Typing {
		row := k.Row
		post(func() { h.choose(row) })
	}
	if k.Typing {
		if k.Target != searchID {
			return false // a select or another field keeps its keys
		}
		switch k.Key {
		case "Escape":
			post(func() { h.escape(ctx, true) })
			return true
		case "ArrowDown":
			post(func() { h.move(1) })
			return true
		}
		return false
	}
	switch k.Key {
	case "/":
		browser.Focus(searchID)
		return true
	case "?":
		post(func() { h.showHelp(ctx, true) })
		return true
	case "j", "ArrowDown":
		post(func() { h.move(1) })
		return true
	case "k", "ArrowUp":
		post(func() { h.move(-1) })
		return true
	case "Escape":
		post(func() { h.escape(ctx, false) })
		return true
	case "Enter", "o":
		key := h.selected
		if k.Row != "" {
			key = k.Row // the focused row, whatever was selected before
		} else if k.Key == "Enter" && k.Control {
			return false // a focused button or link takes its own Enter
		}
		if key == "" {
			return false
		}
		post(func() { h.openSession(ctx, key) })
		return true
	case "x":
		post(h.clearSelected)
		return true
	}
	return false
}

// clearSelected clears the selected session from "Needs you" (x) and
// selects the next session that still needs the user, the group's first,
// so that x pressed again works through the group: the selection stayed
// on the row just cleared, and a second x did nothing.
func (h *Home) clearSelected() {
	if !h.clearNeeds(h.selected) {
		return
	}
	next, _ := h.sessions.NeedsYouIn(h.query, 1)
	if len(next) == 0 {
		return
	}
	rows := h.view()
	if i := rows.Index(next[0].Key()); i >= 0 {
		h.selectAt(rows, i)
	}
}

// escape clears the search if there is one, else the filters. From the
// search box, with nothing left to clear, it leaves the box.
func (h *Home) escape(ctx app.Context, inSearch bool) {
	switch {
	case h.typed != "":
		h.clearSearchBox()
		q := h.query
		q.Search = ""
		h.setQuery(ctx, q)
	case h.query != shared.Query{Sort: h.query.Sort}:
		h.clear(ctx)
	case inSearch:
		browser.Blur(searchID)
	default:
		h.selected = ""
	}
}

// move selects the row by steps after (or before) the selected one,
// showing more rows when it walks past the last shown, and focuses it
// once rendered.
func (h *Home) move(by int) {
	rows := h.view()
	if rows.Len() == 0 {
		return
	}
	i := rows.Index(h.selected)
	if i < 0 {
		i = 0 // nothing selected, or the selection was filtered out: start at the top
	} else {
		i = min(max(i+by, 0), rows.Len()-1)
	}
	h.selectAt(rows, i)
}

// selectAt selects row i of rows (the view, computed once by the
// caller), showing more rows when it is past the last shown, and
// focuses it.
func (h *Home) selectAt(rows list.Result, i int) {
	for i >= h.limit {
		h.limit += pageSize
	}
	h.choose(rows.At(i).Key())
	// At once, because a key focused on another row selects that row
	// first (onKey): pressed before the render (x x, j j typed fast, or
	// a busy machine), it went to the row left behind. And after the
	// render (holdRowFocus): the page may not be drawn from the state
	// yet (a feed update applied in the same frame), and the element
	// focused at once then shows another session, or the row is not
	// there yet.
	browser.FocusRow(h.selected)
	h.rowFocus.moveTo(h.selected)
}

// rowFocus decides which session's list row is to have the keyboard's
// focus after a render. go-app renders the rows by their place, not by
// session: a render that moves rows (a feed update, a sort) leaves the
// focused element showing another session, and Enter or x, which act
// on the focused row, then act on that one. So each render notes, as it
// begins, the session whose row has the focus, from the page as drawn,
// and the focus goes back to that session's row once it is rendered. A
// key's move since the last render wins: the element it focused may be
// drawn from a state older than the one it chose from.
type rowFocus struct {
	moved string // the session a key selected since the last render
}

// moveTo notes that a key selected the session of key.
func (f *rowFocus) moveTo(key string) { f.moved = key }

// next is the session whose row is to have the focus after a render
// that begins with the focus on the row of focused ("" when no list row
// has it), and whether a key moved it there (its row is then scrolled
// into view). A key's move counts for the render that follows it only:
// after that, the focus is where that render left it.
func (f *rowFocus) next(focused string) (key string, moved bool) {
	key, moved = f.moved, f.moved != ""
	f.moved = ""
	if !moved {
		key = focused
	}
	return key, moved
}

// holdRowFocus runs as each render of the page begins: the focus ends
// on the row rowFocus.next says, once the render is done. Every render,
// not only the one after a key: any may move the rows.
func (h *Home) holdRowFocus() {
	if h.machine == nil {
		return // not mounted (the server's render, the first): no focus to keep
	}
	held := browser.HoldFocus()
	key, moved := h.rowFocus.next(held.Row())
	if key == "" {
		return // "Needs you" items are held by apply
	}
	h.ctx.Defer(func(app.Context) {
		if moved && browser.FocusRow(key) {
			return
		}
		if held.Row() != "" {
			held.Restore() // on the same session's row, or off the rows when it is gone
		}
	})
}
