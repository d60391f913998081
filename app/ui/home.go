package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/app/startgc"
	"vibecraft.sh/helm/shared"
)

// Seed is the data a Home starts with: on the server, the current
// sessions; in the browser, what the pre-rendered page carried. Its JSON
// is its page form (seed.go).
type Seed struct {
	Sessions []shared.Session
	Watched  []string // folders the server watches
	At       int64    // epoch ms the data is from; 0 = no data
	// EventID names the stream event Sessions is exact as of (the REST
	// list's X-Helm-Event-Id); the client resumes the stream from it.
	// Empty: unknown, and the stream starts with a fresh init.
	EventID string
	// Total is how many sessions the server has when Sessions holds only
	// the newest of them (the page's first screen); 0 = Sessions is all.
	Total int
	// Host is the serving helmd's --host-name, shown in the header (and
	// the title when not local) so that one helmd cannot pass for another.
	Host string
	// Demo marks a simulated workspace (helmd --demo).
	Demo bool
	// Instance names the helmd that rendered the page (server/ident): the
	// feed sends it with each request, and another helmd refuses them.
	Instance string
	Now      time.Time // the render time; zero = time.Now(); not in the page
}

// pageSize is how many rows render at first, and how many more each
// "show more" (or scrolling near the end) adds: the DOM stays bounded —
// very long pages crash mobile Safari (go-app #708), and every row is
// work for each keystroke of a search. 100 rows are several screens.
const pageSize = 50

// firstRows is how many rows the client's first render draws: more than a
// tall screen shows. The rest of the first page is drawn once the feed
// has a state other than Connecting (afterStart). At a first visit every
// element of the first render is made through syscall/js while V8 runs
// the client in its baseline code: at 5,000 sessions, the first render's
// 640 elements (550 of them 50 rows) took about 160 ms of the second
// from navigation to Live. The server's page draws the whole first page.
const firstRows = 25

// nearEnd is how close (px) to the end of the page scrolling shows the
// next page of rows, so they are there before the user reaches them.
const nearEnd = 1500

// Home is the page: header, indicator, and the list.
type Home struct {
	app.Compo

	sessions *list.List
	loaded   bool   // the list holds data from somewhere: server, storage or stream
	dataAt   int64  // epoch ms the server last confirmed the list
	cachedAt int64  // > 0: the list is browser storage saved then, unconfirmed
	cursor   string // the stream event id the starting list is exact as of; "" = unknown
	watched  []string
	total    int // sessions on the server while the list is a partial seed; 0 after a full list
	conn     feed.Status
	now      time.Time
	limit    int
	started  bool // afterStart ran: a first page is pageSize rows from now on
	// scrolledAtStart: the page was scrolled down at the client's first
	// render; its first page is then pageSize rows at once (firstPage).
	scrolledAtStart bool

	// The view: filters, search and sort, mirrored in the URL's query.
	query    shared.Query
	typed    string // the search box as typed; query.Search is it trimmed
	selected string // key of the row the keyboard is on; "" = none
	// rowFocus keeps the focus on its session's list row across renders
	// (holdRowFocus).
	rowFocus rowFocus
	// refocus is the selected row to focus once it is rendered: the
	// session the list opened, back on the list (openedKey).
	refocus string
	// back: the page is the kept one, shown again (keep.go), until its
	// OnNav. placeY is where the page was scrolled when it was left
	// (placeSet, leavingList), to be put back on the way back.
	back       bool
	resuming   bool // the kept page's stream is not yet resumed (hideResume)
	placeSet   bool
	placeY     float64
	placeFocus browser.FocusHold // the list's control with the focus as it was left
	// attention: sessions that turned "waiting for input" while the page
	// was open, marked until the user looks at them or they move on.
	attention map[string]bool
	waiting   int       // sessions waiting, as the document title last said
	attn      attention // "Needs you", notifications, stable order

	// Which Helm this is (Seed.Host, Demo, Instance).
	host     string
	demo     bool
	instance string

	help        bool // the keyboard shortcuts dialog is open
	filtersOpen bool // on a phone, the filters are shown

	installable     bool
	updateAvailable bool
	refreshing      bool
	refreshErr      string
	// wasLive: the stream has been open before, so opening it again is a
	// return, after which helmd may be a new build (OnMount, OnStatus).
	wasLive bool
	// wasOffline: helmd did not answer since the page loaded, so the
	// browser's own look for a new build, at the load, found nothing
	// (updateCheckDue).
	wasOffline bool

	// Client only, set in OnMount, released in OnDismount.
	ctx       app.Context
	machine   *feed.Machine
	cleanups  []func()
	savedAt   time.Time   // the list was last saved to browser storage
	saveTimer *time.Timer // a trailing save of a big list, if due
}

