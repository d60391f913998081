package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/shared"
)

const findID = "find"

// onKey is the session page's keyboard:
//
//	Esc, u     back to the list, or from a subagent to its session
//	           (Esc first closes the find box)
//	/          find in the loaded messages
//	n, N       next / previous match (Enter / Shift+Enter in the box)
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
			post(func() { p.next(1) })
			return true
		}
		return false
	}
	switch k.Key {
	case "Escape", "u":
		if p.finding && k.Key == "Escape" {
			post(func() { p.closeFind() })
			return true
		}
		post(func() { p.back(ctx) })
		return true
	case "/":
		post(func() {
			p.finding = true
			ctx.Defer(func(app.Context) { browser.Focus(findID) })
		})
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
		parent := pagePath(p.source, p.id, "", p.host)
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

// onFind searches as the term is typed. The first match shown is the one
// the reader is at: the current match while it still matches (a longer
// term narrows around it), else the first after it, or with none yet
// the first at or below the top of the view; else the nearest above.
// Never the oldest loaded one, which may be hundreds of messages up.
func (p *SessionPage) onFind(ctx app.Context, _ app.Event) {
	p.term = strings.TrimSpace(ctx.JSSrc().Get("value").String())
	cur, from := "", p.win.First
	if i, _, ok := browser.FirstRowInView(transcriptID); ok {
		from = i
	}
	if p.match >= 0 && p.match < len(p.matches) {
		// Typing on from a match: the next is found from it, as the
		// view has moved to show it.
		cur, from = p.curCursor, p.matches[p.match]
	}
	p.match = -1
	p.refind() // no current match: holds no row
	if len(p.matches) == 0 {
		return
	}
	p.match = firstMatch(p.matches, p.convo.Msgs, cur, from) - 1
	p.next(1)
}

// firstMatch is the index in matches (rows, in order) to show first: the
// row whose message has cursor cur, else the first row at or after
// from, else the last.
func firstMatch(matches []int, msgs []shared.Message, cur string, from int) int {
	if cur != "" {
		for k, i := range matches {
			if msgs[i].Cursor == cur {
				return k
			}
		}
	}
	for k, i := range matches {
		if i >= from {
			return k
		}
	}
	return len(matches) - 1
}

// refind searches the loaded messages again (after a load, an older
// page or an append), keeping the current match on the same message:
// an older page moves every index.
func (p *SessionPage) refind() {
	cur := ""
	if p.match >= 0 {
		cur = p.curCursor
	}
	p.matches = p.convo.Find(p.term)
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

func (p *SessionPage) closeFind() {
	p.finding, p.term, p.matches, p.match, p.curCursor, p.pin = false, "", nil, -1, "", -1
	browser.Blur(findID)
}

// next moves to the next (by 1) or previous (by -1) match, wrapping.
func (p *SessionPage) next(by int) {
	if len(p.matches) == 0 {
		return
	}
	p.match = (p.match + by + len(p.matches)) % len(p.matches)
	p.curCursor = p.convo.Msgs[p.matches[p.match]].Cursor
	p.showRow(p.matches[p.match])
}

// isMatch reports whether message i is the current match.
func (p *SessionPage) isMatch(i int) bool {
	return p.match >= 0 && p.match < len(p.matches) && p.matches[p.match] == i
}
