package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

// appName is the document title's base.
const appName = "Helm"

// DocumentTitle is the page title: how many sessions wait for input, so
// a background tab says it, then the name ("(2) Helm").
func DocumentTitle(waiting int) string {
	if waiting > 0 {
		return "(" + grouped(waiting) + ") " + appName
	}
	return appName
}

// OnNav reads the view from the URL: on the server for the pre-rendered
// page, in the browser at start (a bookmark, a reload, a shared link).
// The kept page, back at the view it showed, shows it as it was: its
// rows, its search as typed, and its place when it opened a session.
func (h *Home) OnNav(ctx app.Context) {
	q := list.QueryFromURL(ctx.Page().URL().RawQuery)
	back := h.back && q == h.query
	h.back = false
	if !back {
		h.query = q
		h.typed = q.Search
		h.limit = h.firstPage()
		h.placeSet = false
	}
	if h.placeSet {
		h.placeSet = false
		y, focus := h.placeY, h.placeFocus
		// After the render, when the rows are there again; the focus
		// goes back to the row opened after it (focusReturned), which
		// is then in view and does not move the page, or to the row or
		// "Needs you" link it was on.
		ctx.Defer(func(app.Context) {
			browser.ScrollPage(y)
			focus.Restore()
		})
		h.focusReturned()
	}
	h.waiting = -1 // always set the title once
	h.syncTitle(ctx)
}

// setQuery shows another view and writes it to the address bar. It
// replaces the history entry rather than adding one: a keystroke is not
// a page to go back to.
func (h *Home) setQuery(ctx app.Context, q shared.Query) {
	if q == h.query {
		return
	}
	h.query = q
	h.limit = pageSize
	u := *ctx.Page().URL()
	u.RawQuery = list.WithQuery(u.Query(), q).Encode()
	ctx.Page().ReplaceURL(&u)
}

// waitingCount is how many sessions wait for the user: those of "Needs
// you", waiting and not cleared, whatever the filters. The header badge,
// the document title and the group's heading all say it, so a clear (or
// a clear undone) changes all three: a cleared session still has the
// status waiting, and counting the status left the badge and the title
// one higher than the group after each clear.
func (h *Home) waitingCount() int { return h.sessions.NeedsYouCount() }

// syncTitle puts the waiting count in the document title when it changed.
func (h *Home) syncTitle(ctx app.Context) {
	n := h.waitingCount()
	if n == h.waiting {
		return
	}
	h.waiting = n
	ctx.Page().SetTitle("%s", h.pageTitle(ctx, n))
}

// view is what the list shows for the current query.
// With "stable order" on, rows keep the places they had when it was
// turned on.
func (h *Home) view() list.Result { return h.attn.order.Apply(h.sessions.Filter(h.query)) }

func (h *Home) onSearch(ctx app.Context, _ app.Event) {
	h.typed = ctx.JSSrc().Get("value").String()
	q := h.query
	q.Search = strings.TrimSpace(h.typed)
	h.setQuery(ctx, q)
}

func (h *Home) onSource(ctx app.Context, _ app.Event) {
	q := h.query
	q.Source = shared.Source(fromAll(ctx.JSSrc().Get("value").String()))
	h.setQuery(ctx, q)
}

func (h *Home) onProject(ctx app.Context, _ app.Event) {
	q := h.query
	q.Project = fromAll(ctx.JSSrc().Get("value").String())
	h.setQuery(ctx, q)
}

func (h *Home) onSort(ctx app.Context, _ app.Event) {
	q := h.query
	q.Sort = ctx.JSSrc().Get("value").String()
	if q.Sort == shared.SortActivity {
		q.Sort = ""
	}
	h.setQuery(ctx, q)
}

// onStatus is a status button: its data-value is the filter.
func (h *Home) onStatus(ctx app.Context, _ app.Event) {
	q := h.query
	q.Status = fromAll(ctx.JSSrc().Get("dataset").Get("value").String())
	h.setQuery(ctx, q)
}

// onShowWaiting is the header's "2 waiting" badge.
func (h *Home) onShowWaiting(ctx app.Context, _ app.Event) {
	q := h.query
	q.Status = string(shared.StatusWaiting)
	h.setQuery(ctx, q)
}

// onShowAllWaiting shows every session that waits, whatever the view
// held before ("Needs you" counts those outside it), keeping the sort.
func (h *Home) onShowAllWaiting(ctx app.Context, _ app.Event) {
	h.clearSearchBox()
	h.setQuery(ctx, shared.Query{Sort: h.query.Sort, Status: string(shared.StatusWaiting)})
}

// onSkip moves the focus to the first row, where Tab and the arrows go on.
func (h *Home) onSkip(ctx app.Context, _ app.Event) {
	if row := app.Window().Get("document").Call("querySelector", "#sessions li.session"); row.Truthy() {
		row.Call("focus")
	}
}

func (h *Home) onClear(ctx app.Context, _ app.Event) { h.clear(ctx) }

// clear resets the search and the filters, keeping the sort.
func (h *Home) clear(ctx app.Context) {
	h.clearSearchBox()
	h.setQuery(ctx, shared.Query{Sort: h.query.Sort})
}

// clearSearchBox empties the search box, which go-app would not do.
func (h *Home) clearSearchBox() {
	h.typed = ""
	browser.SetValue(searchID, "")
}

// onRowClick opens the clicked row's session (one listener on the list,
// not one per row).
func (h *Home) onRowClick(ctx app.Context, e app.Event) {
	t := e.Get("target")
	if !t.Truthy() {
		return
	}
	li := t.Call("closest", "li.session")
	if !li.Truthy() {
		return
	}
	key := li.Get("dataset").Get("key").String()
	h.choose(key)
	h.openSession(ctx, key)
}

// choose selects a row; looking at a session clears its attention mark.
func (h *Home) choose(key string) {
	h.selected = key
	delete(h.attention, key)
}
