package ui

import (
	"encoding/json"
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/shared"
)

// Find over the whole transcript. While the term is typed, the loaded
// messages are searched at once (session_keys.go); when they are not
// the whole transcript, helmd is asked too (…/find?q=, after a pause in
// the typing, the question before dropped), and its answer, the cursors
// of every match in transcript order, is what "k of N" counts and n / N
// step through. A match not loaded is shown by loading the page that
// starts at it (?after=<cursor>) as a window away from the end
// (session_window.go), or by going back to the end when the end holds
// it. Messages loaded since the answer that match are counted too, in
// their place (mergeFound). An older helmd without …/find leaves the
// page as it was: the loaded messages, and "Search older".

// findPause is how long the typing rests before helmd is asked.
const findPause = 250 * time.Millisecond

// Find-all states.
const (
	findAsking = "asking"
	findDone   = "done"
	findFailed = "failed"
)

// wholeLoaded reports whether every message of the transcript is loaded
// (as of the last page): then the loaded messages are all find needs.
func (p *SessionPage) wholeLoaded() bool { return p.convo.Before == "" && p.tail == nil }

// askFind asks helmd for the term's matches, after a pause; the answer
// to an earlier term is dropped.
func (p *SessionPage) askFind(ctx app.Context) {
	p.forgetFound()
	if p.term == "" || p.wholeLoaded() {
		return
	}
	if p.noFindAll {
		p.foundTerm, p.foundState = p.term, findFailed
		return
	}
	term, key := p.term, p.key()
	p.foundTerm, p.foundState = term, findAsking
	p.findT = time.AfterFunc(findPause, func() {
		ctx.Dispatch(func(app.Context) {
			if term != p.term || key != p.key() || p.foundState != findAsking {
				return
			}
			p.findT = nil
			p.findCancel = browser.Fetch("GET", p.api("/find", url.Values{"q": {term}}), func(body []byte, err error) {
				var res shared.FindResult
				if err == nil {
					err = json.Unmarshal(body, &res)
				}
				ctx.Dispatch(func(app.Context) { p.tookFind(term, key, res, err) })
			})
		})
	})
}

// tookFind takes helmd's matches for term. With none shown yet, the
// nearest is made the current one, not yet shown (it may not be
// loaded): Enter shows it.
func (p *SessionPage) tookFind(term, key string, res shared.FindResult, err error) {
	if term != p.term || key != p.key() || p.foundTerm != term {
		return // typed on since
	}
	p.findCancel = nil
	by := p.nextWhenFound
	p.nextWhenFound = 0
	if err != nil {
		p.foundState = findFailed // the loaded messages only
		// An older helmd, without …/find: not asked again on this page.
		p.noFindAll = browser.Status(err) == 404 || browser.Status(err) == 405
		return
	}
	p.found, p.foundMore, p.foundState = res.Matches, res.More, findDone
	p.refind()
	if p.match < 0 && len(p.all) > 0 {
		// Nothing loaded matches. At the end, the nearest is the last;
		// in a window (its start, or a match's) the first.
		k := len(p.all) - 1
		if p.tail != nil {
			k = 0
		}
		p.curCursor = p.all[k]
	}
	if by != 0 {
		p.next(by) // the Enter pressed while helmd was finding
	}
}

// forgetFound stops a question to helmd and forgets its answer: a new
// term, find closed, another session.
func (p *SessionPage) forgetFound() {
	p.stopFind()
	p.found, p.foundMore, p.foundTerm, p.foundState, p.all = nil, false, "", "", nil
	p.nextWhenFound = 0
}

// stopFind drops a question to helmd waiting or on its way.
func (p *SessionPage) stopFind() {
	if p.findT != nil {
		p.findT.Stop()
		p.findT = nil
	}
	if p.findCancel != nil {
		p.findCancel()
		p.findCancel = nil
	}
}

// findsAll reports whether n / N and the count go by helmd's matches.
func (p *SessionPage) findsAll() bool {
	return p.foundState == findDone && p.foundTerm == p.term && p.term != ""
}

