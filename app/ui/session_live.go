package ui

import (
	"encoding/json"
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/convo"
	"vibecraft.sh/helm/shared"
)

// Live updates of an open page. The session's own stream
// (…/messages/stream?after=<cursor>, events "messages" carrying the page
// JSON of ?after=, "session" the header's, "gone" when helmd no longer
// has the session) is tried first; if it answers with an HTTP error (an
// older helmd has no such endpoint: 404) the page polls ?after= every
// pollEvery instead. A dropped stream is reopened from the latest cursor
// after the same delay, with one poll meanwhile.

func (p *SessionPage) startLive(ctx app.Context) {
	p.stopLive()
	live := p.liveConvo()
	if p.polling || p.host != "" || live.After == "" && len(live.Msgs) > 0 { // no live stream over NATS: poll
		p.schedule(ctx, p.poll)
		return
	}
	u := p.api("/messages/stream", url.Values{"after": {live.After}})
	var s *browser.PageStream
	s = browser.OpenPageStream(u, func(data string) {
		var pg shared.MessagePage
		err := json.Unmarshal([]byte(data), &pg)
		ctx.Dispatch(func(app.Context) {
			if err != nil || p.live != s {
				return // a bad event is skipped; a closed stream's late one too
			}
			p.take(ctx, pg)
		})
	}, func(data string) {
		var sess shared.Session
		err := json.Unmarshal([]byte(data), &sess)
		ctx.Dispatch(func(app.Context) {
			if err != nil || p.live != s {
				return
			}
			unlisted := p.detail != nil && p.detail.Unlisted
			p.takeSession(sess)
			p.syncTitle(ctx)
			if unlisted {
				// The list has the session again: its whole header
				// (resume command, files, models) comes with the detail.
				p.loadDetail(ctx, getURL)
			}
		})
	}, func() {
		ctx.Dispatch(func(app.Context) {
			if p.live != s {
				return
			}
			p.markGone(ctx) // it closes the stream, and asks again until helmd has the session
		})
	}, func() {
		ctx.Dispatch(func(app.Context) {
			if p.live != s {
				return
			}
			p.stopLive()
			p.loadLast(ctx) // as a 409 does: the last page again, then live from it
		})
	}, func(closed bool) {
		ctx.Dispatch(func(app.Context) {
			if p.live != s {
				return
			}
			p.stopLive()
			if closed {
				p.polling = true // no stream endpoint here: poll from now on
			}
			p.schedule(ctx, p.poll)
		})
	})
	p.live = s
}

// poll asks for what was written after the last loaded message.
func (p *SessionPage) poll(ctx app.Context) {
	gen := p.gen
	q := url.Values{"limit": {itoa(200)}}
	if after := p.liveConvo().After; after != "" {
		q.Set("after", after)
	}
	p.cancel = p.getMessages(ctx, q, func(pg shared.MessagePage, err error) {
		if gen != p.gen {
			return // stopped (or aborted) since
		}
		p.cancel = nil
		switch {
		case p.otherHelm(err):
			p.markElsewhere(ctx)
			return
		case browser.Status(err) == 409:
			p.loadLast(ctx)
			return
		case browser.Status(err) == 404:
			p.markGone(ctx)
			return
		case err != nil:
			was := p.hostDown
			if n := p.setHostDown(err); n != "" {
				// The hub answers for a machine that does not: not
				// "not connected to helmd".
				p.state, p.errText = "offline", n
				break
			}
			if p.state != "offline" || was != "" {
				// Said in words, not only by "(last known)" beside the
				// status: the page may sit open for hours.
				p.errText = failed("Not connected to helmd: this page shows what it last sent, and tries again every "+
					itoa(int(pollEvery/time.Second))+" s", err)
			}
			p.state = "offline"
		default:
			if p.state == "offline" {
				p.state, p.errText, p.hostDown = "ready", "", ""
			}
			// No session events without the stream: the header is
			// read again when messages came, and every few polls
			// (a status can change with no message: a hook, time).
			p.polls++
			added := p.take(ctx, pg)
			if added > 0 || p.polls%detailEveryPolls == 0 {
				p.loadDetail(ctx, getURL)
			}
			p.settleDue = p.settleDue || added > 0
			if pg.More {
				p.poll(ctx)
				return
			}
			if p.settleDue {
				p.settleDue = false
				p.settleRunning(ctx)
			}
		}
		if p.polling {
			p.schedule(ctx, p.poll)
		} else {
			p.startLive(ctx) // try the stream again
		}
	})
}

// maxSettle bounds the messages a polling page reads again after new
// ones came: the latest of those that show a call running, as a page
// stream keeps (helmd's maxOpen).
const maxSettle = 16

