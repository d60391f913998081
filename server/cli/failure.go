package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"vibecraft.sh/helm/server/internal/httperr"
	"vibecraft.sh/helm/server/internal/tokenproof"
)

// What a command says when it could not ask helmd: each failure in one
// sentence that names the address once and says what to do, wrapping a
// sentinel, so that the exit code (ErrNotRunning: 2) and helmd watch's
// reasons are decided without reading the words.

// ErrNotRunning is a refused connection: nothing listens there. The
// commands exit 2 on it; helmd url says it and prints the URL anyway.
var ErrNotRunning = errors.New("helmd is not running")

// errNotFound is a 404 from helmd.
var errNotFound = errors.New("not found")

// errUnauthorized is a 401 from helmd: no token, or not its token.
var errUnauthorized = errors.New("wants its access token")

// errNotHelmd is an answer from something that is not helmd: another
// server holds the port.
var errNotHelmd = errors.New("is not helmd")

// errNoAnswer is a connection accepted and nothing said on it.
var errNoAnswer = errors.New("nothing answered")

// errHelmdSilent is a helmd that proved it holds the token, then did not
// answer the request in time: helmd, but stuck or overloaded.
var errHelmdSilent = errors.New("helmd did not answer")

// httpStatus is the status of any other refusal from helmd, in the error
// so that a caller can tell one kind of refusal from another (helmd
// watch says a new one) without reading the message.
type httpStatus int

func (s httpStatus) Error() string { return fmt.Sprintf("%d %s", int(s), http.StatusText(int(s))) }

// saidError is a failure in the command's words, which leave out its
// causes' own (they repeat the address, or quote a whole page), while
// errors.Is and errors.As still find them.
type saidError struct {
	msg  string
	errs []error
}

func (e *saidError) Error() string   { return e.msg }
func (e *saidError) Unwrap() []error { return e.errs }

// failure is what to say of err, a request to path that got no answer
// from helmd after waiting waited.
func (c *client) failure(err error, path string, waited time.Duration) error {
	var status *tokenproof.StatusError
	var unproven *unprovenError
	var dnsErr *net.DNSError
	var dial *net.OpError
	var transport *url.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w at %s (connection refused): start it with `helmd`, or pass --host/--port", ErrNotRunning, c.base)
	case errors.As(err, &dnsErr):
		// Its own words name the host again, and the server asked.
		return &saidError{fmt.Sprintf("cannot resolve host %q (%s): check --host or HOST", dnsErr.Name, dnsErr.Err), []error{err}}
	case errors.Is(err, errNoAnswer), errors.Is(err, tokenproof.ErrNoAnswer):
		return c.silent(err, waited)
	case errors.Is(err, errHelmdSilent):
		return &saidError{fmt.Sprintf("helmd at %s took the token, then sent no answer within %s: it may be stuck or overloaded (its log may say why)",
			c.base, roundWait(waited)), []error{errHelmdSilent, err}}
	case errors.Is(err, tokenproof.ErrNotHTTP):
		return c.notHelmd("its answer is not HTTP", err)
	case errors.Is(err, tokenproof.ErrNotHelmd):
		return c.notHelmd("its answer to "+tokenproof.Path+" is not helmd's", err)
	case errors.As(err, &status):
		if _, ok := helmdError(status.Body); !ok {
			return c.notHelmd(answered(status.Code, status.ContentType, status.Body), err)
		}
		if status.Code == http.StatusMisdirectedRequest {
			return c.hostRefused(err)
		}
	}
	switch {
	case errors.Is(err, errNoTokenClaim):
		return c.noTokenClaimed(err)
	case errors.As(err, &unproven):
		return fmt.Errorf("%w: what answers at %s did not prove it knows it (%v). Another program may hold that port "+
			"(helmd prints its address when it starts), or that helmd has another token (--token-file)", errNotProven, c.base, unproven)
	case errors.As(err, &dial) && dial.Op == "dial":
		// "dial tcp 10.0.0.9:5003: connect: no route to host": the
		// address once, and the reason alone.
		why := dial.Err.Error()
		var errno syscall.Errno
		if errors.As(dial.Err, &errno) {
			why = errno.Error()
		}
		return &saidError{fmt.Sprintf("cannot connect to %s (%s): check --host or HOST", c.base, why), []error{err}}
	case errors.As(err, &transport):
		// Its words repeat the URL.
		return fmt.Errorf("GET %s: %w", c.base+path, transport.Err)
	}
	return fmt.Errorf("GET %s: %w", c.base+path, err)
}

// noTokenClaimed says that what answers at c's address claims to want
// no token, which no proof comes with, while the command holds one and
// was not told --auth none: it shows nothing that program answers (a
// session list, a URL to its page, which could ask for the token).
func (c *client) noTokenClaimed(err error) error {
	return &saidError{fmt.Sprintf("what answers at %s %v, which any program listening on that port can say: "+
		"your token was not sent, and nothing it says is shown. If you started helmd with --auth none, pass --auth none to this command too",
		c.base, errNoTokenClaim), []error{errNoTokenClaim, err}}
}

