package ui

import (
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/clip"
	"vibecraft.sh/helm/app/convo"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/app/vwin"
	"vibecraft.sh/helm/shared"
)

// The session page, /s/<source>/<id> (?agent=<id> for a Claude
// subagent's transcript). Test hooks: #session (data-state "loading",
// "ready", "offline", "error", "missing" (helmd has no such session, and
// no message is loaded), "gone" (helmd no longer has the session whose
// messages are shown: #session-gone says so) or "elsewhere" (another
// Helm answers at the address: #elsewhere, session_elsewhere.go); data-seeking "true" while older pages
// load to find the place the reader left), #session-header with .title, .project,
// .branch, .models, .status, .question, .messages, .tokens, .cost,
// .started, .updated, .duration, .work (when the transcript times its turns); #copy-resume, #copy-id, #copy-path;
// #transcript, the scrolling list, whose rendered rows are .msg with
// data-i (index among the loaded messages), data-role and data-cursor;
// #older (loading older messages or "start of the transcript"); #newer
// (below a window away from the end: session_window.go); #new-below
// ("N new ↓", "N new messages — jump to latest ↓"); #find (the find box),
// #find-count.

// SessionRoute matches the session page's path.
const SessionRoute = `^/s/[^/]+/[^/]+/?$`

const (
	pageLimit    = 50 // messages per page
	pollEvery    = 2 * time.Second
	overscan     = 400  // px of rows rendered beyond each edge of the view
	loadOlderAt  = 1200 // px from the top where the page above is asked for
	bottomSlack  = 48   // px from the end that still counts as "at the bottom"
	transcriptID = "transcript"
)

// openedFromList is set when the list opened a session page, so Esc goes
// back in history (restoring the list's URL and scroll) rather than to /.
var openedFromList bool

// subagentOpenedFrom is the page whose link opened a subagent's
// transcript, so that Esc there goes back in history to it (its scroll
// and open blocks kept) rather than to a fresh copy.
var subagentOpenedFrom string

