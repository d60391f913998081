package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"vibecraft.sh/helm/server/internal/tokenproof"
)

// requestTimeout bounds a REST request; streams have none (only their
// wait for an answer is bounded: headerTimeout).
const requestTimeout = 15 * time.Second

// headerTimeout bounds the wait for an answer's status and headers. A
// stream has no request deadline: without it, helmd watch waited forever
// on a port that accepts and never answers, when it had no token (with
// one, the proof bounds that wait). helmd answers at once, so the REST
// requests' bound is ample. A variable so that a test need not wait it
// out.
var headerTimeout = requestTimeout

// maxBody bounds a REST answer read into memory: the session list of a
// large machine is a few MB.
const maxBody = 64 << 20

// client talks to one helmd.
type client struct {
	base string // http://host:port/
	http *http.Client

	mu    sync.Mutex
	token string // dropped when helmd says it wants none, and authNone

	// authNone is the user's word (--auth none, HELM_AUTH) that helmd
	// was started with --auth none: only then does a client that holds
	// a token take an answer that no token is wanted, which comes with
	// no proof (errNoTokenClaim).
	authNone bool

	// reload reads the token again from where it came from (the token
	// file); nil when it was given (--token, HELM_TOKEN). A helmd
	// restarted with a new token, or with one after --auth none, is then
	// followed: helmd watch outlives the helmd it started with.
	reload func() (string, error)

	// tokenFile is the token file given (--token-file, HELM_TOKEN_FILE)
	// when the token is read from it: a 401 says when it does not exist,
	// which read as no token at all.
	tokenFile string

	// name is the command's ("ls"), for what it says on notice
	// (stderr) while it waits out helmd's first scan (awaitScan), for
	// up to scanWait in all; scanSince is when that wait began.
	name      string
	notice    io.Writer
	scanWait  time.Duration
	scanSince time.Time
}

func newClient(base, token string) *client {
	c := &client{base: strings.TrimSuffix(base, "/"), token: token, notice: io.Discard, scanWait: defaultScanWait}
	c.http = &http.Client{
		// Never follow a redirect: helmd sends none to API clients, and
		// one elsewhere must not carry the token along.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			// No proxy: the token is proven to the address dialled.
			Proxy:                 nil,
			DialContext:           c.dialProven,
			MaxIdleConns:          4,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: headerTimeout,
		},
	}
	return c
}

func (c *client) currentToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

func (c *client) dropToken() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = ""
}

