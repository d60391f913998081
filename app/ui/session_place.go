package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
)

// Where the reader was in each session's transcript, for the life of
// the tab: back from the list (or from a subagent), a session opens
// where it was left, not at its end. A view that followed the end is
// not noted: it opens at the end again.

// place is a row being read, by its message's cursor, and its top's
// offset from the top of the view.
type place struct {
	cursor string
	at     float64
}

// maxPlaces bounds the places kept; past it, any one is forgotten.
const maxPlaces = 64

// A place above the last page is found by loading older pages of
// seekLimit messages (the API's most), at most seekPagesMax of them:
// a place further up than that is given up for the end.
const (
	seekLimit    = 200
	seekPagesMax = 25
)

var places = map[string]place{}

// readingPlace is where the reader is now: the first row in view, unless
// the view follows the end.
func (p *SessionPage) readingPlace() (place, bool) {
	if p.follow || p.pin >= 0 || !p.convo.Loaded {
		return place{}, false
	}
	i, at, ok := browser.FirstRowInView(transcriptID)
	if !ok || i >= len(p.convo.Msgs) || !readable(i, at) {
		return place{}, false
	}
	return place{p.convo.Msgs[i].Cursor, at}, true
}

// readable reports whether row i, the first rendered row that reaches
// into the view, at px from its top, is the row being read: one that
// covers the view's top, or the first message (below the line above
// it). A scroll event can come before the rows of the new position are
// rendered, and the first rendered row is then far below the view's top
// (at 2,400 px, say). Kept as the place, it was put back that far down
// on the next visit: reWindow rendered the rows 2,400 px above it, and
// the view stayed blank (the clean-clone runs' OpensWhereItWasLeftFarUp:
// rows 0–11 rendered, the view 41,000 px below them).
func readable(i int, at float64) bool { return i == 0 || at <= 1 }

// placeToKeep is where the reader is before the network's page replaces
// what is shown: on the page from the cache (put back already, or not
// yet), or, with nothing shown, where the session was last left.
func (p *SessionPage) placeToKeep() (place, bool) {
	switch {
	case !p.convo.Loaded:
		pl, ok := places[p.key()]
		return pl, ok
	case p.seek != nil:
		return *p.seek, true
	case p.place >= 0:
		return place{p.convo.Msgs[p.place].Cursor, p.anchorAt}, true
	}
	return p.readingPlace()
}

// notePlace keeps where the reader is in the session shown: at each
// scroll (the page may be left by the browser's Back, when its rows are
// gone already) and as the page leaves it. A view that follows the end
// forgets the place.
func (p *SessionPage) notePlace() {
	if p.started == "" || !p.convo.Loaded || p.place >= 0 || p.seek != nil {
		return // nothing shown yet, or resume's place not put back yet
	}
	if p.follow {
		delete(places, p.started)
		return
	}
	pl, ok := p.readingPlace()
	if !ok {
		return
	}
	if _, known := places[p.started]; !known && len(places) >= maxPlaces {
		for k := range places {
			delete(places, k)
			break
		}
	}
	places[p.started] = pl
}

// resume shows pl after the messages were replaced: its row where it was
// in the view, when it is among them (reWindow and settle place it);
// else the view follows the end, and, when older messages are left to
// load, pl is sought among them (seekOlder).
func (p *SessionPage) resume(pl place, ok bool) {
	p.follow, p.place, p.seek, p.upAsked = true, -1, nil, false
	if !ok {
		return
	}
	if p.putBack(pl) {
		return
	}
	if p.convo.Before != "" {
		p.seek = &pl
	}
}

// putBack places pl's row, if loaded, where it was in the view.
func (p *SessionPage) putBack(pl place) bool {
	for i := range p.convo.Msgs {
		if p.convo.Msgs[i].Cursor == pl.cursor {
			if !readable(i, pl.at) {
				pl.at = 0 // a place kept before readable: its row at the top
			}
			p.follow, p.place, p.anchor, p.anchorAt = false, i, i, pl.at
			return true
		}
	}
	return false
}

// seekOlder goes on seeking: when older messages came and hold the
// place's row, it is put back; else the next older page is asked for,
// until there is none or seekPagesMax were loaded (the end then stays).
func (p *SessionPage) seekOlder(ctx app.Context) {
	if p.seek == nil {
		return
	}
	if p.putBack(*p.seek) {
		p.seek = nil
		p.afterChange()
		return
	}
	if p.convo.Before == "" || p.seekPages >= seekPagesMax || p.state != "ready" {
		p.seek = nil
		return
	}
	p.seekPages++
	p.loadOlderBy(ctx, seekLimit)
}