// SessionPage shows one session: header and conversation.
type SessionPage struct {
	app.Compo

	source, id, agent string
	host              string // the machine a remote session lives on; "" = this one
	which             Which  // the Helm the page is of: its machine, a demo
	// hostDown is the page's Helm (a hub) saying that host does not
	// answer, in its words (session_remote.go); "" when it does.
	hostDown string

	detail *shared.SessionDetail
	// rowOnly: detail is the session's row in the list saved in this
	// browser (savedRow), helmd not answering; its own is asked for
	// once it does.
	rowOnly bool
	polls   int // polls since the page opened (session_live.go)
	// settleDue: a poll brought new messages; the messages above that
	// show a call running are read again once the polls caught up.
	settleDue bool
	// grew: find opened a block of the row it is about to show (reveals).
	grew    bool
	state   string // loading, ready, offline, error, missing, gone (a 404: asks again) or elsewhere
	errText string
	// goneAt is when the page learned that helmd no longer has the
	// session (epoch ms; session_gone.go); 0 while it has.
	goneAt int64
	// docTitle is the document title set last (syncTitle).
	docTitle string
	convo    *convo.Convo
	// tail is the end of the transcript, following the stream, while
	// convo is a window away from it (session_window.go); nil when
	// convo is the end.
	tail *convo.Convo
	// newer: the page after the window is being loaded (a window's own
	// page: winCancel, windowing). winGen tells a window's answers from
	// those of the one before.
	newer     bool
	winGen    int
	winCancel func()
	win       vwin.Window
	follow    bool             // the view is at the bottom and follows new messages
	fits      bool             // the whole transcript fits its view, as the last settle measured
	rowFocus  browser.RowFocus // the row's control with the focus before a render, put back after it
	upAsked   bool             // the reader asked to scroll up, not yet told by a scroll event
	askedTop  float64          // the view's top when the reader asked
	endTaken  bool             // the page scrolled to the end, its scroll event not come yet
	endTop    float64          // the view's top when last seen at the end, or put there
	summaries int              // session events taken: a detail asked before the last is older
	unseen    int              // messages appended while the view was not at the bottom
	older     bool             // a page above is being loaded
	open      map[string]bool
	full      map[string]string // texts loaded whole, by cut ref
	parsed    map[string][]md.Block
	copied    string // the copy button that just succeeded
	// details: the header's facts and copy buttons are shown on a
	// phone, where they sit behind one button (on a wider screen they
	// always show).
	details bool
	// findFrom had the keyboard's focus when find opened: closing find
	// gives it back.
	findFrom app.Value

	// measured: rows were measured since the page started; before,
	// the window has no overscan (see reWindow).
	measured bool

	help     bool      // the keys' dialog is open
	helpFrom app.Value // had the focus when it opened

	finding bool
	term    string
	matches []int
	match   int
	// findingOlder: "Search older" loads older pages until one holds a
	// match (goOnFindingOlder); findOlderPages counts them.
	findingOlder   bool
	findOlderPages int
	// found are helmd's matches of foundTerm over the whole transcript,
	// in order, at most shared.MaxFound of them: those from foundFirst
	// of foundTotal (session_findall.go); foundMore: an older helmd's
	// count, which stops at its first ones. foundLast and foundEnd are
	// its last match and last message as it read them; foundNew counts
	// the matches written since that found does not reach. foundState
	// says where the question is; all is found with the matches loaded
	// since; findT and findCancel stop the question waiting or on its
	// way; batch: the question is for the matches either side of found.
	found      []string
	foundFirst int
	foundTotal int
	foundMore  bool
	foundLast  string
	foundEnd   string
	foundNew   int
	batch      bool
	foundTerm  string
	foundState string
	all        []string
	findT      *time.Timer
	findCancel func()
	// noFindAll: helmd has no …/find (an older one).
	noFindAll bool
	// nextWhenFound is an Enter (1) or Shift+Enter (-1) pressed while
	// helmd was still finding, with no loaded match to go to: done when
	// its answer comes (tookFind). A word typed then Enter at once is the
	// habit, and that Enter was dropped.
	nextWhenFound int
	// curCursor is the current match's message: indices move when an
	// older page arrives, cursors do not.
	curCursor string
	pin       int     // the row find shows, held in view; -1 = none
	pinTop    float64 // the scroll position that showed it
	// anchor is the row being read when the window was last chosen, and
	// anchorAt its top's offset from the view's top then: settle scrolls
	// it back there (holdAnchor). -1 = none.
	anchor   int
	anchorAt float64
	// place is the row resume puts back where the reader left it, until
	// a settle has; -1 = none.
	place int
	// seek is a place left above the messages loaded: older pages are
	// loaded until its row is among them (seekOlder); nil = none.
	seek      *place
	seekPages int

	ctx      app.Context
	mounted  bool
	started  string // the key loaded, so OnNav to the same page does nothing
	live     *browser.PageStream
	polling  bool
	gen      int // bumped by stopLive: answers to older requests are dropped
	timer    *time.Timer
	saveT    *time.Timer // the pending save to browser storage
	cancel   func()
	cleanups []func()
	t0       float64 // performance.now() when the page started loading
}

var (
	_ app.Mounter    = (*SessionPage)(nil)
	_ app.Navigator  = (*SessionPage)(nil)
	_ app.Dismounter = (*SessionPage)(nil)
)

func newSessionPage() app.Composer { return newSessionPageOf(Which{}) }

// newSessionPageOf is a session page of the Helm w says.
func newSessionPageOf(w Which) app.Composer {
	return &SessionPage{which: w, state: "loading", convo: convo.New(), follow: true, pin: -1, match: -1, anchor: -1, place: -1}
}

// OnNav reads the session from the URL (on the server too, for the
// pre-rendered shell), and in the browser starts loading it.
func (p *SessionPage) OnNav(ctx app.Context) {
	u := ctx.Page().URL()
	p.source, p.id, _ = SessionOfPath(u.Path)
	p.agent = u.Query().Get("agent")
	p.host = u.Query().Get("host") // another machine's session (host.go)
	p.syncTitle(ctx)
	p.start(ctx)
}

// syncTitle names the tab after the session once its title is known, so
// that several sessions' tabs, or a session's beside the list, are told
// apart; "Session · Helm" until then. Transcript text, which the
// document's title only ever holds as text.
func (p *SessionPage) syncTitle(ctx app.Context) {
	title := "Session"
	if p.agent != "" {
		title = "Subagent"
	}
	if d := p.detail; d != nil && p.agent != "" {
		title = "Subagent · " + agentTitle(d.Agent, p.agent)
	} else if d != nil && !shared.Blank(d.Title) {
		title = clip.FirstLine(md.Clean(d.Title))
	}
	want := p.which.title(title+" · "+appName, ctx.Page().URL().Hostname())
	if want != p.docTitle {
		p.docTitle = want
		ctx.Page().SetTitle("%s", want)
	}
}

