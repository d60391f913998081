package ui

import (
	"net/url"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/list"
)

// storageKey is where the last list is kept in localStorage (stored);
// oldStorageKey is where clients before that form kept it as JSON.
const (
	storageKey    = "helm.sessions.v2"
	oldStorageKey = "helm.sessions.v1"
)

// mountSlack: a wait that began this long before the page opened may
// still be news (the page loaded as it began, or the clocks differ).
const mountSlack = time.Minute

// SnapshotURL is the compact list the client starts from (server/api).
const SnapshotURL = "/api/sessions/snapshot"

// KeepaliveEnv is the app.Handler Env entry that tells the client the
// server's keepalive period in milliseconds (default 30 s).
const KeepaliveEnv = "HELM_KEEPALIVE_MS"

// OnMount starts everything long-lived; it runs in the browser only.
func (h *Home) OnMount(ctx app.Context) {
	h.ctx, shownHome = ctx, h
	browser.Mark("helm:mount")
	browser.SetBodyAttr("data-wasm", "ready")
	h.now = time.Now()
	// A kept page shown again (listPage) holds a list newer than any
	// saved one, and its attention settings and stable order as they
	// were.
	back := h.back
	if !back {
		h.restore(ctx)
	}
	if openedKey != "" { // back from the session the list opened
		h.selected, h.refocus, openedKey = openedKey, openedKey, ""
		h.focusReturned()
	}
	if back {
		h.attn.permission = browser.NotificationPermission()
		if !h.sessions.Folded() {
			// Left part-way, its index and search texts go on once it
			// is drawn again: a chain of parts stops while the page is
			// away (its dispatches are dropped), costing the page shown
			// nothing, and the first search back made the rest at once.
			h.afterPaint(func() { h.indexLater(h.sessions) })
		}
	} else {
		h.attn.mountedAt = h.now.UnixMilli() - mountSlack.Milliseconds()
		h.loadAttention(ctx)
	}
	h.cleanups = append(h.cleanups, prefetchOnPress(h.instance))
	h.installable = ctx.IsAppInstallable()
	h.updateAvailable = ctx.AppUpdateAvailable()

	backoff, poll, retry := feedTimings(ctx.Page().URL())
	opts := h.feedOptions()
	opts.Keepalive = keepalive()
	opts.Backoff, opts.PollEvery, opts.RetryEvery = backoff, poll, retry
	opts.Transport, opts.Poller = browser.EventSource{}, browser.Fetcher{}
	// Every feed input lands on the UI goroutine, through this
	// component's ctx (an event handler's ctx may be gone by then).
	opts.Post = func(f func()) { ctx.Dispatch(func(app.Context) { f() }) }
	opts.OnStatus = func(s feed.Status) {
		if h.hideResume(s) {
			return
		}
		if h.updateCheckDue(s.State) {
			// Found, the new build installs and the update notice
			// offers it.
			app.TryUpdate()
		}
		if s.State == feed.Live && h.conn.State != feed.Live {
			if !h.wasLive && h.loaded && h.savedAt.IsZero() {
				// The list the page carried, resumed from its event:
				// no snapshot comes, and it was saved only at its first
				// change, so a list that did not change was never
				// there offline.
				h.persist()
			}
			h.wasLive = true
		}
		h.conn = s
		if s.State != feed.Connecting {
			h.afterStart()
		}
		if s.State == feed.Live {
			// Started: what waited for the start may run (as when
			// the whole list is held, home.go apply).
			ctx.Defer(func(app.Context) { browser.Started() })
		}
		if s.State == feed.Elsewhere {
			h.forget(ctx)
		}
	}
	h.machine = feed.New(opts)
	h.machine.Start()
	// Back online: try the stream now rather than at the next backoff
	// step (on the UI goroutine, like every other feed input).
	h.cleanups = append(h.cleanups, browser.OnWindow("online", func() {
		ctx.Dispatch(func(app.Context) {
			if h.machine != nil {
				h.machine.Retry()
			}
		})
	}))

	h.cleanups = append(h.cleanups, ticking(ctx, func() { h.now = time.Now() }))

	h.cleanups = append(h.cleanups, browser.OnKeyDown(func(k browser.Key) bool { return h.onKey(ctx, k) }))
	// Scrolling near the end shows the next page of rows: the DOM holds
	// what was looked at, not the whole list.
	h.cleanups = append(h.cleanups, browser.OnNearEnd(nearEnd, func() {
		ctx.Dispatch(func(app.Context) {
			if n := h.view().Len(); h.limit < n {
				h.limit += pageSize
			}
		})
	}))
	h.cleanups = append(h.cleanups, h.stopSaving)
	h.waiting = -1
	h.syncTitle(ctx)

	ctx.Update()
}

