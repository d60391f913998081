package ui

import (
	"net/url"
	"strings"
	"sync"
	"time"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/shared"
)

// Opening a session from the list starts its two requests (detail and
// last page) at the keydown or click, before the route changes: the
// navigation (the list's teardown, the page's first render) then runs
// while the server answers, and the page takes the answers over instead
// of asking again. The list also hands over the row's Session, so the
// header is drawn at once and the detail only completes it.

// early is one request started before its page asked for it.
type early struct {
	mu     sync.Mutex
	body   []byte
	err    error
	done   bool
	then   func(body []byte, err error) // set once the page takes it
	cancel func()
}

// opening is what the list handed over for the page it opens; at most
// one session's worth, replaced by the next open, so it stays small.
var opening struct {
	mu      sync.Mutex
	key     string // SessionPage.key() of the page it is for
	session *shared.Session
	at      time.Time         // when its requests started
	reqs    map[string]*early // by URL
}

// sessionAPI is the URL of a session's endpoint below it ("" = the
// detail); the page and the prefetch build it alike, so they match.
func sessionAPI(source, id, agent, sub string, q url.Values) string {
	u := "/api/sessions/" + url.PathEscape(source) + "/" + url.PathEscape(id) + sub
	if agent != "" {
		if q == nil {
			q = url.Values{}
		}
		q.Set("agent", agent)
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// lastPageQuery is the query of a transcript's last page.
func lastPageQuery() url.Values { return url.Values{"limit": {itoa(pageLimit)}} }

// prefetchSession starts loading the page of the session with key
// ("<source>:<id>") before navigating to it; s, when given, is the
// list's row. The requests name the list's instance, as the page's will
// (SessionPage.api). A second call for the same session (the click after
// its pointerdown) keeps the requests already under way.
func prefetchSession(key string, s *shared.Session, instance string) {
	source, id, ok := strings.Cut(key, ":")
	if !ok || id == "" || strings.Contains(id, "@") {
		// A remote session ("<source>:<id>@<host>") is read over NATS by
		// its page, with ?host=: nothing to start early here.
		return
	}
	pageKey := source + "/" + id + "?"
	opening.mu.Lock()
	if s != nil && opening.key == pageKey {
		opening.session = s
	}
	if opening.key == pageKey && time.Since(opening.at) < prefetchFresh {
		opening.mu.Unlock()
		return
	}
	old := opening.reqs
	opening.key, opening.session, opening.at = pageKey, s, time.Now()
	opening.reqs = map[string]*early{}
	for _, u := range []string{sessionAPI(source, id, "", "", nil), sessionAPI(source, id, "", "/messages", lastPageQuery())} {
		u = feed.WithInstance(u, instance)
		e := &early{}
		opening.reqs[u] = e
		e.cancel = browser.Fetch("GET", u, e.finish)
	}
	opening.mu.Unlock()
	for _, e := range old {
		e.abandon() // a previous press nobody took
	}
}

// prefetchFresh is how long a prefetched answer stands in for asking
// again: a press and its click, with time to spare.
const prefetchFresh = 5 * time.Second

// prefetchOnPress prefetches the session of a row as the pointer goes
// down on it, a click's worth of time before the click opens it. It
// returns the function that removes the listener.
func prefetchOnPress(instance string) (remove func()) {
	return browser.OnRowPress(func(key string) { prefetchSession(key, nil, instance) })
}

// finish stores the answer, or hands it to the page that took it.
func (e *early) finish(body []byte, err error) {
	e.mu.Lock()
	e.body, e.err, e.done = body, err, true
	then := e.then
	e.mu.Unlock()
	if then != nil {
		then(body, err)
	}
}

func (e *early) abandon() {
	e.mu.Lock()
	e.then = func([]byte, error) {}
	done := e.done
	e.body = nil
	e.mu.Unlock()
	if !done {
		e.cancel()
	}
}

// openedRow is the list's Session for the page with key, if the list
// opened it just now.
func openedRow(key string) *shared.Session {
	opening.mu.Lock()
	defer opening.mu.Unlock()
	if opening.key != key || time.Since(opening.at) > prefetchFresh {
		return nil
	}
	return opening.session
}

// fetchEarly is browser.Fetch, answered by the request the list started
// for url when there is one (each is taken once).
func fetchEarly(u string, done func(body []byte, err error)) (cancel func()) {
	opening.mu.Lock()
	e := opening.reqs[u]
	delete(opening.reqs, u)
	stale := time.Since(opening.at) > prefetchFresh
	opening.mu.Unlock()
	if e != nil && stale {
		// Pressed long ago and not opened then (the page came by the
		// back button, say): ask afresh.
		e.abandon()
		e = nil
	}
	if e == nil {
		return browser.Fetch("GET", u, done)
	}
	e.mu.Lock()
	if e.done {
		body, err := e.body, e.err
		e.body = nil
		e.mu.Unlock()
		done(body, err)
		return func() {}
	}
	e.then = done
	e.mu.Unlock()
	return func() {
		e.abandon()
	}
}