// OnMount sets up what lives as long as the page: keys, scrolling.
func (p *SessionPage) OnMount(ctx app.Context) {
	p.ctx, p.mounted = ctx, true
	browser.SetBodyAttr("data-wasm", "ready")
	p.cleanups = append(p.cleanups, browser.OnKeyDown(func(k browser.Key) bool { return p.onKey(ctx, k) }))
	// "Last activity" reads "just now" for a minute only: draw it again
	// as the list does its times (the render reads the clock).
	p.cleanups = append(p.cleanups, ticking(ctx, func() {}))
	// The rows wrap anew at another width: a view following the end
	// goes on showing it.
	p.cleanups = append(p.cleanups, browser.OnResize(func() {
		ctx.Dispatch(func(app.Context) {
			if p.follow {
				p.afterChange()
			}
		})
	}))
	// The reader's scroll up, before its event: settle leaves the view
	// where the reader takes it (session_view.go).
	p.cleanups = append(p.cleanups, browser.OnScrollUpAsked(transcriptID, p.askUp))
	// The view itself changes height when what is above it does: the
	// header grown by the detail (which can come after the messages and
	// their last settle), a notice come or gone. The browser keeps the
	// scroll position, so a view following the end was left that far
	// above it, for good when nothing else came (the 20,000-message
	// session's test, under load). Settle it again.
	p.cleanups = append(p.cleanups, browser.OnSizeOf(transcriptID, func() {
		ctx.Dispatch(func(app.Context) {
			if p.follow {
				p.settleLater()
			}
		})
	}))
	p.start(ctx)
}

// OnDismount stops everything OnMount and loading started.
func (p *SessionPage) OnDismount() {
	p.notePlace()
	p.stopLive()
	p.stopSave()
	p.stopFind()   // a find over the whole transcript is costly for helmd
	p.dropWindow() // and a page of the window on its way
	for _, f := range p.cleanups {
		f()
	}
	p.cleanups = nil
	p.mounted = false
}

func (p *SessionPage) key() string {
	k := p.source + "/" + p.id + "?" + p.agent
	if p.host != "" {
		// A remote session's page: the same id may live on two machines.
		// A local key stays as it was, so saved pages and the list's
		// early requests still match it.
		k += "@" + p.host
	}
	return k
}

// api is the URL of the session's endpoint below it ("" = the detail).
// It names the page's instance: another helmd answering at the address
// refuses it (otherHelm) rather than answering of its own sessions.
func (p *SessionPage) api(sub string, q url.Values) string {
	return feed.WithInstance(sessionAPI(p.source, p.id, p.agent, sub, p.withHost(q)), p.which.Instance)
}

// getMessages asks for the page of messages q names and hands it, or
// why not, to took on the UI goroutine; it returns what cancels the ask.
func (p *SessionPage) getMessages(ctx app.Context, q url.Values, took func(pg shared.MessagePage, err error)) (cancel func()) {
	return browser.Fetch("GET", p.api("/messages", q), func(body []byte, err error) {
		var pg shared.MessagePage
		if err == nil {
			err = json.Unmarshal(body, &pg)
		}
		ctx.Dispatch(func(app.Context) { took(pg, err) })
	})
}

// start loads the session once both the page is mounted and its URL read.
func (p *SessionPage) start(ctx app.Context) {
	if !p.mounted || p.id == "" || p.started == p.key() {
		return
	}
	p.notePlace() // of the session shown until now (a subagent's, say)
	p.started = p.key()
	p.stopLive()
	p.stopSave()
	p.t0 = app.Window().Get("performance").Call("now").Float()
	perfMark("session-start")
	p.state, p.errText, p.detail, p.convo, p.follow, p.unseen = "loading", "", nil, convo.New(), true, 0
	p.goneAt, p.upAsked, p.endTaken, p.endTop, p.rowOnly = 0, false, false, 0, false
	p.measured, p.polls, p.fits, p.rowFocus = false, 0, false, browser.RowFocus{}
	p.open, p.full = map[string]bool{}, map[string]string{}
	p.pin, p.match, p.matches, p.curCursor, p.place = -1, -1, nil, "", -1
	p.forgetFound()
	p.noFindAll = false
	p.seek, p.seekPages = nil, 0
	p.dropWindow()
	if s := openedRow(p.key()); s != nil {
		// The list's row: the header at once, completed by the detail.
		p.detail = rowDetail(s)
	}
	if c, ok := loadCachedPage(ctx, p.key(), p.which.Instance); ok {
		// Shown at once, replaced when the network answers.
		p.detail = c.Detail
		p.convo.Reset(c.Page)
		pl, ok := places[p.key()]
		p.resume(pl, ok)
		p.afterChange()
	}
	p.syncTitle(ctx)
	p.loadDetail(ctx, fetchEarly)
	p.loadLast(ctx)
	// The keyboard reads the transcript, unless the focus is somewhere
	// already (a link followed with it stays where it is).
	p.ctx.Defer(func(app.Context) {
		if !browser.Focused().Truthy() {
			browser.Refocus(app.Window().GetElementByID(transcriptID))
		}
	})
}

