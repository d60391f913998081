package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

// Seed is the data a Home starts with: on the server, the current
// sessions; in the browser, what the pre-rendered page carried.
type Seed struct {
	Sessions []shared.Session `json:"sessions"`
	Watched  []string         `json:"watched,omitempty"` // folders the server watches
	At       int64            `json:"at"`                // epoch ms the data is from; 0 = no data
	Now      time.Time        `json:"-"`                 // the render time; zero = time.Now()
}

// pageSize is how many rows render before "show more": the DOM stays
// bounded (very long pages crash mobile Safari, go-app #708).
const pageSize = 300

// Home is the page: header, indicator, and the list.
type Home struct {
	app.Compo

	sessions *list.List
	loaded   bool  // the list holds data from somewhere: server, storage or stream
	dataAt   int64 // epoch ms the server last confirmed the list
	cachedAt int64 // > 0: the list is browser storage saved then, unconfirmed
	watched  []string
	conn     feed.Status
	now      time.Time
	limit    int

	installable     bool
	updateAvailable bool
	refreshing      bool
	refreshErr      string

	// Client only, set in OnMount, released in OnDismount.
	ctx      app.Context
	machine  *feed.Machine
	stopTick chan struct{}
	cleanups []func()
}

var (
	_ app.Mounter      = (*Home)(nil)
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
		now:      seed.Now,
		limit:    pageSize,
		conn:     feed.Status{State: feed.Connecting},
	}
	if h.now.IsZero() {
		h.now = time.Now()
	}
	if seed.At > 0 {
		h.conn.Reason = "page rendered by the server at " + absTime(seed.At) + "; live updates start when its script runs"
	}
	return h
}

// Routes routes every path to Home (the list is the only page, and any
// URL the user opens, or a stale bookmark, should show it). newSeed runs
// per page: on the server it captures the current sessions.
func Routes(newSeed func() Seed) {
	app.RouteWithRegexp("^/.*", func() app.Composer { return NewHome(newSeed()) })
}

// apply takes one list update from the feed (a stream event or a poll).
func (h *Home) apply(ev shared.Event) {
	changed := h.sessions.Apply(ev)
	if !changed && !ev.Type.IsSnapshot() {
		return
	}
	h.loaded = true
	h.cachedAt = 0
	h.dataAt = time.Now().UnixMilli()
	h.persist()
}