// request sends a GET for path with the token, mapping a refused
// connection to ErrNotRunning and a non-2xx answer to an error carrying
// helmd's message, or saying that what answers is not helmd (failure,
// refusal). The token leaves only on a connection whose other end
// proved it knows it (dialProven). The caller closes the body.
func (c *client) request(ctx context.Context, path string, header http.Header) (*http.Response, error) {
	start := time.Now()
	resp, err := c.send(ctx, path, header)
	if refusedToken(resp, err) && c.reloadToken() {
		if resp != nil {
			resp.Body.Close()
		}
		resp, err = c.send(ctx, path, header)
	}
	if err != nil {
		return nil, c.failure(err, path, time.Since(start))
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, c.refusal(resp, path)
}

// send is do, asked again without the token when helmd wants none (a
// helmd started with --auth none) and the user said so (authNone).
func (c *client) send(ctx context.Context, path string, header http.Header) (*http.Response, error) {
	resp, err := c.do(ctx, path, header)
	if errors.Is(err, tokenproof.ErrNoTokenWanted) {
		if !c.authNone {
			// Anyone can answer that: another account listening on the
			// port while helmd is down would be asked without the token
			// and its list shown, or its page opened (helmd url).
			return nil, fmt.Errorf("%w (%w)", errNoTokenClaim, err)
		}
		c.dropToken()
		resp, err = c.do(ctx, path, header)
	}
	return resp, err
}

// refusedToken reports whether helmd refused the token sent, or what
// answers did not prove it knows it: the token may have changed.
func refusedToken(resp *http.Response, err error) bool {
	var unproven *unprovenError
	return errors.As(err, &unproven) || err == nil && resp.StatusCode == http.StatusUnauthorized
}

// reloadToken reads the token again (reload) and reports whether it
// differs from the one sent: only then is a request worth asking again.
func (c *client) reloadToken() bool {
	if c.reload == nil {
		return false
	}
	t, err := c.reload()
	if err != nil {
		return false // the first error stands: it says which token was refused
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t == c.token {
		return false
	}
	c.token = t
	return true
}

func (c *client) do(ctx context.Context, path string, header http.Header) (*http.Response, error) {
	// Whether a connection was made, one handed to the request (proven,
	// with a token), and a byte came back: a request that times out
	// after the first and before the last met a program that accepts
	// and keeps silent. (The proof's own deadline finds it too, unless
	// the request's comes first.)
	var reached, connected, spoke atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		ConnectDone: func(_, _ string, err error) {
			if err == nil {
				reached.Store(true)
			}
		},
		GotConn:              func(httptrace.GotConnInfo) { connected.Store(true) },
		GotFirstResponseByte: func() { spoke.Store(true) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, fmt.Errorf("request %s: %w", path, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	t := c.currentToken()
	if t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	resp, err := c.http.Do(req)
	// A proven connection that then hangs is helmd's, stuck: said so
	// (errHelmdSilent). A proof that failed says why itself (failure).
	switch {
	case err == nil || !reached.Load() || spoke.Load() || errors.Is(err, context.Canceled):
		// An answer, no connection made, or the user's ^C: no silence.
	case t != "" && connected.Load():
		if timedOut(err) {
			err = fmt.Errorf("%w (%w)", errHelmdSilent, err)
		}
	case !errors.Is(err, tokenproof.ErrNotProven) && !errors.Is(err, tokenproof.ErrNoTokenWanted):
		err = fmt.Errorf("%w (%w)", errNoAnswer, err)
	}
	return resp, err
}

// getJSON decodes the JSON answer to GET path into v, and returns the
// raw bytes too (for --json, which prints what helmd sent). While helmd
// says it is still in its first scan, it asks again (awaitScan).
func (c *client) getJSON(ctx context.Context, path string, v any) ([]byte, error) {
	for {
		start := time.Now()
		b, err := c.getJSONOnce(ctx, path, v)
		var scan *scanningError
		if !errors.As(err, &scan) {
			return b, err
		}
		if err := c.awaitScan(ctx, scan, start); err != nil {
			return nil, err
		}
	}
}

func (c *client) getJSONOnce(ctx context.Context, path string, v any) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	resp, err := c.request(ctx, path, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("GET %s: answer larger than %d MB", path, maxBody>>20)
	}
	if !json.Valid(b) {
		// A server that answers every path with its page (a web app's
		// dev server) is not helmd.
		return nil, c.notHelmd(answered(resp.StatusCode, resp.Header.Get("Content-Type"), b), errors.New("its answer is not JSON"))
	}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("GET %s: not the JSON expected: %w", path, err)
	}
	return b, nil
}

// defaultScanWait is how long a command waits for helmd's first scan
// (--scan-wait): a cold start over tens of GB of transcripts takes
// longer than helmd holds a request (10 s), far less than this.
const defaultScanWait = 2 * time.Minute

// A wait between two asks while helmd scans: its Retry-After, within
// these bounds (a Retry-After of 0 must not make a busy loop, one of an
// hour must not outwait the user). Variables so that a test need not
// wait out a second per ask.
var (
	scanPauseMin = 250 * time.Millisecond
	scanPauseMax = 5 * time.Second
)

// scanningError is helmd's 503 while it reads the transcripts after it
// started (httperr.FirstScanHeader): the list it would answer is not
// the files' yet, and will be in a moment.
type scanningError struct {
	retryAfter time.Duration
	err        error
}

func (e *scanningError) Error() string { return e.err.Error() }
func (e *scanningError) Unwrap() error { return e.err }

// retryAfter is a Retry-After's wait, in seconds or as a date; 0 when
// there is none or it cannot be read.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(min(n, 3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// errScanTooLong is a wait for helmd's first scan that outlasted
// --scan-wait: the command's end, not a failure to try again.
var errScanTooLong = errors.New("helmd's first scan outlasted --scan-wait")

// awaitScan waits before asking again a request that started at start
// and that helmd refused with e because its first scan runs: it says
// once on notice that it waits, and gives up, saying so, once scanWait
// has passed since the first such request began (a request asked just
// before then may outlast it by the time helmd holds it, 10 s at most).
// A pause is cut to the wait left, so that the last ask is at its end:
// a --scan-wait shorter than helmd's Retry-After is waited out, not
// given up on at the first 503. ^C ends the wait at once.
func (c *client) awaitScan(ctx context.Context, e *scanningError, start time.Time) error {
	since, first := c.scanBegun(start)
	left := c.scanWait - time.Since(since)
	if left <= 0 {
		return c.scanTooLong(since, e)
	}
	pause := min(max(e.retryAfter, scanPauseMin), scanPauseMax, left)
	if first {
		c.sayScanWait()
	}
	t := time.NewTimer(pause)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("waiting for helmd's first scan: %w", ctx.Err())
	case <-t.C:
		return nil
	}
}

// scanBegun notes that a request begun at start found helmd in its
// first scan, and returns since when the command waits for it (the
// first such request's start) and whether this is the first.
func (c *client) scanBegun(start time.Time) (since time.Time, first bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	first = c.scanSince.IsZero()
	if first {
		c.scanSince = start
	}
	return c.scanSince, first
}

// sayScanWait says on notice, once per command (scanBegun's first),
// that it waits for helmd's first scan.
func (c *client) sayScanWait() {
	fmt.Fprintf(c.notice, "helmd %s: helmd at %s is still reading its transcripts (its first scan since it started); waiting for it, up to %s…\n",
		c.name, c.base, c.scanWait)
}

// scanTooLong is the failure of a wait for helmd's first scan that
// began at since and outlasted scanWait; cause is helmd's answer.
func (c *client) scanTooLong(since time.Time, cause error) error {
	return &saidError{fmt.Sprintf("helmd at %s is still reading its transcripts (its first scan since it started) after %s: "+
		"try again in a moment, or wait longer with --scan-wait", c.base, roundWait(time.Since(since))), []error{errScanTooLong, cause}}
}

// scanWaitFlag defines --scan-wait, for a command that reads what helmd
// holds back during its first scan (the list, usage, the stream).
func scanWaitFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("scan-wait", defaultScanWait, "how long to wait for a helmd that has just started and still reads its transcripts (0: not at all)")
}