// silent says that what accepted the connection said nothing: not
// helmd, which answers at once, or a helmd that hangs.
func (c *client) silent(err error, waited time.Duration) error {
	// Short of a deadline, the other end hung up: EOF, a reset, or the
	// transport's "server closed idle connection", its words when that
	// came before the request was sent.
	why := "(it closed the connection)"
	if timedOut(err) {
		why = "within " + roundWait(waited).String()
	}
	return &saidError{fmt.Sprintf("nothing answered at %s %s: is it helmd?", c.base, why), []error{errNoAnswer, err}}
}

// timedOut reports a deadline reached: the request's, or the proof's on
// the connection. (The transport's *url.Error, first in the chain, says
// Timeout only of the error it wraps directly, not of the proof's.)
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// roundWait is a wait to say: whole seconds, or for a short one (a
// test's), hundredths.
func roundWait(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(10 * time.Millisecond)
}

// refusal is what to say of resp, a non-2xx answer to path; the caller
// closes its body.
func (c *client) refusal(resp *http.Response, path string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	msg, ok := helmdError(body)
	switch {
	case !ok:
		return c.notHelmd(answered(resp.StatusCode, resp.Header.Get("Content-Type"), body), httpStatus(resp.StatusCode))
	case resp.StatusCode == http.StatusUnauthorized && c.tokenFileMissing():
		return fmt.Errorf("helmd at %s %w, and token file %s does not exist: give --token-file helmd's token file, or set HELM_TOKEN or --token",
			c.base, errUnauthorized, c.tokenFile)
	case resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("helmd at %s %w (%s): set HELM_TOKEN or --token, or --token-file to helmd's token file", c.base, errUnauthorized, msg)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w: %s", errNotFound, msg)
	case resp.StatusCode == http.StatusMisdirectedRequest:
		return c.hostRefused(httpStatus(resp.StatusCode))
	case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get(httperr.FirstScanHeader) != "":
		// Only this 503 is asked again (getJSON): the others (too many
		// connections or streams) say helmd is overloaded, which a
		// command asking again for minutes would only add to.
		return &scanningError{retryAfter(resp.Header), fmt.Errorf("GET %s: %w: %s", path, httpStatus(resp.StatusCode), msg)}
	}
	return fmt.Errorf("GET %s: %w: %s", path, httpStatus(resp.StatusCode), msg)
}

// tokenFileMissing reports that the token file given does not exist,
// and so that no token was sent.
func (c *client) tokenFileMissing() bool {
	if c.tokenFile == "" || c.currentToken() != "" {
		return false
	}
	_, err := os.Stat(c.tokenFile)
	return errors.Is(err, fs.ErrNotExist)
}

// notHelmd says that another server answers at c's address, and how:
// what, the words for its answer.
func (c *client) notHelmd(what string, cause error) error {
	return &saidError{fmt.Sprintf("what answers at %s %v (%s): is helmd on another port? (--port)", c.base, errNotHelmd, what),
		[]error{errNotHelmd, cause}}
}

// hostRefused says helmd's 421: the host name the command reached it by
// (HOST, --host) is not one helmd serves, which its guard against DNS
// rebinding refuses; its address, or a name helmd is told of, is.
func (c *client) hostRefused(cause error) error {
	host := c.base
	if u, err := url.Parse(c.base); err == nil {
		host = u.Hostname()
	}
	return &saidError{fmt.Sprintf("helmd at %s refuses the host name %q (421 Misdirected Request): pass --host 127.0.0.1, "+
		"or start helmd with --allowed-hosts %s", c.base, host, host), []error{httpStatus(http.StatusMisdirectedRequest), cause}}
}

// helmdError is the message of helmd's error body, made safe to print:
// helmd refuses with {"error": "…"} whichever layer refuses (httperr),
// so any other body (a page, plain text, nothing) is another server's.
func helmdError(body []byte) (string, bool) {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return "", false
	}
	return clean(e.Error), true
}

// answered puts another server's answer in words, never whole: a page
// read out on a terminal says nothing, and may say what it likes.
func answered(code int, contentType string, body []byte) string {
	text := strings.Join(strings.Fields(clean(string(body))), " ")
	switch lower := strings.ToLower(text); {
	case text == "":
		return fmt.Sprintf("it answered %d with an empty body", code)
	case strings.Contains(strings.ToLower(contentType), "html"), strings.HasPrefix(lower, "<!doctype"), strings.HasPrefix(lower, "<html"):
		return fmt.Sprintf("it answered %d with an HTML page", code)
	case !utf8.ValidString(string(bytes.TrimSpace(body))):
		return fmt.Sprintf("it answered %d with binary data", code)
	}
	const excerpt = 60 // runes: enough to recognise a server by
	if r := []rune(text); len(r) > excerpt {
		text = string(r[:excerpt]) + "…"
	}
	return fmt.Sprintf("it answered %d: %q", code, text)
}
