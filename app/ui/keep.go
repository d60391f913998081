package ui

import (
	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/shared"
)

// go-app makes a page's component afresh at each navigation: back from a
// session's page, a new list page decoded the whole snapshot again and
// folded every session's search text again, most of a second at 100,000
// sessions, and came back at its top. So the list page is kept when the
// client leaves it, and is the page shown on the way back, with its
// list, its index and search texts, its view, its rows shown and its
// place. Its stream is closed while away (a second one beside the
// session page's requests would hold one of the browser's few
// connections for nothing): back, it resumes from the id of the list it
// holds, so helmd sends exactly the events it missed, or a whole new
// list when that id is too old to replay.
var keptHome *Home

// shownHome is the list page while it is mounted.
var shownHome *Home

// listPage is the list route's page: the kept one, once, or a new one.
func listPage(newSeed func() Seed) *Home {
	if h := keptHome; h != nil {
		keptHome = nil
		h.back, h.resuming = true, true
		return h
	}
	return NewHome(newSeed())
}

// leavingList notes, as another page is made to replace the list shown,
// where the list is scrolled and the row (or "Needs you" link) with the
// focus, if any: back on the kept list, whichever way it was left (a
// row, a "Needs you" link, the usage link, the browser's history), they
// are put back (OnNav). The other pages' routes call it before go-app
// puts them in the list's place: by the list's OnDismount its rows are
// gone and the scroll is the new page's.
func leavingList() {
	if h := shownHome; h != nil {
		h.placeSet, h.placeY, h.placeFocus = true, browser.PageY(), browser.HoldFocus()
	}
}

// hideResume reports whether the header should not show status s: the
// kept page's resumed stream starts as Connecting, which the page does
// not show, as its list was whole and live a moment ago (read as a
// connection problem). The state the page had stays until the stream
// opens (Live) or fails (its reason and the usual backoff, shown).
func (h *Home) hideResume(s feed.Status) bool {
	r := h.resuming
	h.resuming = false
	return r && s.State == feed.Connecting
}

// leave notes, as the page goes, the id of the stream event its list is
// exact as of, and keeps the page to be shown again when its list is the
// whole of one helmd's: not a seed's first screen (its Total), and not
// while another Helm holds the address.
func (h *Home) leave(cursor string) {
	h.cursor = cursor
	keptHome = nil
	if h.loaded && h.total == 0 && h.conn.State != feed.Elsewhere {
		keptHome = h
	}
}

// feedOptions are the feed's options that come from the list held: the
// stream resumes from the id of the list shown (the page's, the cache's,
// or the one it held when it was left), when it has one.
func (h *Home) feedOptions() feed.Options {
	return feed.Options{
		LastEventID: h.cursor,
		// Without one, the whole list comes as a compact snapshot and
		// the stream resumes from it, rather than the stream's JSON init
		// (97 MB, decoded by reflection, at 100,000 sessions).
		SnapshotURL: SnapshotURL,
		// Every request names the helmd that served the page: another
		// one on the same address refuses, and the list is hidden.
		Instance: h.instance,
		OnEvent:  h.apply,
		Base:     func(key string) (shared.Session, bool) { return h.sessions.Get(key) },
	}
}
