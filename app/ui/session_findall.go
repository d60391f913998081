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
// the typing, the question before dropped): for the last 1,000 matches
// at the end, or the first 1,000 from a window's start on. It counts
// them all and says where those it sends stand, which is what "k of N"
// says; n / N step through them, and past either side of them ask for
// the 1,000 there (askBatch). A match not loaded is shown by loading
// the page that starts at it (?after=<cursor>) as a window away from
// the end (session_window.go), or by going back to the end when the end
// holds it. Messages the end took since the answer that match are
// counted too, in their place (mergeFound, newSince), whether the page
// follows the end or shows a window. An older helmd without …/find
// leaves the page as it was: the loaded messages, and "Search older".

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

// inputsUnloaded reports whether a loaded message holds a tool input
// the server cut whose whole text is not loaded: helmd searches that
// whole text (shared.ShowsWhole), the loaded messages do not hold it.
func (p *SessionPage) inputsUnloaded() bool {
	for i := range p.convo.Msgs {
		for _, b := range p.convo.Msgs[i].Blocks {
			if t := b.Tool; t != nil && t.InputCut != nil && t.InputCut.Ref != "" && t.ShowsInput() {
				if _, ok := p.full[t.InputCut.Ref]; !ok {
					return true
				}
			}
		}
	}
	return false
}

// askFind asks helmd for the term's matches, after a pause; the answer
// to an earlier term is dropped. Asked too when the whole transcript is
// loaded but a cut input is not: only helmd reads it whole.
func (p *SessionPage) askFind(ctx app.Context) {
	p.forgetFound()
	if p.term == "" || p.wholeLoaded() && !p.inputsUnloaded() {
		return
	}
	if p.noFindAll {
		p.foundTerm, p.foundState = p.term, findFailed
		return
	}
	term, key := p.term, p.key()
	p.foundTerm, p.foundState = term, findAsking
	// At the end, the last matches; in a window, those from its start.
	q := url.Values{"at": {"end"}}
	if p.tail != nil && len(p.convo.Msgs) > 0 {
		q = url.Values{"after": {p.convo.Msgs[0].Cursor}}
	}
	p.findT = time.AfterFunc(findPause, func() {
		ctx.Dispatch(func(app.Context) {
			if term != p.term || key != p.key() || p.foundState != findAsking {
				return
			}
			p.findT = nil
			p.fetchFound(ctx, q)
		})
	})
}

// fetchFound asks helmd for the term's matches q names.
func (p *SessionPage) fetchFound(ctx app.Context, q url.Values) {
	term, key := p.term, p.key()
	q.Set("q", term)
	p.findCancel = browser.Fetch("GET", p.api("/find", q), func(body []byte, err error) {
		var res shared.FindResult
		if err == nil {
			err = json.Unmarshal(body, &res)
		}
		ctx.Dispatch(func(app.Context) { p.tookFind(term, key, res, err) })
	})
}

// askBatch asks for the matches q names, either side of those known,
// and steps by when they come; the count stays meanwhile.
func (p *SessionPage) askBatch(q url.Values, by int) {
	p.batch, p.nextWhenFound = true, by
	p.fetchFound(p.ctx, q)
}

// tookFind takes helmd's matches for term. With none shown yet, the
// nearest is made the current one, not yet shown (it may not be
// loaded): Enter shows it.
func (p *SessionPage) tookFind(term, key string, res shared.FindResult, err error) {
	if term != p.term || key != p.key() || p.foundTerm != term {
		return // typed on since
	}
	p.findCancel = nil
	by, batch := p.nextWhenFound, p.batch
	p.nextWhenFound, p.batch = 0, false
	if err != nil && batch {
		return // the matches known stay; n asks again
	}
	if err != nil {
		p.foundState = findFailed // the loaded messages only
		// An older helmd, without …/find: not asked again on this page.
		p.noFindAll = browser.Status(err) == 404 || browser.Status(err) == 405
		return
	}
	p.found, p.foundFirst, p.foundTotal, p.foundMore, p.foundState = res.Matches, res.First, res.Total, false, findDone
	p.foundLast, p.foundEnd = res.Last, res.End
	if n := res.First + len(res.Matches); res.Total < n {
		// An older helmd: the first matches, counted no further.
		p.foundTotal, p.foundMore = n, res.More
	}
	p.refind()
	if p.match < 0 && len(p.all) > 0 && !batch {
		// Nothing loaded matches. At the end, the nearest is the last;
		// in a window (its start, or a match's) the first.
		k := len(p.all) - 1
		if p.tail != nil {
			k = 0
		}
		p.curCursor = p.all[k]
	}
	if by != 0 {
		// The Enter pressed while helmd was finding, or n past the
		// matches known; after a batch, no other is asked for.
		p.batch = batch
		p.next(by)
		p.batch = false
	}
}