// missingText is what a session's page says when helmd answers that it
// has no such session, or no such subagent of it (HTTP 404), in words
// rather than the status; ok is false for any other error. The page keeps
// asking: what the scan has not found yet shows once it has.
func (p *SessionPage) missingText(err error) (text string, ok bool) {
	if browser.Status(err) != 404 {
		return "", false
	}
	if p.agent != "" {
		return "This session has no such subagent here: the link may be from another machine, or its transcript was deleted.", true
	}
	return "This Helm has no such session: it may have been deleted, or the link comes from another machine.", true
}

// loadDetail reads the header's detail through fetch (fetchEarly at the
// start, when the list may have asked already; browser.Fetch after).
func (p *SessionPage) loadDetail(ctx app.Context, fetch func(string, func([]byte, error)) func()) {
	key, asked := p.key(), p.summaries
	fetch(p.api("", nil), func(body []byte, err error) {
		var d shared.SessionDetail
		if err == nil {
			err = json.Unmarshal(body, &d)
		}
		ctx.Dispatch(func(app.Context) {
			if key != p.key() {
				return // another session's page since
			}
			if err != nil {
				if p.otherHelm(err) {
					p.markElsewhere(ctx)
					return
				}
				if _, missing := p.missingText(err); missing && p.convo.Loaded {
					p.markGone(ctx) // deleted or moved since its messages came
					return
				}
				if p.detail == nil {
					p.errText = failed("Could not load this session", err)
					if text, ok := p.missingText(err); ok {
						p.errText = text
						if !p.convo.Loaded {
							// As the messages' 404 will say: the transcript
							// tries again, not "Loading…" beside the notice.
							p.state = "missing"
						}
					} else if s := p.savedRow(ctx); s != nil {
						// helmd does not answer, and this session's page
						// was never saved: its row in the list saved in
						// this browser says its title, project, model and
						// cost, where the header showed its raw id.
						p.setDetail(rowDetail(s))
						p.rowOnly = true
						p.syncTitle(ctx)
					}
				}
				return
			}
			if d.Unlisted && p.detail != nil {
				// The list leaves the session out for a moment (its
				// transcript rewritten in place): the answer is its id
				// and files only. The header the page shows (the list's
				// row, the saved page, an earlier answer) stays, marked
				// so that the stream's session event, once the list has
				// the session again, asks for the whole header.
				kept := *p.detail
				kept.Unlisted = true
				p.setDetail(&kept)
				return
			}
			if p.summaries != asked && p.detail != nil {
				// The stream sent the session's summary after this was
				// asked: its status is the newer (an answer read before
				// an append came after the append's event, and said
				// "Working…" again for good).
				d = withSummary(d, p.detail.Session)
			}
			p.setDetail(&d)
			p.rowOnly = false
			p.syncTitle(ctx)
			if !d.Unlisted {
				p.saveCache() // an unlisted answer is no header to open with
			}
		})
	})
}