// fetchWatched asks the server which folders it watches (the empty
// state names them; a page from the service worker's cache may have an
// old list).
func (h *Home) fetchWatched() {
	ctx := h.ctx
	h.cleanups = append(h.cleanups, browser.Fetch("GET", "/api/status", func(body []byte, err error) {
		if err != nil {
			return // the empty state then falls back to a generic sentence
		}
		if roots := rootsFromStatus(body); len(roots) > 0 {
			ctx.Dispatch(func(app.Context) { h.watched = roots })
		}
	}))
}

// OnDismount stops and releases everything OnMount started.
func (h *Home) OnDismount() {
	shownHome = nil
	if h.machine != nil {
		cursor := h.machine.LastEventID()
		h.machine.Close()
		h.machine = nil
		h.leave(cursor)
	}
	for _, f := range h.cleanups {
		f()
	}
	h.cleanups = nil
}

// OnAppUpdate: a new version was installed in the background.
func (h *Home) OnAppUpdate(ctx app.Context) { h.updateAvailable = ctx.AppUpdateAvailable() }

// OnAppInstallChange: the browser offers (or stopped offering) install.
func (h *Home) OnAppInstallChange(ctx app.Context) { h.installable = ctx.IsAppInstallable() }

func (h *Home) onRefresh(ctx app.Context, _ app.Event) {
	if h.machine == nil || h.refreshing {
		return
	}
	h.refreshing, h.refreshErr = true, ""
	if h.conn.State != feed.Live {
		h.machine.Retry() // the user asks for fresh data: try the stream now
	}
	hctx := h.ctx
	browser.Fetch("POST", "/api/sessions/refresh", func(_ []byte, err error) {
		hctx.Dispatch(func(app.Context) {
			h.refreshing = false
			if err != nil {
				h.refreshErr = failed("Refresh failed", err)
			}
		})
	})
}

// onInstall shows the browser's install prompt. A prompt serves once,
// whatever the user answers: the button goes with it (and an install
// also fires appinstalled, which go-app reports to OnAppInstallChange).
func (h *Home) onInstall(ctx app.Context, _ app.Event) {
	ctx.ShowAppInstallPrompt()
	h.installable = false
}

func (h *Home) onReload(ctx app.Context, _ app.Event) { ctx.Reload() }

func (h *Home) onMore(ctx app.Context, _ app.Event) { h.limit += pageSize }

// restore shows the list saved in browser storage when it is newer than
// what the page carried (an offline start from the service worker's copy
// of the page carries an old one).
func (h *Home) restore(ctx app.Context) {
	// The save time is kept apart from the list: a list of thousands
	// takes a while to decode, which is wasted when the page is newer.
	var at int64
	if err := ctx.LocalStorage().Get(storageAtKey, &at); err == nil && at > 0 && at <= h.dataAt {
		return
	}
	var s stored
	if err := ctx.LocalStorage().Get(storageKey, &s); err == nil {
		if c, err := s.cached(); err == nil { // nothing saved: no snapshot, an error
			h.restoreFrom(c)
		}
	}
}

func (h *Home) restoreFrom(c cached) {
	snap := c.Snapshot
	if snap.SavedAt <= h.dataAt || (c.Instance != "" && h.instance != "" && c.Instance != h.instance) {
		return
	}
	h.cursor = c.EventID
	h.sessions = list.New(snap.Sessions)
	h.total = c.Total // 0: a saved list is a whole one
	h.loaded = true
	h.cachedAt = snap.SavedAt
	h.dataAt = snap.SavedAt
	if len(snap.Watched) > 0 {
		h.watched = snap.Watched
	}
}

func keepalive() time.Duration {
	ms, err := strconv.Atoi(app.Getenv(KeepaliveEnv))
	if err != nil || ms <= 0 {
		return 0 // the feed's default
	}
	return time.Duration(ms) * time.Millisecond
}

// PageSeed reads the seed the server put in the pre-rendered page. The
// wasm's route calls it before the first render replaces that page. A
// page without one (the list, reached from a session's page) still says
// which Helm it is of (PageWhich): its list comes from the stream.
func PageSeed() Seed {
	el := app.Window().GetElementByID("seed")
	if el == nil || !el.Truthy() {
		w := PageWhich()
		return Seed{Host: w.Host, Demo: w.Demo, Instance: w.Instance}
	}
	seed, err := readSeed([]byte(el.Call("getAttribute", "data-seed").String()))
	if err != nil {
		return Seed{} // the stream brings the list
	}
	return seed
}

// feedTimings reads overrides of the feed's timings from the page URL,
// ?backoff=100ms&poll=250ms&retry=1s, so that browser tests see the whole
// backoff → polling → live sequence in seconds, not a minute. Missing or
// unreasonable values leave the defaults.
func feedTimings(u *url.URL) (backoff, poll, retry time.Duration) {
	if u == nil {
		return 0, 0, 0
	}
	q := u.Query()
	d := func(k string) time.Duration {
		v, err := time.ParseDuration(q.Get(k))
		if err != nil || v < 10*time.Millisecond || v > time.Hour {
			return 0
		}
		return v
	}
	return d("backoff"), d("poll"), d("retry")
}
