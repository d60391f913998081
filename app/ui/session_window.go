package ui

import (
	"net/url"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/convo"
	"vibecraft.sh/helm/shared"
)

// A window away from the end. Home and find's jumps show a part of the
// transcript that the loaded messages do not reach: its start, or a
// match far above. The page then shows a window (p.convo) loaded from
// there, while the live end it left (p.tail) goes on taking what the
// stream sends, unseen: nothing is added below what is being read, and
// "N new messages — jump to latest" (or End) goes back to the end at
// once, following it. Scrolling down the window loads the pages after
// it (?after=); once they meet the end, the window and the end are one
// again and the page follows as before. The window's own older pages
// load as at the end (?before=).

// liveConvo is what the stream and the polls bring the end's messages
// into: the end the page left, while it shows a window.
func (p *SessionPage) liveConvo() *convo.Convo {
	if p.tail != nil {
		return p.tail
	}
	return p.convo
}

// toStart is Home: the transcript's start, loaded when it is not.
func (p *SessionPage) toStart(ctx app.Context) {
	p.follow, p.pin = false, -1
	if p.convo.Before == "" || p.state != "ready" {
		// All loaded, or helmd not answering: the start of what is.
		browser.ScrollTo(transcriptID, 0)
		return
	}
	p.openWindow(ctx, url.Values{"at": {"start"}}, func() {
		p.follow, p.place, p.anchor, p.anchorAt = false, 0, 0, startGap
	})
}

// startGap is where the first message is put at Home: below the line
// above it that says this is the start.
const startGap = 48

// openWindow loads the page q names and shows it in place of what is
// shown; then places the view (run after the window is in, before it is
// laid out). A window that reaches the end is the end again.
func (p *SessionPage) openWindow(ctx app.Context, q url.Values, then func()) {
	if !p.convo.Loaded || p.state != "ready" {
		return
	}
	p.stopWindowFetch() // the window asked for before: this one wins
	p.winGen++
	gen, key := p.winGen, p.key()
	q.Set("limit", itoa(pageLimit))
	p.winCancel = p.getMessages(ctx, q, func(pg shared.MessagePage, err error) {
		if gen != p.winGen || key != p.key() {
			return
		}
		p.winCancel = nil
		switch {
		case browser.Status(err) == 409:
			p.loadLast(ctx)
			return
		case err != nil:
			return // offline: the page stays as it was
		}
		if p.tail == nil {
			p.tail, p.unseen = p.convo, 0
		}
		p.convo = convo.New()
		p.convo.Reset(pg)
		p.older, p.newer = false, false
		p.seek = nil
		p.meet(pg)
		p.match = -1 // an index among other messages; then shows one
		p.refind()
		then()
		p.reWindow()
		p.settleLater()
	})
}

// loadNewer asks for the page after the window, as the view nears its
// bottom.
func (p *SessionPage) loadNewer(ctx app.Context) {
	if p.tail == nil || p.newer || p.state != "ready" || p.convo.After == "" {
		return
	}
	p.newer = true
	after, gen := p.convo.After, p.winGen
	p.getMessages(ctx, url.Values{"limit": {itoa(pageLimit)}, "after": {after}}, func(pg shared.MessagePage, err error) {
		if gen != p.winGen || p.tail == nil || after != p.convo.After {
			return // another window since, or the end again
		}
		p.newer = false
		switch {
		case browser.Status(err) == 409:
			p.loadLast(ctx)
			return
		case err != nil:
			return
		}
		p.convo.Merge(pg)
		p.meet(pg)
		dropped := p.capMsgs()
		p.refind()
		p.afterChange() // rows came below: the row read stays put
		p.readAbove(dropped)
	})
}

// meet makes the window the end again once pg, its latest page, reached
// the end or the messages the end holds: what the end took since comes
// after it, and the page follows the stream from here.
func (p *SessionPage) meet(pg shared.MessagePage) {
	t := p.tail
	if t == nil {
		return
	}
	reached := !pg.More
	for _, m := range pg.Messages {
		if _, ok := t.Index(m.Cursor); ok {
			reached = true
			break
		}
	}
	if !reached {
		return
	}
	p.convo.Merge(shared.MessagePage{Messages: t.Msgs, After: t.After})
	p.tail, p.unseen = nil, 0
}

// attach goes back to the end the page left (End, "jump to latest", a
// match among the end's messages).
func (p *SessionPage) attach() {
	if p.tail == nil {
		return
	}
	p.winGen++ // a window or newer page on its way is not wanted now
	p.stopWindowFetch()
	p.convo, p.tail, p.unseen = p.tail, nil, 0
	p.older, p.newer = false, false
	p.match = -1 // an index among the window's messages
	p.refind()
}

// dropWindow forgets the window and the end it left, for a fresh last
// page.
func (p *SessionPage) dropWindow() {
	p.winGen++
	p.stopWindowFetch()
	p.tail, p.newer = nil, false
}

// stopWindowFetch stops a window's page on its way (openWindow).
func (p *SessionPage) stopWindowFetch() {
	if p.winCancel != nil {
		p.winCancel()
		p.winCancel = nil
	}
}

// windowing reports whether a window's page is on its way.
func (p *SessionPage) windowing() bool { return p.winCancel != nil }