// settleRunning reads again, once a poll brought new messages, each
// message held above the last one that shows a call running: a call
// whose process was killed ends once the session goes on past it, and
// helmd says so of the call's own message (an error result), which a
// poll's ?after= does not send again, unless it is the last. A page
// stream sends such a message again itself; a polling page (another
// machine's session on a hub, a proxy that breaks streams) asks, each
// with ?after=<its cursor>&limit=1, and replaces it as a stream's page
// marked again does. An answer that fails leaves the message as it was.
func (p *SessionPage) settleRunning(ctx app.Context) {
	var cursors []string
	seen := map[string]bool{}
	for _, c := range []*convo.Convo{p.liveConvo(), p.convo} {
		for i := len(c.Msgs) - 2; i >= 0 && len(cursors) < maxSettle; i-- { // the last: every poll reads it
			if m := &c.Msgs[i]; m.ShowsRunning() && !seen[m.Cursor] {
				seen[m.Cursor] = true
				cursors = append(cursors, m.Cursor)
			}
		}
	}
	gen := p.gen
	for _, cur := range cursors {
		p.getMessages(ctx, url.Values{"after": {cur}, "limit": {"1"}}, func(pg shared.MessagePage, err error) {
			if gen != p.gen || err != nil {
				return // stopped since, or not answered: as it was
			}
			for _, m := range pg.Messages {
				if m.Cursor == cur { // and the next one, which is no concern here
					p.take(ctx, shared.MessagePage{Messages: []shared.Message{m}, Again: true})
				}
			}
		})
	}
}

// takeSession brings the header up to the session's summary as the list
// has it: status, why it waits, tokens, cost, times. What only the detail
// has (files, models, subagents) stays as the page opened with it.
func (p *SessionPage) takeSession(s shared.Session) {
	d := p.detail
	if d == nil || s.ID != d.ID || s.Source != d.Source {
		return
	}
	p.summaries++
	nd := withSummary(*d, s)
	p.setDetail(&nd)
	p.saveCache()
}

// withSummary is detail d brought up to the session's summary s.
func withSummary(d shared.SessionDetail, s shared.Session) shared.SessionDetail {
	question := d.Question
	switch {
	case s.Status != shared.StatusWaiting:
		question = "" // answered, or no longer waiting
	case s.Question != "":
		question = s.Question
	}
	d.Session, d.DurationMs, d.Question = s, max(0, s.UpdatedAt-s.CreatedAt), question
	return d
}

// working reports whether the page says, below the last message, that
// the session is at work: helmd says so now (not a status last known).
func (p *SessionPage) working() bool {
	return p.detail != nil && p.detail.Status == shared.StatusWorking && p.state == "ready" && p.tail == nil
}

// setDetail takes a newer detail, and settles the view when the line
// below the last message came or went with it: a view following the end
// shows it, or shows the end without it; a view reading elsewhere stays
// where it is.
func (p *SessionPage) setDetail(d *shared.SessionDetail) {
	was := p.working()
	p.detail = d
	if p.working() != was && p.mounted {
		p.settleLater()
	}
}

// getURL is browser.Fetch of a GET.
func getURL(u string, done func([]byte, error)) func() { return browser.Fetch("GET", u, done) }

// detailEveryPolls: a polling page reads its header again every this
// many polls (10 s at pollEvery) when no message came.
const detailEveryPolls = 5

// take merges a page of new and grown messages, and returns how many
// are new.
func (p *SessionPage) take(ctx app.Context, pg shared.MessagePage) int {
	if len(pg.Messages) == 0 && pg.After == "" {
		return 0
	}
	if p.tail != nil {
		// A window away from the end is shown: the end takes them, and
		// the page says how many came (session_window.go).
		if pg.Again {
			// A message sent again above the end (a call there ended)
			// may be in the window shown, not in the end.
			p.convo.Merge(pg)
		}
		added := p.tail.Merge(pg)
		p.tail.Trim(p.keepFound(p.tail, len(p.tail.Msgs))) // none of it shown
		p.unseen += added
		p.saveCache()
		p.refindAll() // find counts what the end took, as when it is shown
		return added
	}
	added := p.convo.Merge(pg)
	if !p.follow {
		p.unseen += added
	}
	if added > 0 {
		p.markAppended()
	}
	dropped := p.capMsgs()
	p.afterChange()
	p.readAbove(dropped)
	p.saveCache()
	p.refind()
	return added
}

// markAppended records when an append was painted (window.__helmAppendAt,
// epoch ms) for the browser tests' append → shown figure.
func (p *SessionPage) markAppended() {
	p.ctx.Defer(func(app.Context) {
		w := app.Window()
		var f app.Func
		f = app.FuncOf(func(app.Value, []app.Value) any {
			w.Set("__helmAppendAt", w.Get("Date").Call("now").Float())
			f.Release()
			return nil
		})
		w.Call("requestAnimationFrame", f)
	})
}

// schedule runs fn on the UI goroutine after pollEvery; one at a time.
func (p *SessionPage) schedule(ctx app.Context, fn func(app.Context)) {
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timer = time.AfterFunc(pollEvery, func() {
		ctx.Dispatch(func(app.Context) {
			if !p.mounted {
				return // dismounted
			}
			p.timer = nil
			fn(ctx)
		})
	})
}

// stopLive closes the stream and stops the timer and any request.
func (p *SessionPage) stopLive() {
	p.gen++
	if p.live != nil {
		p.live.Close()
		p.live = nil
	}
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
}

// stopSave drops a pending save (on dismount: the page is gone).
func (p *SessionPage) stopSave() {
	if p.saveT != nil {
		p.saveT.Stop()
		p.saveT = nil
	}
}
