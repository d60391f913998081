// Package ssetest is a Server-Sent Events client for tests: it reads a
// Helm stream in the background and lets a test wait for events.
package ssetest

import (
	"context"
	"io"
	"maps"
	"net/http"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/shared/sse"
)

// Event is one event as read off the wire.
type Event struct {
	Type  string
	ID    string
	Retry string
	Data  shared.Event
	Raw   string // the data field as sent
}

// Has returns the session with the given id in the event.
func (e Event) Has(id string) (shared.Session, bool) {
	for _, s := range e.Data.Sessions {
		if s.ID == id {
			return s, true
		}
	}
	return shared.Session{}, false
}

// Client reads one stream.
type Client struct {
	Events chan Event
	Header http.Header
	resp   *http.Response
	cancel context.CancelFunc
	mu     sync.Mutex
	err    error
	held   List   // the list the events so far make
	last   string // id of the last event applied to held
	bad    int    // events that could not be applied
}

// Connect opens url (with a Last-Event-ID header when lastEventID is set)
// and fails the test unless it answers 200. The stream closes at cleanup.
func Connect(t testing.TB, url, lastEventID string) *Client {
	t.Helper()
	return Resume(t, url, lastEventID, nil)
}

// Resume opens url from lastEventID with base as the list the client
// holds (a REST reply, or an earlier Client's State), as a client that
// resumes does (nil: an empty list); the stream closes at cleanup.
// Events must be drained.
func Resume(t testing.TB, url, lastEventID string, base List) *Client {
	t.Helper()
	c, status, err := dial(url, lastEventID, nil, base)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		c.Close()
		t.Fatalf("stream %s: status %d", url, status)
	}
	t.Cleanup(c.Close)
	return c
}

// State returns a copy of the list the client holds, the id of the last
// event applied to it (its cursor), and how many events failed to apply.
func (c *Client) State() (List, string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.held), c.last, c.bad
}

// Dial opens a stream without a test, for load drivers; header may add
// request headers.
func Dial(url, lastEventID string, header http.Header) (*Client, int, error) {
	return dial(url, lastEventID, header, nil)
}

func dial(url, lastEventID string, header http.Header, base List) (*Client, int, error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		cancel()
		return nil, 0, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		return nil, 0, err
	}
	if base == nil {
		base = List{}
	}
	c := &Client{Events: make(chan Event, 4096), Header: resp.Header, resp: resp, cancel: cancel, held: maps.Clone(base), last: lastEventID}
	if resp.StatusCode == http.StatusOK {
		go c.read()
	} else {
		close(c.Events)
	}
	return c, resp.StatusCode, nil
}

// Close ends the stream.
func (c *Client) Close() {
	c.cancel()
	c.resp.Body.Close()
}

// Err is why the stream ended, once Events is closed.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// read parses the stream and, like the real client, keeps the list the
// events make: session-updated changes are applied to it, so every Event
// carries whole sessions.
func (c *Client) read() {
	defer close(c.Events)
	err := sse.Parse(c.resp.Body, sse.Options{}, func(e sse.Event) error {
		if e.Type == "" && !e.HasData {
			return nil // the opening retry: no event
		}
		ev := Event{Type: e.Type, ID: e.ID, Retry: e.Retry, Raw: e.Data}
		c.apply(&ev)
		c.Events <- ev
		return nil
	})
	if err == nil {
		err = io.EOF // the server ended the stream
	}
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
}

// apply applies ev to the held list, moving the cursor, as the web client
// does; a keepalive carries no id and changes nothing.
func (c *Client) apply(ev *Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, err := c.held.Apply(shared.EventType(ev.Type), []byte(ev.Raw))
	if err != nil {
		ev.Data.Type = shared.EventType("unparseable: " + err.Error())
		c.bad++
		return
	}
	ev.Data = d
	if ev.ID != "" {
		c.last = ev.ID
	}
}

// List is a client's copy of the session list, by shared.Session.Key,
// kept from stream events as the web client keeps it.
type List map[string]shared.Session

// Apply decodes the data of an event of type typ, session-updated
// changes applied to the sessions held, applies the event to the list
// and returns it, with whole sessions.
func (l List) Apply(typ shared.EventType, data []byte) (shared.Event, error) {
	ev, err := shared.DecodeEvent(typ, data, func(k string) (shared.Session, bool) {
		s, ok := l[k]
		return s, ok
	})
	if err != nil {
		return ev, err
	}
	if ev.Type.IsSnapshot() {
		clear(l)
	}
	for _, s := range ev.Sessions {
		if ev.Type == shared.EventSessionDeleted {
			delete(l, s.Key())
		} else {
			l[s.Key()] = s
		}
	}
	return ev, nil
}

// Next returns the next event other than a keepalive.
func (c *Client) Next(t testing.TB, within time.Duration) Event {
	t.Helper()
	return c.Wait(t, within, "an event", func(e Event) bool { return e.Type != string(shared.EventKeepalive) })
}

// Wait reads events until one satisfies match, failing after within.
func (c *Client) Wait(t testing.TB, within time.Duration, what string, match func(Event) bool) Event {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-c.Events:
			if !ok {
				t.Fatalf("stream ended while waiting for %s: %v", what, c.Err())
			}
			if match(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s within %v", what, within)
		}
	}
}

// Of matches an event of the given type carrying the session id (and, if
// check is set, for which check holds).
func Of(typ shared.EventType, id string, check func(shared.Session) bool) func(Event) bool {
	return func(e Event) bool {
		s, ok := e.Has(id)
		return e.Type == string(typ) && ok && (check == nil || check(s))
	}
}