var (
	_ app.Mounter      = (*Home)(nil)
	_ app.Navigator    = (*Home)(nil)
	_ app.Dismounter   = (*Home)(nil)
	_ app.AppUpdater   = (*Home)(nil)
	_ app.AppInstaller = (*Home)(nil)
)

// NewHome returns the page, showing seed until something newer arrives.
func NewHome(seed Seed) *Home {
	h := &Home{
		sessions: list.New(seed.Sessions),
		loaded:   seed.At > 0,
		dataAt:   seed.At,
		watched:  seed.Watched,
		cursor:   seed.EventID,
		total:    seed.Total,
		now:      seed.Now,
		conn:     feed.Status{State: feed.Connecting},
		host:     seed.Host,
		demo:     seed.Demo,
		instance: seed.Instance,
	}
	if h.now.IsZero() {
		h.now = time.Now()
	}
	h.scrolledAtStart = browser.Scrolled()
	h.limit = h.firstPage()
	if seed.At > 0 {
		h.conn.Reason = "page rendered by the server at " + absTime(seed.At) + "; live updates start when its script runs"
	}
	return h
}

// Routes routes every path to Home (the list is the only page, and any
// URL the user opens, or a stale bookmark, should show it). newSeed runs
// per page: on the server it captures the current sessions.
func Routes(newSeed func() Seed, which func() Which) {
	// The other pages note the place of the list they replace (leavingList).
	app.Route(UsageRoute, func() app.Composer { leavingList(); return NewUsagePage(which()) })                 // exact routes win over the catch-all
	app.RouteWithRegexp(SessionRoute, func() app.Composer { leavingList(); return newSessionPageOf(which()) }) // before the catch-all: regexps match in order
	app.RouteWithRegexp("^/.*", func() app.Composer { return listPage(newSeed) })
}

// apply takes one list update from the feed (a stream event or a poll).
// Rows are rewritten in place, so when the list is scrolled the row the
// user reads is held where it was, unless the sort moves that very row.
func (h *Home) apply(ev shared.Event) {
	h.noticeWaiting(ev)
	h.notifyWaiting(ev)
	mounted := h.machine != nil // in a browser, with h.ctx set
	anchor, hold := browser.Anchor{}, false
	var focus browser.FocusHold
	if mounted {
		focus = browser.HoldFocus()
		anchor, hold = browser.ReadingAnchor(h.selected, func(key string) bool {
			if ev.Type.IsSnapshot() {
				return false // every session is in it; most do not move
			}
			_, ok := findKey(ev.Sessions, key)
			return ok
		})
	}
	if ev.Type.IsSnapshot() {
		h.total = 0 // the whole list, not the page's first screen
	}
	changed := h.sessions.Apply(ev)
	if !changed && !ev.Type.IsSnapshot() {
		return
	}
	h.loaded = true
	h.cachedAt = 0
	h.dataAt = time.Now().UnixMilli()
	h.persist()
	if !mounted {
		return
	}
	h.syncTitle(h.ctx)
	if ev.Type.IsSnapshot() {
		// Built after the list is painted: a lookup before it is done
		// builds it at once.
		l := h.sessions
		h.afterPaint(func() { h.indexLater(l) })
		// The page holds the whole list: what waited for the start (the
		// service worker's install) may run, once this is drawn.
		h.ctx.Defer(func(app.Context) { browser.Started() })
	}
	if hold {
		h.ctx.Defer(func(app.Context) { browser.Hold(anchor) })
	}
	// The focus stays on its session, not on the place its row was. A
	// list row's is held by each render (holdRowFocus): held here too, it
	// was noted before a key's move in the same frame, and put back
	// after the render on the row the key had left.
	if focus.Held() && focus.Row() == "" {
		h.ctx.Defer(func(app.Context) { focus.Restore() })
	}
	h.focusReturned()
}

// focusReturned focuses the row of the session the list opened, once
// the list is back and that row is rendered.
func (h *Home) focusReturned() {
	if h.refocus == "" {
		return
	}
	h.ctx.Defer(func(app.Context) {
		switch {
		case h.refocus != h.selected || browser.Focused().Truthy():
			h.refocus = "" // the user moved on: the focus is theirs
		case browser.FocusRow(h.refocus):
			h.refocus = ""
		}
	})
}

// afterStart runs, once, what can wait until the page has drawn the feed's
// first state other than Connecting (Live, mostly) and the browser has
// painted it: the rest of the first page (firstRows), and the question
// of the watched folders. Run before, each made the page Live later: in
// the same render, "Live" showed only once 25 more rows were made; and
// a timer is no help, as a dispatch it makes can come before go-app's
// next frame.
func (h *Home) afterStart() {
	if h.started {
		return
	}
	h.started = true
	h.afterPaint(func() {
		startgc.End()
		h.limit = max(h.limit, pageSize)
		h.fetchWatched()
	})
}