// allIndex is the current match's place among all the matches; -1 none.
func (p *SessionPage) allIndex() int {
	if p.curCursor == "" {
		return -1
	}
	for k, c := range p.all {
		if c == p.curCursor {
			return k
		}
	}
	return -1
}

// nextOfAll is n / N over the whole transcript: the current match when
// it is not shown yet (the nearest, chosen as helmd answered), else the
// next (by 1) or previous (by -1), wrapping.
func (p *SessionPage) nextOfAll(by int) {
	n := len(p.all)
	if n == 0 {
		return
	}
	k := p.allIndex()
	_, loaded := p.convo.Index(p.curCursor)
	switch {
	case k < 0 && by > 0:
		k = 0
	case k < 0:
		k = n - 1
	case loaded: // shown, or shown by scrolling: the next
		k = (k + by + n) % n
	}
	p.showCursor(p.all[k])
}

// showCursor shows the match whose message has cursor c: among the
// loaded messages, in the end the page left, or in a window loaded
// from it.
func (p *SessionPage) showCursor(c string) {
	p.curCursor = c
	if i, ok := p.convo.Index(c); ok {
		p.showLoaded(i, false)
		return
	}
	if p.tail != nil {
		if _, ok := p.tail.Index(c); ok {
			p.attach()
			i, _ := p.convo.Index(c)
			p.showLoaded(i, true)
			return
		}
	}
	p.openWindow(p.ctx, url.Values{"after": {c}}, func() {
		if i, ok := p.convo.Index(c); ok && p.curCursor == c {
			p.showLoaded(i, true)
		}
	})
}

// showLoaded makes loaded message i the current match and shows it;
// swapped: the messages were just swapped for others, whose rows the
// page does not show yet (those it shows are of the messages before).
func (p *SessionPage) showLoaded(i int, swapped bool) {
	p.match = -1
	for k, j := range p.matches {
		if j == i {
			p.match = k
		}
	}
	m := &p.convo.Msgs[i]
	p.curCursor = m.Cursor
	p.reveal(m)
	if swapped {
		p.follow, p.pin, p.pinTop = false, i, -1 // settle puts it in view
		p.afterChange()
		return
	}
	p.showRow(i)
}

// mergeFound is found (helmd's matches, in transcript order) with the
// loaded matches it does not hold (messages that came or grew since it
// answered) put in their place: after the nearest loaded message above
// them that it holds, else before the nearest below, else at the end.
func mergeFound(found []string, msgs []shared.Message, local []int) []string {
	pos := make(map[string]int, len(found))
	for k, c := range found {
		pos[c] = k
	}
	type extra struct {
		at int
		c  string
	}
	var extras []extra
	for _, i := range local {
		c := msgs[i].Cursor
		if _, ok := pos[c]; ok {
			continue
		}
		at := len(found)
		for j := i - 1; j >= 0; j-- {
			if k, ok := pos[msgs[j].Cursor]; ok {
				at = k + 1
				break
			}
		}
		if at == len(found) {
			for j := i + 1; j < len(msgs); j++ {
				if k, ok := pos[msgs[j].Cursor]; ok {
					at = k
					break
				}
			}
		}
		extras = append(extras, extra{at, c})
	}
	if len(extras) == 0 {
		return found
	}
	// In order of place, each place's in loaded order: an insertion
	// sort, as they are few and nearly in order (and slices' stable
	// sort costs the client its code).
	for i := 1; i < len(extras); i++ {
		for j := i; j > 0 && extras[j-1].at > extras[j].at; j-- {
			extras[j-1], extras[j] = extras[j], extras[j-1]
		}
	}
	out := make([]string, 0, len(found)+len(extras))
	e := 0
	for k := 0; k <= len(found); k++ {
		for e < len(extras) && extras[e].at <= k {
			out = append(out, extras[e].c)
			e++
		}
		if k < len(found) {
			out = append(out, found[k])
		}
	}
	return out
}
