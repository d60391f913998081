package feedtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"sync"

	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/shared/sse"
)

// Client connects a feed.Machine to a server over HTTP. It is both the
// machine's Transport (the stream, read as EventSource reads it) and its
// Poller (GET, with the answer's feed.EventIDHeader). The zero value
// needs Base.
type Client struct {
	// Base is prefixed to every URL the machine asks for (an
	// httptest.Server's URL).
	Base string
	// HTTP sends the requests; nil is http.DefaultClient. It must not
	// time out whole requests: streams last.
	HTTP *http.Client
	// Header is added to every request (e.g. Authorization).
	Header http.Header
	// MaxBody bounds a poll answer's body; 0 is MaxEvent.
	MaxBody int64

	wg sync.WaitGroup
}

var (
	_ feed.Transport = (*Client)(nil)
	_ feed.Poller    = (*Client)(nil)
)

// Wait returns when every stream and poll the client started has ended.
// Call it after the machine's Close (which closes them), so that no
// goroutine outlives the test.
func (c *Client) Wait() { c.wg.Wait() }

func (c *Client) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

func (c *Client) get(ctx context.Context, url, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+url, nil)
	if err != nil {
		return nil, fmt.Errorf("feedtest: %w", err)
	}
	for k, vs := range c.Header {
		req.Header[k] = slices.Clone(vs)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("Cache-Control", "no-store")
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("feedtest: GET %s: %w", url, err)
	}
	return resp, nil
}

// stream is one connection; Close cancels its request.
type stream struct {
	cancel context.CancelFunc
}

func (s *stream) Close() { s.cancel() }

// Open connects to url on a new goroutine and reports to h as a browser
// does: Open once the answer is a 200 text/event-stream, Event for each
// named event of shared.EventTypes (an EventSource delivers no other to
// the listeners the client registers), and Error when the connection
// fails or ends. After Close nothing more is reported.
func (c *Client) Open(url string, h feed.StreamHandler) feed.Stream {
	ctx, cancel := context.WithCancel(context.Background())
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer cancel()
		err := c.run(ctx, url, h)
		if ctx.Err() == nil && err != nil {
			h.Error()
		}
	}()
	return &stream{cancel: cancel}
}

// errEnded is run's error for a stream the server ended: EventSource
// reports it as an error too (and would reconnect by itself).
var errEnded = errors.New("feedtest: the stream ended")

func (c *Client) run(ctx context.Context, url string, h feed.StreamHandler) error {
	resp, err := c.get(ctx, url, "text/event-stream")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != http.StatusOK || mt != "text/event-stream" {
		return fmt.Errorf("feedtest: GET %s: %s, %q", url, resp.Status, mt)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	h.Open()
	// EventSource dispatches only events with data, by name, with the
	// last event id so far.
	err = sse.Parse(resp.Body, sse.Options{Limit: MaxEvent}, func(e sse.Event) error {
		if e.HasData && ctx.Err() == nil && slices.Contains(shared.EventTypes, shared.EventType(e.Name())) {
			h.Event(e.Name(), e.LastID, e.Data)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errEnded
}

// Poll GETs url on a new goroutine and calls done with the body of a 2xx
// answer and its feed.EventIDHeader, or an error. cancel aborts it.
func (c *Client) Poll(url string, done func(body []byte, eventID string, err error)) (cancel func()) {
	ctx, cancel := context.WithCancel(context.Background())
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer cancel()
		body, id, err := c.fetch(ctx, url)
		done(body, id, err)
	}()
	return cancel
}

func (c *Client) fetch(ctx context.Context, url string) ([]byte, string, error) {
	resp, err := c.get(ctx, url, "application/json")
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// With its status, as the browser's fetch reports it: a 304 to
		// a poll's ?since= means the list held is the server's.
		return nil, "", &statusError{url: url, status: resp.StatusCode, text: resp.Status}
	}
	limit := c.MaxBody
	if limit <= 0 {
		limit = MaxEvent
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, "", fmt.Errorf("feedtest: GET %s: %w", url, err)
	}
	if int64(len(body)) > limit {
		return nil, "", fmt.Errorf("feedtest: GET %s: %w", url, errTooBig)
	}
	return body, resp.Header.Get(feed.EventIDHeader), nil
}

// statusError is an answer of another status than 2xx.
type statusError struct {
	url, text string
	status    int
}

func (e *statusError) Error() string { return "feedtest: GET " + e.url + ": " + e.text }

// HTTPStatus is the status, as app/browser's errors give it to feed.
func (e *statusError) HTTPStatus() int { return e.status }