// afterPaint runs fn on the UI goroutine once this update is rendered and
// the browser has painted it.
func (h *Home) afterPaint(fn func()) {
	ctx := h.ctx
	ctx.Defer(func(app.Context) {
		browser.AfterPaint(func() { ctx.Dispatch(func(app.Context) { fn() }) })
	})
}

// firstPage is how many rows the list shows before "Show more": in the
// client, until afterStart, firstRows, unless the page was already
// scrolled down at the first render (a reload or a return, whose scroll
// the browser put back on the server's whole first page): fewer rows
// would cut the page short under the reader, and the browser would not
// scroll back once they came.
func (h *Home) firstPage() int {
	if app.IsClient && !h.started && !h.scrolledAtStart {
		return firstRows
	}
	return pageSize
}

// indexLater builds l's index by key a part at a time, each after the
// page has had a chance to draw and answer input (a timer, not a due one:
// in wasm a due timer runs without returning to the browser), then its
// search texts (foldLater). Replace leaves the index to be built so that
// a list of 100,000 is drawn first; a lookup before the last part
// finishes it at once.
func (h *Home) indexLater(l *list.List) {
	ctx := h.ctx
	time.AfterFunc(time.Millisecond, func() {
		ctx.Dispatch(func(app.Context) {
			switch {
			case h.sessions != l:
			case !l.IndexSome(0):
				h.indexLater(l)
			default:
				h.foldLater(l)
			}
		})
	})
}

// foldLater makes l's search texts a part at a time, as indexLater its
// index, so that they are ready by the time a user types: made at the
// first keystroke, at 100,000 sessions, they froze the page for a
// second. A search before the last part makes the rest at once.
func (h *Home) foldLater(l *list.List) {
	ctx := h.ctx
	time.AfterFunc(time.Millisecond, func() {
		ctx.Dispatch(func(ctx app.Context) {
			// Nothing drawn changes: the page is not rendered again for
			// each of up to fifty parts.
			ctx.PreventUpdate()
			if h.sessions == l && !l.FoldSome(0) {
				h.foldLater(l)
			}
		})
	})
}

// noticeWaiting marks the sessions ev turns to "waiting for input", and
// unmarks those that left it.
func (h *Home) noticeWaiting(ev shared.Event) {
	if !ev.Type.IsSnapshot() && ev.Type != shared.EventSessionCreated && ev.Type != shared.EventSessionUpdated {
		return
	}
	snap := ev.Type.IsSnapshot()
	var waiting map[string]bool // a snapshot's waiting sessions
	if snap && len(h.attention) > 0 {
		waiting = make(map[string]bool)
	}
	// A snapshot marks only sessions the page held before. When a big
	// one arrives the page holds few (its first screen), while tens of
	// thousands can wait: their ids are looked up, not made into keys.
	var ids map[string]bool
	if snap && waiting == nil && h.sessions.Len() <= 5000 {
		ids = make(map[string]bool, h.sessions.Len())
		for _, s := range h.sessions.Sessions() {
			ids[s.ID] = true
		}
	}
	for i := range ev.Sessions {
		s := &ev.Sessions[i]
		if s.Status != shared.StatusWaiting {
			// Keyed only when there is something to unmark: a
			// snapshot of 100,000 sessions would make a key of each.
			if !snap && len(h.attention) > 0 {
				delete(h.attention, s.Key())
			}
			continue
		}
		if ids != nil && !ids[s.ID] {
			continue // not held before: nothing to mark or unmark, no key to make
		}
		k := s.Key()
		if waiting != nil {
			waiting[k] = true
		}
		old, had := h.sessions.Get(k)
		if (had && old.Status != shared.StatusWaiting) || (!had && h.loaded && !snap) {
			if h.attention == nil {
				h.attention = make(map[string]bool)
			}
			h.attention[k] = true
		}
	}
	if waiting != nil { // marks held before the snapshot, kept only if it still waits
		for k := range h.attention {
			if !waiting[k] {
				delete(h.attention, k)
			}
		}
	}
}

func findKey(ss []shared.Session, key string) (shared.Session, bool) {
	for _, s := range ss {
		if s.Key() == key {
			return s, true
		}
	}
	return shared.Session{}, false
}

// updateCheckDue records the connection's new state s and says whether
// the page should ask the service worker to look for a new build now.
// The browser looks only when a page loads: a page that returns to Live
// after an outage (helmd restarted, perhaps upgraded), or that loaded
// while helmd was down (an offline start, whose look failed), would run
// its client against the new helmd for as long as it stayed open, with
// no update notice. A page Live from its load needs no check.
func (h *Home) updateCheckDue(s feed.State) bool {
	if s == feed.Offline {
		h.wasOffline = true
	}
	if s != feed.Live || h.conn.State == feed.Live {
		return false
	}
	return h.wasLive || h.wasOffline
}