// loadLast loads the transcript's last page, replacing what is loaded
// (at start, and after a 409: the file was replaced or rewritten).
func (p *SessionPage) loadLast(ctx app.Context) {
	p.stopLive()
	gen := p.gen
	p.cancel = fetchEarly(p.api("/messages", lastPageQuery()), func(body []byte, err error) {
		var pg shared.MessagePage
		if err == nil {
			err = json.Unmarshal(body, &pg)
		}
		perfMark("messages-fetched")
		ctx.Dispatch(func(app.Context) {
			perfMark("messages-dispatched")
			if gen != p.gen {
				return // superseded
			}
			p.cancel = nil
			if err != nil {
				_, missing := p.missingText(err)
				switch {
				case p.otherHelm(err) || p.state == "elsewhere" && !missing:
					// Another Helm refuses the page, or, after one did,
					// nothing answers: not the page's Helm back yet.
					p.markElsewhere(ctx)
					return
				case missing && p.convo.Loaded:
					// Gone since the messages shown were loaded (or
					// saved in this browser): not an outage.
					p.markGone(ctx)
					return
				case p.convo.Loaded:
					p.state = "offline"
					p.errText = failed("Offline: showing the copy saved in this browser", err)
					if n := p.setHostDown(err); n != "" {
						p.errText = n
					}
					p.afterChange()
				default:
					p.state = "error"
					p.errText = failed("Could not load the messages", err)
					if text, ok := p.missingText(err); ok {
						// helmd answered: what the page holds is not stale.
						p.state, p.errText = "missing", text
					}
				}
				p.schedule(ctx, p.loadLastLater)
				return
			}
			back := p.goneAt != 0 || p.state == "elsewhere"
			p.state, p.errText, p.goneAt, p.hostDown = "ready", "", 0, ""
			if back {
				// The stream may have failed for good while the session
				// was gone or another Helm answered (a 404 or 409
				// closes it): try it again.
				p.polling = false
			}
			if p.detail == nil || back || p.rowOnly {
				// The detail failed (a session not written yet, helmd
				// down; the header may be the saved list's row), or is
				// of the session before it went: the header asks again
				// now that messages came.
				p.loadDetail(ctx, getURL)
			}
			pl, ok := p.placeToKeep()
			p.dropWindow() // the last page is the end: a window's cursors may be stale too
			p.convo.Reset(pg)
			p.refind()
			p.resume(pl, ok)
			p.afterChange()
			p.saveCache()
			perfMark("messages-reset")
			p.markPainted()
			p.startLive(ctx)
			p.seekOlder(ctx)
		})
	})
}

func (p *SessionPage) loadLastLater(ctx app.Context) { p.loadLast(ctx) }

// loadOlder asks for the page above the loaded messages.
func (p *SessionPage) loadOlder(ctx app.Context) { p.loadOlderBy(ctx, pageLimit) }

// loadOlderBy asks for the limit messages above the loaded ones.
func (p *SessionPage) loadOlderBy(ctx app.Context, limit int) {
	if p.older || p.convo.Before == "" || !p.convo.Loaded || p.state != "ready" {
		return
	}
	p.older = true
	before := p.convo.Before
	p.getMessages(ctx, url.Values{"limit": {itoa(limit)}, "before": {before}}, func(pg shared.MessagePage, err error) {
		p.older = false
		if browser.Status(err) == 409 {
			p.loadLast(ctx)
			return
		}
		switch {
		case err != nil:
			p.findingOlder = false // the button is there to try again
			return                 // offline: loadLast, once helmd answers again, goes on seeking
		case before != p.convo.Before:
			// A reload replaced the messages meanwhile: a place
			// sought is sought from them.
			p.findingOlder = false
			p.seekOlder(ctx)
			return
		}
		s, _ := browser.ScrollOf(transcriptID)
		old := p.convo.Heights.Total()
		added := p.convo.Prepend(pg)
		p.refind()
		switch {
		case p.pin >= 0:
			// The match shown moved down with every row: settle puts
			// it back in view. Until then the view is not where it
			// was placed, and a scroll event meanwhile is not the
			// user scrolling away from it.
			p.pinTop = -1
		case !p.follow:
			// The rows shown move down by the added rows' height:
			// scroll by as much so the user keeps reading the same
			// line. The spacer above grows first, as the render will
			// make it: scrolling past the page's present end would
			// stop at the end, leaving the view at the bottom.
			grown := p.convo.Heights.Total() - old
			browser.GrowHeight("above", grown)
			browser.ScrollTo(transcriptID, s.Top+grown)
		}
		// Following (at the bottom: "N new ↓" was clicked while this
		// page was on its way) stays following: settle goes to the end.
		p.afterChange()
		// The anchor and the control with the focus were read from rows
		// not rendered since: their data-i still counts from the page
		// that was first. (The focus put back by that index went to the
		// control of the message now there.)
		p.readAbove(-added)
		if p.place >= 0 {
			p.place += added
		}
		p.seekOlder(ctx)
		p.goOnFindingOlder(ctx, added)
	})
}

// markPainted records, for the browser tests, when the first messages
// were painted after the page started loading (window.__helmPaintMs).
func (p *SessionPage) markPainted() {
	t0 := p.t0
	p.ctx.Defer(func(app.Context) {
		w := app.Window()
		var f app.Func
		f = app.FuncOf(func(app.Value, []app.Value) any {
			w.Set("__helmPaintMs", w.Get("performance").Call("now").Float()-t0)
			f.Release()
			return nil
		})
		w.Call("requestAnimationFrame", f)
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

func perfMark(name string) { app.Window().Get("performance").Call("mark", name) }