// forgetFound stops a question to helmd and forgets its answer: a new
// term, find closed, another session.
func (p *SessionPage) forgetFound() {
	p.stopFind()
	p.found, p.foundMore, p.foundTerm, p.foundState, p.all = nil, false, "", "", nil
	p.foundFirst, p.foundTotal, p.foundLast, p.foundEnd, p.foundNew = 0, 0, "", "", 0
	p.nextWhenFound, p.batch = 0, false
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
// next (by 1) or previous (by -1), wrapping. Past either side of the
// matches known, helmd is asked for those there (askBatch), and the
// step is taken when they come.
func (p *SessionPage) nextOfAll(by int) {
	if p.findCancel != nil {
		return // a batch on its way
	}
	n, known := len(p.all), len(p.found)
	k := p.allIndex()
	_, loaded := p.convo.Index(p.curCursor)
	whole := p.foundFirst+known >= p.foundTotal // known to the end
	ask := func(q url.Values) bool {
		if p.batch {
			return false // just asked: no other
		}
		p.askBatch(q, by)
		return true
	}
	after, before := url.Values{}, url.Values{"at": {"end"}}
	if known > 0 {
		after, before = url.Values{"after": {p.found[known-1]}}, url.Values{"before": {p.found[0]}}
	}
	if k < 0 && loaded && p.curCursor != "" && (p.foundFirst > 0 || !whole) &&
		ask(url.Values{"after": {p.curCursor}}) {
		return // a match loaded, away from those known: the ones from it on
	}
	switch {
	case k < 0 && by > 0:
		k = 0
	case k < 0:
		k = n - 1
	case loaded:
		k += by
	}
	switch {
	case k >= n && !whole && ask(after), // the next ones
		k < 0 && p.foundFirst > 0 && ask(before),          // the ones before
		k >= n && p.foundFirst > 0 && ask(url.Values{}),   // round to the first
		k < 0 && !whole && ask(url.Values{"at": {"end"}}): // round to the last
		return
	}
	if n == 0 {
		return
	}
	k = (k%n + n) % n
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

// mergeFound is found (helmd's matches, in transcript order, to the
// transcript's end) with the loaded matches it does not hold (messages
// that came or grew since it answered) put in their place: after the
// nearest loaded message above them that it holds, else before the
// nearest below, else at the end. Before found's first, only when found
// starts at the transcript's first match (fromStart): else helmd
// counted them there.
func mergeFound(found []string, msgs []shared.Message, local []int, fromStart bool) []string {
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
		above := false // before found's first, which is loaded
		if at == len(found) {
			for j := i + 1; j < len(msgs); j++ {
				if k, ok := pos[msgs[j].Cursor]; ok {
					at, above = k, k == 0
					break
				}
			}
		}
		if above && !fromStart {
			continue
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

// newSince counts the loaded matches an answer that does not reach the
// transcript's end did not count: those after end, its last message as
// read, and end's own when it grew to match since (last, its last
// match, is another).
func newSince(msgs []shared.Message, local []int, end, last string) int {
	at := -1
	for i := len(msgs) - 1; i >= 0 && at < 0; i-- {
		if msgs[i].Cursor == end {
			at = i
		}
	}
	n := 0
	for _, i := range local {
		if at >= 0 && (i > at || i == at && end != last) {
			n++
		}
	}
	return n
}

// allCount is how many matches the whole transcript holds, as far as
// the page knows.
func (p *SessionPage) allCount() int {
	return p.foundTotal + len(p.all) - len(p.found) + p.foundNew
}
